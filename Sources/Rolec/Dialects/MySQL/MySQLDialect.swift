/// MySQL 8.0/8.4 and MariaDB 10.11: one backend, two flavours. Capability tables,
/// names, passwords and profiles live here; rendering in MySQLRenderer.swift.
public struct MySQLDialect: Dialect {
    public enum Flavour: Sendable { case mysql, mariadb }

    public let flavour: Flavour

    public init(flavour: Flavour) { self.flavour = flavour }

    public var name: String { flavour == .mysql ? "mysql" : "mariadb" }
    public var displayName: String { flavour == .mysql ? "MySQL" : "MariaDB" }
    /// MySQL "8.0" means 8.0.30 or later (REVOKE IF EXISTS ... IGNORE UNKNOWN USER).
    public var versions: [String] { flavour == .mysql ? ["8.0", "8.4"] : ["10.11"] }
    public var defaultVersion: String { flavour == .mysql ? "8.0" : "10.11" }
    public let futureObjectsNeedDefaultPrivileges = false
    /// No PUBLIC pseudo-role holds anything by itself here.
    public func publicHoldsByDefault(_ privilege: String, on object: IRObject) -> Bool { false }
    public func publicHoldsByDefault(_ privilege: String, onFuture kind: DefaultObjectKind) -> Bool { false }

    var maria: Bool { flavour == .mariadb }

    // MARK: privileges

    /// Privileges at table level (and so at database level, which adds more).
    static let tableLevel = ["SELECT", "INSERT", "UPDATE", "DELETE", "REFERENCES", "TRIGGER", "ALTER", "CREATE", "DROP",
                             "INDEX", "CREATE VIEW", "SHOW VIEW"]
    /// TEMPORARY is the canonical name of CREATE TEMPORARY TABLES (rendered with its long name).
    static let databaseOnly = ["TEMPORARY", "LOCK TABLES", "EXECUTE", "CREATE ROUTINE", "ALTER ROUTINE", "EVENT"]
    static let globalStatic = ["CREATE ROLE", "CREATE TABLESPACE", "CREATE USER", "DROP ROLE", "FILE", "PROCESS", "RELOAD",
                               "REPLICATION CLIENT", "REPLICATION SLAVE", "SHOW DATABASES", "SHUTDOWN", "SUPER"]
    static let mysqlDynamic80 = [
        "APPLICATION_PASSWORD_ADMIN", "AUDIT_ADMIN", "AUTHENTICATION_POLICY_ADMIN", "BACKUP_ADMIN", "BINLOG_ADMIN",
        "BINLOG_ENCRYPTION_ADMIN", "CLONE_ADMIN", "CONNECTION_ADMIN", "ENCRYPTION_KEY_ADMIN", "FLUSH_OPTIMIZER_COSTS",
        "FLUSH_STATUS", "FLUSH_TABLES", "FLUSH_USER_RESOURCES", "GROUP_REPLICATION_ADMIN", "GROUP_REPLICATION_STREAM",
        "INNODB_REDO_LOG_ENABLE", "PASSWORDLESS_USER_ADMIN", "PERSIST_RO_VARIABLES_ADMIN", "REPLICATION_APPLIER",
        "REPLICATION_SLAVE_ADMIN", "RESOURCE_GROUP_ADMIN", "RESOURCE_GROUP_USER", "ROLE_ADMIN", "SENSITIVE_VARIABLES_OBSERVER",
        "SERVICE_CONNECTION_ADMIN", "SESSION_VARIABLES_ADMIN", "SHOW_ROUTINE", "SYSTEM_USER", "SYSTEM_VARIABLES_ADMIN",
        "TABLE_ENCRYPTION_ADMIN", "TELEMETRY_LOG_ADMIN", "XA_RECOVER_ADMIN",
    ]
    static let mysqlDynamicOnly80 = ["SET_USER_ID"]
    static let mysqlDynamicSince84 = ["ALLOW_NONEXISTENT_DEFINER", "FLUSH_PRIVILEGES", "OPTIMIZE_LOCAL_TABLE", "SET_ANY_DEFINER", "TRANSACTION_GTID_TAG"]
    /// MariaDB 10.11 global-only privileges (G.5), with the names SHOW GRANTS prints.
    static let mariadbGlobal = ["RELOAD", "SHUTDOWN", "PROCESS", "FILE", "SHOW DATABASES", "SUPER", "REPLICATION SLAVE",
                                "BINLOG MONITOR", "CREATE USER", "CREATE TABLESPACE", "SET USER", "FEDERATED ADMIN",
                                "CONNECTION ADMIN", "READ_ONLY ADMIN", "REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN",
                                "BINLOG ADMIN", "BINLOG REPLAY", "SLAVE MONITOR"]

