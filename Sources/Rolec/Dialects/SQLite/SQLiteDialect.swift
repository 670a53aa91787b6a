/// SQLite 3.40+: no users, roles or GRANT. The backend writes rolec's own catalog
/// (principals, memberships, grants and a view of effective grants) and the
/// RolecSQLite library enforces it through `sqlite3_set_authorizer`. Capability
/// tables, names and profiles live here; the catalog rows in SQLiteCatalog.swift;
/// rendering in SQLiteRenderer.swift. Every decision is explained in dialects/sqlite.md.
public struct SQLiteDialect: Dialect {
    public init() {}

    public let name = "sqlite"
    public let displayName = "SQLite"
    /// The catalog needs STRICT tables (3.37); 3.40 is what the authorizer was verified against.
    public let versions = ["3.40"]
    public let defaultVersion = "3.40"
    /// The authorizer checks privileges when a statement is prepared, so a grant on
    /// all tables of a schema covers the tables created later as well: no default privileges.
    public let futureObjectsNeedDefaultPrivileges = false
    /// No PUBLIC pseudo-role holds anything by itself here.
    public func publicHoldsByDefault(_ privilege: String, on object: IRObject) -> Bool { false }
    public func publicHoldsByDefault(_ privilege: String, onFuture kind: DefaultObjectKind) -> Bool { false }

    static let otherDialects = "a 'dialect postgres, mysql, mariadb { ... }' block"

    static let tableCapabilities: [String: Capability] = [
        "SELECT": .rendered, "INSERT": .rendered, "UPDATE": .rendered, "DELETE": .rendered,
        "TRIGGER": .rendered, "MAINTAIN": .rendered,
        "TRUNCATE": .implied("SQLite has no TRUNCATE: emptying a table is a DELETE, which needs the DELETE privilege"),
        "REFERENCES": .implied("SQLite authorizes no foreign-key declaration; with foreign_keys on, its lookups are reads that need SELECT on the key columns"),
    ]

    static let capabilityTable: [ObjectClass: [String: Capability]] = [
        .database: [
            "CONNECT": .implied("opening an SQLite file is not authorized by SQLite; file permissions decide who can"),
            "TEMPORARY": .rendered,
            "CREATE": .unsupported("an SQLite schema is an attached database, and the authorizer denies ATTACH to every principal; grant 'create on schema main' to let a principal create objects"),
        ],
        .schema: [
            "USAGE": .implied("SQLite schemas (attached databases) need no usage privilege; the authorizer checks the objects"),
            "CREATE": .rendered,
        ],
        .table: tableCapabilities,
        .view: tableCapabilities,
        .column: [
            "SELECT": .rendered, "UPDATE": .rendered,
            "INSERT": .unsupported("SQLite authorizes INSERT per table, not per column: grant insert on the table"),
            "REFERENCES": .implied("SQLite authorizes no foreign-key declaration; with foreign_keys on, its lookups are reads that need SELECT on the key columns"),
        ],
        .sequence: [
            "USAGE": .unsupported(sequenceHint), "SELECT": .unsupported(sequenceHint), "UPDATE": .unsupported(sequenceHint),
        ],
        .function: ["EXECUTE": .unsupported(routineHint)],
        .procedure: ["EXECUTE": .unsupported(routineHint)],
        .server: [:],
    ]

    static let sequenceHint = "SQLite has no sequences (an INTEGER PRIMARY KEY is filled by INSERT on its table); put sequence grants in " + otherDialects
    static let routineHint = "SQLite functions are registered by the application on each connection, without schemas, and the authorizer lets every function run (load_extension excepted); put routine grants in " + otherDialects

    public func privileges(on objectClass: ObjectClass, version: String) -> [String: Capability] {
        SQLiteDialect.capabilityTable[objectClass] ?? [:]
    }

    public let privilegeAliases = ["TEMP": "TEMPORARY"]

    public func builtinRoles(version: String) -> Set<String> { [] }

    static let tableWrite = ["SELECT", "INSERT", "UPDATE", "DELETE"]

