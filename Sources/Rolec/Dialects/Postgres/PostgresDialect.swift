/// PostgreSQL 15-18: capability tables, names, versions, passwords and profiles.
/// Rendering lives in PostgresRenderer.swift.
public struct PostgresDialect: Dialect {
    public init() {}

    public let name = "postgres"
    public let displayName = "PostgreSQL"
    public let versions = ["15", "16", "17", "18"]
    public let defaultVersion = "15"

    static func number(_ version: String) -> Int { Int(version) ?? 15 }

    static let tablePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]

    /// Lowering asks for a table per object it meets, so the tables are built once:
    /// index 0 before PostgreSQL 17, index 1 from 17 on (MAINTAIN is the only difference).
    static let capabilityTables: [[ObjectClass: [String: Capability]]] = [15, 17].map { version in
        Dictionary(uniqueKeysWithValues: ObjectClass.allCases.map { ($0, makePrivileges(on: $0, version: String(version))) })
    }

    public func privileges(on objectClass: ObjectClass, version: String) -> [String: Capability] {
        PostgresDialect.capabilityTables[PostgresDialect.number(version) >= 17 ? 1 : 0][objectClass] ?? [:]
    }

    static func makePrivileges(on objectClass: ObjectClass, version: String) -> [String: Capability] {
        func rendered(_ names: [String]) -> [String: Capability] {
            Dictionary(uniqueKeysWithValues: names.map { ($0, Capability.rendered) })
        }
        switch objectClass {
        case .database: return rendered(["CREATE", "CONNECT", "TEMPORARY"])
        case .schema: return rendered(["CREATE", "USAGE"])
        case .table, .view:
            var table = rendered(PostgresDialect.tablePrivileges)
            table["MAINTAIN"] = PostgresDialect.number(version) >= 17 ? .rendered
                : .unsupported("MAINTAIN exists from PostgreSQL 17; target --server-version 17, or use the maintenance profile, which falls back with a warning")
            return table
        case .column: return rendered(["SELECT", "INSERT", "UPDATE", "REFERENCES"])
        case .sequence: return rendered(["USAGE", "SELECT", "UPDATE"])
        case .function, .procedure: return rendered(["EXECUTE"])
        case .server: return [:]
        }
    }

    public let privilegeAliases = ["TEMP": "TEMPORARY"]
    public let futureObjectsNeedDefaultPrivileges = true

    public func publicHoldsByDefault(_ privilege: String, on object: IRObject) -> Bool {
        switch object {
        case .database: return privilege == "CONNECT" || privilege == "TEMPORARY"
        case .routine: return privilege == "EXECUTE"
        case .allInSchema(let kind, _): return privilege == "EXECUTE" && (kind == .functions || kind == .procedures || kind == .routines)
        case .schema("public"): return privilege == "USAGE"
        default: return false
        }
    }

    public func publicHoldsByDefault(_ privilege: String, onFuture kind: DefaultObjectKind) -> Bool {
        kind == .functions && privilege == "EXECUTE"
    }

    static let builtins15: Set<String> = [
        "pg_database_owner", "pg_read_all_data", "pg_write_all_data", "pg_monitor", "pg_read_all_settings",
        "pg_read_all_stats", "pg_stat_scan_tables", "pg_read_server_files", "pg_write_server_files",
        "pg_execute_server_program", "pg_signal_backend", "pg_checkpoint",
    ]

    public func builtinRoles(version: String) -> Set<String> {
        let v = PostgresDialect.number(version)
        var roles = PostgresDialect.builtins15
        if v >= 16 { roles.formUnion(["pg_use_reserved_connections", "pg_create_subscription"]) }
        if v >= 17 { roles.insert("pg_maintain") }
        if v >= 18 { roles.insert("pg_signal_autovacuum_worker") }
        return roles
    }

    public func expandProfile(_ profile: Profile, version: String, at range: SourceRange) -> ProfileExpansion {
        let maintain = PostgresDialect.number(version) >= 17
        switch profile {
        case .readonly:
            return ProfileExpansion(grants: [
                ProfileGrant(["USAGE"], on: .schema),
                ProfileGrant(["SELECT"], on: .all(.tables)),
                ProfileGrant(["SELECT"], on: .all(.sequences)),
            ])
        case .readwrite:
            return ProfileExpansion(grants: [
                ProfileGrant(["USAGE"], on: .schema),
                ProfileGrant(["SELECT", "INSERT", "UPDATE", "DELETE"], on: .all(.tables)),
                ProfileGrant(["SELECT", "USAGE"], on: .all(.sequences)),
            ])
        case .maintenance:
            return ProfileExpansion(grants: [
                ProfileGrant(["USAGE"], on: .schema),
                ProfileGrant(maintain ? ["SELECT", "MAINTAIN"] : ["SELECT"], on: .all(.tables)),
                ProfileGrant(["SELECT"], on: .all(.sequences)),
            ], warning: maintain ? nil : .maintenanceFallback(version: version, at: range))
        case .admin:
            return ProfileExpansion(grants: [
                ProfileGrant(["USAGE", "CREATE"], on: .schema),
                ProfileGrant(PostgresDialect.tablePrivileges + (maintain ? ["MAINTAIN"] : []), on: .all(.tables)),
                ProfileGrant(["USAGE", "SELECT", "UPDATE"], on: .all(.sequences)),
                ProfileGrant(["EXECUTE"], on: .all(.routines)),
            ])
        }
    }

    static let reservedRoleNames: Set<String> = ["none", "current_user", "current_role", "session_user", "system_user"]

    public func checkPrincipalName(_ name: String, created: Bool, at range: SourceRange) -> [Diagnostic] {
        var out = checkIdentifier(name, at: range)
        if PostgresDialect.reservedRoleNames.contains(name.lowercased()) {
            out.append(.reservedName(name, at: range, why: "PostgreSQL reserves it"))
        }
        if created && name.hasPrefix("pg_") {
            out.append(.reservedName(name, at: range, why: "PostgreSQL reserves names beginning with 'pg_'"))
        }
        return out
    }

    public func checkIdentifier(_ name: String, at range: SourceRange) -> [Diagnostic] {
        name.utf8.count > 63 ? [.nameTooLong(name, dialect: displayName, limit: "63 bytes", at: range)] : []
    }

    public func checkFeature(_ feature: Feature, version: String, at range: SourceRange) -> [Diagnostic] {
        let v = PostgresDialect.number(version)
        switch feature {
        case .membershipInherit where v < 16:
            return [.membershipOptionUnsupported("inherit", target: "PostgreSQL \(version)", at: range, hint: PostgresDialect.membershipOptionHint)]
        case .membershipSet where v < 16:
            return [.membershipOptionUnsupported("set", target: "PostgreSQL \(version)", at: range, hint: PostgresDialect.membershipOptionHint)]
        case .bulkScope(let scope, .procedures) where scope != .existing:
            return [.unsupported("default privileges for future procedures", dialect: "PostgreSQL", at: range,
                                 hint: "PostgreSQL default privileges cover functions and procedures together: write 'all routines', or 'all existing procedures'")]
        case .defaultPrivileges(.functions):
            return [.futureFunctionsCoverProcedures(at: range)]
        case .object(.server):
            return [.unsupported("server-wide privileges", dialect: "PostgreSQL", at: range,
                                 hint: "grant a predefined role instead, such as pg_monitor, pg_read_all_data or pg_signal_backend, inside 'dialect postgres { ... }'")]
        case .schemaDefaultRevokeFromPublic(let kind, let privileges)
            where [.functions, .routines, .procedures].contains(kind) && privileges.contains("EXECUTE"):
            return [.perSchemaPublicExecuteRevoke(at: range)]
        default:
            return []
        }
    }

    static let membershipOptionHint = "PostgreSQL 16 and later support per-membership inherit and set; use --server-version 16 or later, or the role's 'noinherit' attribute"

    public func choosePassword(_ verifiers: [String], at range: SourceRange) -> (String?, [Diagnostic]) {
        if let scram = verifiers.first(where: { PasswordVerifier.kind(of: $0) == .scramSHA256 }) { return (scram, []) }
        if let md5 = verifiers.first(where: { PasswordVerifier.kind(of: $0) == .md5 }) { return (md5, [.md5Verifier(at: range)]) }
        return (nil, [.noVerifierFits(dialect: displayName, at: range, accepted: "a SCRAM-SHA-256 verifier ('SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>')")])
    }

    public func render(_ ir: PolicyIR, options: RenderOptions) -> String {
        PostgresRenderer(ir: ir, options: options, dialect: self).render()
    }
}