    func tablePrivileges() -> [String] { MySQLDialect.tableLevel + (maria ? ["DELETE HISTORY"] : []) }
    func schemaPrivileges() -> [String] { tablePrivileges() + MySQLDialect.databaseOnly }
    func globalPrivileges(version: String) -> [String] {
        if maria { return schemaPrivileges() + MySQLDialect.mariadbGlobal }
        let dynamic = MySQLDialect.mysqlDynamic80 + (version == "8.0" ? MySQLDialect.mysqlDynamicOnly80 : MySQLDialect.mysqlDynamicSince84)
        return schemaPrivileges() + MySQLDialect.globalStatic + dynamic
    }

    public func privileges(on objectClass: ObjectClass, version: String) -> [String: Capability] {
        func rendered(_ names: [String]) -> [String: Capability] {
            Dictionary(names.map { ($0, Capability.rendered) }, uniquingKeysWith: { a, _ in a })
        }
        switch objectClass {
        case .database:
            return [
                "CONNECT": .implied("\(displayName) accounts connect to the server without a privilege"),
                "TEMPORARY": .unsupported("grant 'create temporary tables' on a schema (a \(displayName) database) instead"),
                "CREATE": .unsupported("creating databases is the global CREATE privilege: write 'grant create on server' in a 'dialect \(name)' block"),
            ]
        case .schema:
            var table = rendered(schemaPrivileges())
            table["USAGE"] = .implied("a \(displayName) database needs no usage privilege; access comes from the privileges on its objects")
            return table
        case .table, .view:
            var table = rendered(tablePrivileges())
            table["TRUNCATE"] = .unsupported("TRUNCATE needs DROP on the table in \(displayName), which also allows DROP TABLE: grant 'drop' in a 'dialect \(name)' block if that is meant")
            table["MAINTAIN"] = .unsupported("\(displayName) table maintenance (ANALYZE, OPTIMIZE) needs SELECT and INSERT; use the maintenance profile")
            return table
        case .column:
            return rendered(["SELECT", "INSERT", "UPDATE", "REFERENCES"])
        case .sequence:
            if maria { return rendered(["USAGE", "SELECT", "UPDATE"]) }
            let why = "MySQL has no sequences; AUTO_INCREMENT columns need only INSERT on their table"
            return ["USAGE": .implied(why), "SELECT": .implied(why), "UPDATE": .implied(why)]
        case .function, .procedure:
            return rendered(["EXECUTE", "ALTER ROUTINE"])
        case .server:
            return rendered(globalPrivileges(version: version))
        }
    }

    public var privilegeAliases: [String: String] {
        var aliases = ["TEMP": "TEMPORARY", "CREATE TEMPORARY TABLES": "TEMPORARY"]
        if maria {
            aliases["REPLICATION CLIENT"] = "BINLOG MONITOR"
            aliases["REPLICA MONITOR"] = "SLAVE MONITOR"
            aliases["READ ONLY ADMIN"] = "READ_ONLY ADMIN"
        }
        return aliases
    }

    public func builtinRoles(version: String) -> Set<String> { [] }

    public func expandProfile(_ profile: Profile, version: String, at range: SourceRange) -> ProfileExpansion {
        // `schema S` renders as `S.*`: database-level privileges cover every table, view
        // and routine of S, existing and future.
        switch profile {
        case .readonly:
            return ProfileExpansion(grants: [ProfileGrant(["SELECT"], on: .schema)])
        case .readwrite:
            return ProfileExpansion(grants: [ProfileGrant(["SELECT", "INSERT", "UPDATE", "DELETE"], on: .schema)])
        case .maintenance:
            // Dumps: SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT; ANALYZE/OPTIMIZE TABLE: SELECT and INSERT.
            return ProfileExpansion(grants: [ProfileGrant(["SELECT", "INSERT", "SHOW VIEW", "TRIGGER", "LOCK TABLES", "EVENT"], on: .schema)])
        case .admin:
            return ProfileExpansion(grants: [ProfileGrant(schemaPrivileges(), on: .schema)])
        }
    }

    // MARK: names

    var principalLimit: Int { maria ? 128 : 32 }