    public func expandProfile(_ profile: Profile, version: String, at range: SourceRange) -> ProfileExpansion {
        // Schema USAGE is implied and there are no sequences or routines to grant on:
        // every profile is privileges on all tables of the schema (existing and future).
        switch profile {
        case .readonly:
            return ProfileExpansion(grants: [ProfileGrant(["SELECT"], on: .all(.tables))])
        case .readwrite:
            return ProfileExpansion(grants: [ProfileGrant(SQLiteDialect.tableWrite, on: .all(.tables))])
        case .maintenance:
            return ProfileExpansion(grants: [ProfileGrant(["SELECT", "MAINTAIN"], on: .all(.tables))])
        case .admin:
            return ProfileExpansion(grants: [
                ProfileGrant(["CREATE"], on: .schema),
                ProfileGrant(SQLiteDialect.tableWrite + ["TRIGGER", "MAINTAIN"], on: .all(.tables)),
            ])
        }
    }

    public func checkPrincipalName(_ name: String, created: Bool, at range: SourceRange) -> [Diagnostic] {
        // A principal is a row of rolec_principal: any name the language allows is fine;
        // 'public' (any case), the PUBLIC marker of rolec_grant, is refused by lowering.
        []
    }

    public func checkIdentifier(_ name: String, at range: SourceRange) -> [Diagnostic] {
        // SQLite has no identifier length limit; `"` inside a name is quoted by doubling.
        []
    }

    public func checkFeature(_ feature: Feature, version: String, at range: SourceRange) -> [Diagnostic] {
        func unsupported(_ what: String, _ hint: String) -> [Diagnostic] {
            [.unsupported(what, dialect: displayName, at: range, hint: hint)]
        }
        switch feature {
        case .membershipInherit:
            return [.membershipOptionUnsupported("inherit", target: displayName, at: range,
                                                 hint: "the SQLite catalog follows the member's own 'inherit'/'noinherit' attribute, not per membership")]
        case .membershipSet:
            return [.membershipOptionUnsupported("set", target: displayName, at: range,
                                                 hint: "SQLite has no SET ROLE: a connection acts as one principal with everything it inherits")]
        case .roleSetting:
            return unsupported("role settings", "SQLite has no per-role settings; set PRAGMAs in the application, or put 'set' items in a 'dialect postgres { ... }' block")
        case .bulkScope(let scope, .tables) where scope != .both:
            return unsupported("'all \(scope.rawValue) tables'",
                               "the authorizer checks privileges when a statement is prepared, so 'all tables in schema S' always covers existing and future tables: write 'all tables'")
        case .databaseWideBulk(.tables):
            // Other kinds are refused as objects (`.object`), with their own hint.
            return unsupported("'all tables' without 'in schema'",
                               "an SQLite schema is an attached database ('main', 'temp', ...): name it, for example 'all tables in schema main'")
        case .object(let objectClass):
            switch objectClass {
            case .sequence: return unsupported("sequences", SQLiteDialect.sequenceHint)
            case .function, .procedure: return unsupported("\(objectClass.rawValue)s", SQLiteDialect.routineHint)
            case .server: return unsupported("server-wide privileges", "SQLite has no server: an embedded database is a file; put 'server' grants in " + SQLiteDialect.otherDialects)
            default: return []
            }
        case .attribute(let flag):
            switch flag {
            case .login, .inherit, .noinherit:
                return []
            case .superuser:
                return unsupported("the superuser attribute", "a connection without the authorizer is unrestricted in SQLite; rolec's catalog has no superuser (use the admin profile on a schema)")
            case .createdb:
                return unsupported("the createdb attribute", "SQLite databases are files, created by whoever may create files; put it in " + SQLiteDialect.otherDialects)
            case .createrole:
                return unsupported("the createrole attribute", "principals are rows of rolec's catalog, which no principal may write; put it in " + SQLiteDialect.otherDialects)
            case .replication:
                return unsupported("the replication attribute", "SQLite has no replication; put it in " + SQLiteDialect.otherDialects)
            case .bypassrls:
                return unsupported("the bypassrls attribute", "SQLite has no row-level security; put it in " + SQLiteDialect.otherDialects)
            }
        case .connectionLimit:
            return unsupported("connection limits", "SQLite has no server to count connections; limit them in the application, or put it in " + SQLiteDialect.otherDialects)
        default:
            return []
        }
    }

    /// SQLite has no authentication: no verifier is taken (the renderer notes it).
    public func choosePassword(_ verifiers: [String], at range: SourceRange) -> (String?, [Diagnostic]) {
        (nil, [])
    }

    public func render(_ ir: PolicyIR, options: RenderOptions) -> String {
        SQLiteRenderer(ir: ir, options: options, dialect: self).render()
    }
}