    public func checkPrincipalName(_ name: String, created: Bool, at range: SourceRange) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if name.count > principalLimit {
            out.append(.nameTooLong(name, dialect: displayName, limit: "\(principalLimit) characters", at: range))
        }
        if maria && ["public", "none"].contains(name.lowercased()) {
            out.append(.reservedName(name, at: range, why: "MariaDB reserves it"))
        }
        if maria && name.hasPrefix("rolec_default_") {
            out.append(.reservedName(name, at: range, why: "rolec generates roles named 'rolec_default_...' for MariaDB users with several default roles"))
        }
        if name.hasSuffix(" ") {
            out.append(.reservedName(name, at: range, why: "\(displayName) ignores trailing spaces in account names"))
        }
        return out
    }

    public func checkIdentifier(_ name: String, at range: SourceRange) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if name.count > 64 { out.append(.nameTooLong(name, dialect: displayName, limit: "64 characters", at: range)) }
        if name.hasSuffix(" ") { out.append(.invalidValue("name '\(name)'", at: range, help: "\(displayName) names cannot end with a space")) }
        return out
    }

    // MARK: features

    public func checkFeature(_ feature: Feature, version: String, at range: SourceRange) -> [Diagnostic] {
        let dialect = displayName
        func unsupported(_ what: String, _ hint: String) -> [Diagnostic] { [.unsupported(what, dialect: dialect, at: range, hint: hint)] }
        switch feature {
        case .membershipInherit, .membershipSet:
            return [.membershipOptionUnsupported(feature.isInherit ? "inherit" : "set", target: dialect, at: range,
                                                 hint: "\(dialect) activates roles at login through default roles: use 'default role' on the user")]
        case .roleSetting:
            return unsupported("role settings", "set session variables in the application (or init_connect); put 'set' items in a 'dialect postgres' block")
        case .bulkScope(let scope, let kind):
            if scope != .both {
                return unsupported("'all \(scope.rawValue) \(kind.rawValue)'", "a \(dialect) grant on 'S.*' always covers existing and future objects: write 'all \(kind.rawValue)'")
            }
            switch kind {
            case .functions, .procedures:
                return unsupported("'all \(kind.rawValue)' alone", "a \(dialect) grant on 'S.*' covers functions and procedures together: write 'all routines'")
            case .sequences where maria:
                return unsupported("'all sequences' alone", "MariaDB sequences are tables: a grant on 'S.*' covers both; write 'all tables'")
            default:
                return []
            }
        case .databaseWideBulk(let kind):
            return unsupported("'all \(kind.rawValue)' without 'in schema'", "a grant on '*.*' reaches every database, the mysql system database included: name each schema ('in schema S')")
        case .publicGrantee(let revoke):
            if maria { return [] }
            return revoke ? [] : unsupported("grants to public", "MySQL has no PUBLIC role; grant to a role and make it a default role, or use mandatory_roles")
        case .unqualifiedObject:
            return unsupported("objects without a schema", "name the \(dialect) database: 'schema.object'")
        case .attribute(let flag):
            switch flag {
            case .login, .bypassrls, .inherit:
                return []
            case .superuser:
                return unsupported("the superuser attribute", "write 'grant all on server with grant option' in a 'dialect \(name)' block")
            case .createdb:
                return unsupported("the createdb attribute", "write 'grant create on server' in a 'dialect \(name)' block")
            case .createrole:
                return unsupported("the createrole attribute", "write 'grant \(maria ? "create user" : "create role, drop role") on server' in a 'dialect \(name)' block")
            case .replication:
                return unsupported("the replication attribute", "write 'grant replication slave on server' in a 'dialect \(name)' block")
            case .noinherit:
                return unsupported("noinherit", "roles act only when active: use 'default role none' and SET ROLE in the session")
            }
        case .connectionLimit(let kind):
            return kind == .role ? unsupported("connection limits on roles", "\(dialect) resource limits belong to user accounts: set it on each user") : []
        case .validUntil:
            return unsupported("'valid until'", "\(dialect) password expiry is relative (PASSWORD EXPIRE INTERVAL n DAY); put it in a 'dialect postgres' block")
        case .host(let host):
            if host.count > 255 { return [.nameTooLong(host, dialect: dialect, limit: "255 characters", at: range)] }
            if host.isEmpty { return [.invalidValue("host ''", at: range, help: "write '%' for any host")] }
            return []
        default:
            return []
        }
    }

    // MARK: passwords

    /// MySQL 8.0: caching_sha2_password, else mysql_native_password; 8.4 disables
    /// mysql_native_password by default. MariaDB 10.11: mysql_native_password.
    public func choosePassword(_ verifiers: [String], at range: SourceRange) -> (String?, [Diagnostic]) {
        let kinds = verifiers.map { ($0, PasswordVerifier.kind(of: $0)) }
        if maria {
            if let native = kinds.first(where: { $0.1 == .mysqlNative }) { return (native.0, []) }
            if let ed25519 = kinds.first(where: { $0.1 == .ed25519 }) { return (ed25519.0, []) }
            return (nil, [.noVerifierFits(dialect: displayName, at: range, accepted: "a mysql_native_password hash ('*' and 40 upper-case hex digits, from PASSWORD('...')) or an ed25519 one (43 base64 characters, as SHOW CREATE USER prints it)")])
        }
        if let sha2 = kinds.first(where: { $0.1 == .cachingSHA2 }) { return (sha2.0, []) }
        if let native = kinds.first(where: { $0.1 == .mysqlNative }) { return (native.0, []) }
        return (nil, [.noVerifierFits(dialect: displayName, at: range, accepted: "a caching_sha2_password hash ('$A$005$...', or its hex as '0x...') or a mysql_native_password hash ('*' and 40 hex digits)")])
    }

    public func render(_ ir: PolicyIR, options: RenderOptions) -> String {
        MySQLRenderer(ir: ir, options: options, dialect: self).render()
    }
}

extension Feature {
    var isInherit: Bool { if case .membershipInherit = self { return true } else { return false } }
}
