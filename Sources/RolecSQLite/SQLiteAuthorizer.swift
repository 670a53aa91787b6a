import CSQLite
import Rolec

/// SQLite compares names without regard to ASCII case: so does the authorizer.
@inline(__always)
func fold(_ s: String) -> String {
    var needs = false
    for b in s.utf8 where b >= 0x41 && b <= 0x5A { needs = true; break }
    guard needs else { return s }
    return String(decoding: s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
}

/// A schema-qualified object name, folded.
struct ObjectKey: Hashable, Sendable {
    var schema: String
    var name: String
    init(_ schema: String, _ name: String) {
        self.schema = fold(schema)
        self.name = fold(name)
    }
}

/// One principal's effective privileges, loaded from `rolec_effective_grant`
/// before the authorizer is installed (the callback never queries).
public struct SQLitePrivileges: Sendable, Equatable {
    /// A row of `rolec_effective_grant` for the principal ('' where the view has NULL).
    public struct Row: Hashable, Sendable {
        public var privilege: String
        public var objectKind: String
        public var schema: String
        public var object: String
        public var column: String
        public init(privilege: String, objectKind: String, schema: String, object: String, column: String) {
            self.privilege = privilege
            self.objectKind = objectKind
            self.schema = schema
            self.object = object
            self.column = column
        }
    }

    /// Privileges on the database (TEMPORARY).
    var database: Set<String> = []
    /// Privileges on a schema (CREATE), by folded schema name.
    var schema: [String: Set<String>] = [:]
    /// Privileges on every table and view of a schema, existing and future.
    var allTables: [String: Set<String>] = [:]
    /// Privileges on one table or view.
    var relation: [ObjectKey: Set<String>] = [:]
    /// Column privileges: table -> privilege -> folded column names.
    var columns: [ObjectKey: [String: Set<String>]] = [:]
    /// Schemas where some table privilege is held (for the internal tables of DDL and ANALYZE).
    var tablePrivilegeSchemas: [String: Set<String>] = [:]

    /// `database`: only database-level rows for this database name count (nil: any;
    /// a file has no name of its own, so a policy's `database D` is the file it is applied to).
    public init(rows: [Row], database: String? = nil) {
        for row in rows {
            let privilege = row.privilege.uppercased()
            switch row.objectKind {
            case "database":
                if database == nil || database == row.object { self.database.insert(privilege) }
            case "schema":
                schema[fold(row.schema), default: []].insert(privilege)
            case "all tables":
                allTables[fold(row.schema), default: []].insert(privilege)
                tablePrivilegeSchemas[fold(row.schema), default: []].insert(privilege)
            case "table", "view":
                let key = ObjectKey(row.schema, row.object)
                if row.column.isEmpty {
                    relation[key, default: []].insert(privilege)
                } else {
                    columns[key, default: [:]][privilege, default: []].insert(fold(row.column))
                }
                tablePrivilegeSchemas[key.schema, default: []].insert(privilege)
            default:
                break   // a kind this version does not know grants nothing
            }
        }
    }

    public var temporary: Bool { database.contains("TEMPORARY") }

    func onSchema(_ privilege: String, _ schemaName: String) -> Bool {
        schema[fold(schemaName)]?.contains(privilege) ?? false
    }

    /// On the whole table (directly or through all tables of its schema).
    func onTable(_ privilege: String, _ key: ObjectKey) -> Bool {
        (allTables[key.schema]?.contains(privilege) ?? false) || (relation[key]?.contains(privilege) ?? false)
    }

    func onColumn(_ privilege: String, _ key: ObjectKey, _ column: String) -> Bool {
        onTable(privilege, key) || (columns[key]?[privilege]?.contains(fold(column)) ?? false)
    }

    /// On the table or on at least one of its columns.
    func onTableOrAnyColumn(_ privilege: String, _ key: ObjectKey) -> Bool {
        onTable(privilege, key) || !(columns[key]?[privilege]?.isEmpty ?? true)
    }

    /// On some table of the schema.
    func somewhere(_ privilege: String, inSchema schemaName: String) -> Bool {
        tablePrivilegeSchemas[fold(schemaName)]?.contains(privilege) ?? false
    }
}

/// What the authorizer needs to know about the database's schema, read (by the
/// connection wrapper, outside the callback) whenever a schema's version changes.
public struct SQLiteSchemaSnapshot: Sendable, Equatable {
    /// Unqualified names are looked up in this order: temp, main, then attached databases.
    var searchOrder: [String] = ["temp", "main"]
    var relations: Set<ObjectKey> = []
    var views: Set<ObjectKey> = []
    /// Tables with an `ON CONFLICT REPLACE` constraint: any INSERT or UPDATE may delete rows.
    var replacingTables: Set<ObjectKey> = []
    var triggers: Set<String> = []
    /// Triggers whose body may REPLACE (folded names; the callback does not say the schema).
    var replacingTriggers: Set<String> = []
    /// Index -> its table.
    var indexTables: [ObjectKey: String] = [:]
    /// schema_version of each schema when read.
    var versions: [String: Int64] = [:]

    public init() {}

    /// One object of `sqlite_master` (`type`, `name`, `tbl_name`, `sql`) of a schema.
    mutating func add(schema: String, type: String, name: String, table: String, sql: String?) {
        let key = ObjectKey(schema, name)
        switch type {
        case "table":
            relations.insert(key)
            if let sql, SQLiteSchemaSnapshot.hasReplaceConstraint(sql) { replacingTables.insert(key) }
        case "view":
            relations.insert(key)
            views.insert(key)
        case "trigger":
            triggers.insert(fold(name))
            if let sql, SQLTokens.mayReplace(sql) { replacingTriggers.insert(fold(name)) }
        case "index":
            indexTables[key] = fold(table)
        default:
            break
        }
    }

    /// `ON CONFLICT REPLACE` anywhere in a CREATE TABLE statement.
    static func hasReplaceConstraint(_ sql: String) -> Bool {
        let words = SQLTokens.tokens(Array(sql.utf8))
        guard words.count >= 3 else { return false }
        for k in 2..<words.count where words[k].text == "REPLACE" && words[k - 1].text == "CONFLICT" && words[k - 2].text == "ON" {
            return true
        }
        return false
    }

    /// The schema an unqualified table name refers to, if the snapshot knows it.
    func resolve(_ table: String) -> String? {
        searchOrder.first { relations.contains(ObjectKey($0, table)) }
    }
}

/// The decision for every action SQLite asks about while it prepares a statement
/// of a connection acting as one principal. Pure: no SQLite calls, so it can be
/// tested without a database. Everything not granted is denied with SQLITE_DENY
/// (SQLITE_IGNORE would not stop a DELETE and would turn unreadable columns into NULLs).
public struct SQLiteAuthorizer: Sendable {
    public let principal: String
    public var privileges: SQLitePrivileges
    public var snapshot: SQLiteSchemaSnapshot

    /// True while the wrapper runs its own bookkeeping queries (never user SQL).
    var trusted = false
    /// The statement being prepared may REPLACE (a REPLACE keyword in its text).
    var statementMayReplace = false
    /// The statement's text names rolec's catalog (a trigger body is not authorized when
    /// the trigger is created, so a trigger that mentions the catalog is refused outright).
    var statementMentionsCatalog = false
    /// Objects this statement creates or drops: SQLite's own writes to them are part of that DDL.
    var touched: Set<ObjectKey> = []
    /// Why the last denial happened, for the error message.
    public private(set) var lastDenial: String?

    public init(principal: String, privileges: SQLitePrivileges, snapshot: SQLiteSchemaSnapshot = SQLiteSchemaSnapshot()) {
        self.principal = principal
        self.privileges = privileges
        self.snapshot = snapshot
    }

    /// Resets the per-statement state before a statement is prepared.
    public mutating func beginStatement(mayReplace: Bool, mentionsCatalog: Bool = false) {
        statementMayReplace = mayReplace
        statementMentionsCatalog = mentionsCatalog
        touched = []
        lastDenial = nil
    }

    static let masterTables: Set<String> = ["sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"]
    static let statTables: Set<String> = ["sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"]
    /// Table-valued functions anyone may read (eponymous virtual tables without data of their own).
    static let readableFunctions: Set<String> = ["json_each", "json_tree"]
    /// PRAGMAs that only report, whatever their argument.
    static let reportingPragmas: Set<String> = [
        "table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list", "foreign_key_list",
        "collation_list", "function_list", "module_list", "pragma_list", "database_list", "compile_options", "data_version",
    ]
    /// PRAGMAs allowed as queries only (no argument: setting them is denied).
    static let queryPragmas: Set<String> = [
        "schema_version", "user_version", "application_id", "encoding", "foreign_keys", "query_only", "page_size",
        "page_count", "freelist_count", "journal_mode", "synchronous", "recursive_triggers", "busy_timeout",
    ]
    /// Functions no principal may call.
    static let deniedFunctions: Set<String> = ["load_extension"]

    static func isCatalog(_ name: String?) -> Bool { name.map { SQLiteCatalog.objectNames.contains(fold($0)) } ?? false }

    func mayRunDDL(in schemaName: String) -> Bool {
        privileges.onSchema("CREATE", schemaName) || privileges.temporary
            || privileges.somewhere("TRIGGER", inSchema: schemaName) || privileges.somewhere("MAINTAIN", inSchema: schemaName)
    }

    /// An INSERT or UPDATE of this table, in this statement, may delete conflicting rows.
    func mayReplace(_ key: ObjectKey, inner: String?) -> Bool {
        if statementMayReplace || snapshot.replacingTables.contains(key) { return true }
        guard let inner = inner.map(fold) else { return false }
        // Inside a trigger (or a view's INSTEAD OF trigger): its body may REPLACE;
        // a trigger the snapshot does not know is assumed to.
        return snapshot.replacingTriggers.contains(inner) || !(snapshot.triggers.contains(inner) || snapshot.views.contains(ObjectKey(key.schema, inner)))
    }

    mutating func allow() -> Int32 { SQLITE_OK }

    mutating func deny(_ why: String) -> Int32 {
        lastDenial = "\(why) (principal \(principal))"
        return SQLITE_DENY
    }

    static func describe(_ schema: String?, _ name: String?) -> String {
        [schema, name].compactMap { $0 }.joined(separator: ".")
    }

    /// The authorizer callback's decision: SQLITE_OK or SQLITE_DENY.
    public mutating func authorize(_ action: Int32, _ arg3: String?, _ arg4: String?, _ database: String?, _ inner: String?) -> Int32 {
        if trusted { return SQLITE_OK }
        let temporary = privileges.temporary
        switch action {
        case SQLITE_SELECT, SQLITE_RECURSIVE, SQLITE_TRANSACTION, SQLITE_SAVEPOINT:
            return allow()

        case SQLITE_FUNCTION:
            let name = fold(arg4 ?? "")
            return SQLiteAuthorizer.deniedFunctions.contains(name) ? deny("calling \(name)()") : allow()

        case SQLITE_ATTACH, SQLITE_DETACH:
            // VACUUM and VACUUM INTO arrive as ATTACH too.
            return deny(action == SQLITE_ATTACH ? "ATTACH (also VACUUM)" : "DETACH")

        case SQLITE_PRAGMA:
            let name = fold(arg3 ?? "")
            if SQLiteAuthorizer.reportingPragmas.contains(name) { return allow() }
            if arg4 == nil && SQLiteAuthorizer.queryPragmas.contains(name) { return allow() }
            return deny("PRAGMA \(name)" + (arg4.map { " = \($0)" } ?? ""))

        case SQLITE_READ:
            guard let table = arg3 else { return deny("reading an unnamed table") }
            let folded = fold(table)
            if SQLiteAuthorizer.masterTables.contains(folded) || SQLiteAuthorizer.isCatalog(folded) { return allow() }
            // `SELECT count(*) FROM t` reports the table without a schema.
            let schemaName: String
            if let database {
                schemaName = database
            } else if let found = snapshot.resolve(table) {
                schemaName = found
            } else if temporary {
                return allow()   // not in the snapshot: a temporary table of this connection
            } else {
                return deny("SELECT on \(table)")
            }
            let key = ObjectKey(schemaName, table)
            if SQLiteAuthorizer.statTables.contains(folded) {
                return mayRunDDL(in: schemaName) ? allow() : deny("reading \(folded)")
            }
            if SQLiteAuthorizer.readableFunctions.contains(folded) && !snapshot.relations.contains(key) { return allow() }
            if folded.hasPrefix("pragma_") && !snapshot.relations.contains(key) {
                let pragma = String(folded.dropFirst("pragma_".count))
                return SQLiteAuthorizer.reportingPragmas.contains(pragma) ? allow() : deny("PRAGMA \(pragma)")
            }
            if key.schema == "temp" && temporary { return allow() }
            if touched.contains(key) { return allow() }
            // Through a view: the view's privilege decides (the base tables' own grants are
            // not needed), for a view that existed when the schema was last read, outside
            // temp, in a schema where the principal cannot create views itself.
            if let view = inner, snapshot.views.contains(ObjectKey(key.schema, view)), key.schema != "temp",
               !privileges.onSchema("CREATE", key.schema), privileges.onTableOrAnyColumn("SELECT", ObjectKey(key.schema, view)) {
                return allow()
            }
            let column = arg4 ?? ""
            if column.isEmpty {
                return privileges.onTableOrAnyColumn("SELECT", key) ? allow() : deny("SELECT on \(SQLiteAuthorizer.describe(schemaName, table))")
            }
            return privileges.onColumn("SELECT", key, column) ? allow()
                : deny("SELECT on column \(column) of \(SQLiteAuthorizer.describe(schemaName, table))")

        case SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE:
            guard let table = arg3 else { return deny("writing an unnamed table") }
            let schemaName = database ?? "main"
            let folded = fold(table)
            let verb = action == SQLITE_INSERT ? "INSERT" : action == SQLITE_UPDATE ? "UPDATE" : "DELETE"
            if SQLiteAuthorizer.isCatalog(folded) { return deny("\(verb) on rolec's catalog table \(table): no principal may write it") }
            if SQLiteAuthorizer.masterTables.contains(folded) || SQLiteAuthorizer.statTables.contains(folded) {
                // SQLite's own bookkeeping for DDL (direct writes are refused by SQLite in defensive mode).
                return mayRunDDL(in: schemaName) ? allow() : deny("\(verb) on \(folded)")
            }
            let key = ObjectKey(schemaName, table)
            if key.schema == "temp" && temporary { return allow() }
            if touched.contains(key) { return allow() }
            let described = SQLiteAuthorizer.describe(schemaName, table)
            switch action {
            case SQLITE_INSERT:
                guard privileges.onTable("INSERT", key) else { return deny("INSERT on \(described)") }
            case SQLITE_UPDATE:
                guard privileges.onColumn("UPDATE", key, arg4 ?? "") else { return deny("UPDATE of column \(arg4 ?? "?") of \(described)") }
            default:
                return privileges.onTable("DELETE", key) ? allow() : deny("DELETE on \(described)")
            }
            if mayReplace(key, inner: inner) && !privileges.onTable("DELETE", key) {
                return deny("\(verb) that may REPLACE (delete) rows of \(described) without DELETE")
            }
            return allow()

        case SQLITE_CREATE_TABLE, SQLITE_CREATE_VIEW, SQLITE_CREATE_VTABLE:
            let schemaName = database ?? "main"
            guard let name = arg3, !SQLiteAuthorizer.isCatalog(name) else { return deny("creating \(arg3 ?? "?"): a catalog name") }
            let key = ObjectKey(schemaName, name)
            if action == SQLITE_CREATE_TABLE && SQLiteAuthorizer.statTables.contains(key.name) && mayRunDDL(in: schemaName) {
                touched.insert(key)
                return allow()   // ANALYZE creates sqlite_stat1
            }
            guard privileges.onSchema("CREATE", schemaName) else { return deny("CREATE in schema \(schemaName)") }
            touched.insert(key)
            return allow()

        case SQLITE_CREATE_INDEX:
            let schemaName = database ?? "main"
            if SQLiteAuthorizer.isCatalog(arg3) || SQLiteAuthorizer.isCatalog(arg4) { return deny("an index on rolec's catalog") }
            return privileges.onSchema("CREATE", schemaName) ? allow() : deny("CREATE INDEX in schema \(schemaName)")

        case SQLITE_CREATE_TRIGGER:
            let schemaName = database ?? "main"
            if SQLiteAuthorizer.isCatalog(arg3) || SQLiteAuthorizer.isCatalog(arg4) { return deny("a trigger on rolec's catalog") }
            // Its body runs later, as whoever fires it, perhaps a trusted connection without the authorizer.
            if statementMentionsCatalog { return deny("a trigger whose text names rolec's catalog") }
            if privileges.onSchema("CREATE", schemaName) { return allow() }
            if let table = arg4, privileges.onTable("TRIGGER", ObjectKey(schemaName, table)) { return allow() }
            return deny("CREATE TRIGGER on \(SQLiteAuthorizer.describe(schemaName, arg4))")

        case SQLITE_CREATE_TEMP_TABLE, SQLITE_CREATE_TEMP_VIEW, SQLITE_CREATE_TEMP_INDEX, SQLITE_CREATE_TEMP_TRIGGER:
            // A temporary trigger fires in this connection only, as this principal: its body is checked as usual.
            if SQLiteAuthorizer.isCatalog(arg3) || SQLiteAuthorizer.isCatalog(arg4) { return deny("a temporary object named like rolec's catalog") }
            if action == SQLITE_CREATE_TEMP_TRIGGER && statementMentionsCatalog { return deny("a trigger whose text names rolec's catalog") }
            guard temporary else { return deny("creating temporary objects (TEMPORARY)") }
            if let name = arg3 { touched.insert(ObjectKey("temp", name)) }
            return allow()

        case SQLITE_DROP_TEMP_TABLE, SQLITE_DROP_TEMP_VIEW, SQLITE_DROP_TEMP_INDEX, SQLITE_DROP_TEMP_TRIGGER:
            guard temporary else { return deny("dropping temporary objects (TEMPORARY)") }
            if let name = arg3 { touched.insert(ObjectKey("temp", name)) }
            return allow()

        case SQLITE_DROP_TABLE, SQLITE_DROP_VIEW, SQLITE_DROP_VTABLE, SQLITE_DROP_INDEX:
            let schemaName = database ?? "main"
            if SQLiteAuthorizer.isCatalog(arg3) || (action == SQLITE_DROP_INDEX && SQLiteAuthorizer.isCatalog(arg4)) {
                return deny("dropping part of rolec's catalog")
            }
            guard privileges.onSchema("CREATE", schemaName) else { return deny("DROP in schema \(schemaName) (needs CREATE on it)") }
            if let name = arg3 { touched.insert(ObjectKey(schemaName, name)) }
            return allow()

        case SQLITE_DROP_TRIGGER:
            let schemaName = database ?? "main"
            if SQLiteAuthorizer.isCatalog(arg4) { return deny("dropping a trigger of rolec's catalog") }
            if privileges.onSchema("CREATE", schemaName) { return allow() }
            if let table = arg4, privileges.onTable("TRIGGER", ObjectKey(schemaName, table)) { return allow() }
            return deny("DROP TRIGGER on \(SQLiteAuthorizer.describe(schemaName, arg4))")

        case SQLITE_ALTER_TABLE:
            // arg3 is the schema, arg4 the table.
            let schemaName = arg3 ?? "main"
            if SQLiteAuthorizer.isCatalog(arg4) { return deny("altering rolec's catalog") }
            if fold(schemaName) == "temp" && temporary { return allow() }
            return privileges.onSchema("CREATE", schemaName) ? allow() : deny("ALTER TABLE in schema \(schemaName) (needs CREATE on it)")

        case SQLITE_ANALYZE:
            let schemaName = database ?? "main"
            guard let table = arg3 else { return deny("ANALYZE") }
            let key = ObjectKey(schemaName, table)
            if key.schema == "temp" && temporary { return allow() }
            return privileges.onTable("MAINTAIN", key) ? allow() : deny("ANALYZE of \(SQLiteAuthorizer.describe(schemaName, table)) (needs MAINTAIN)")

        case SQLITE_REINDEX:
            let schemaName = database ?? "main"
            if privileges.onSchema("CREATE", schemaName) { return allow() }
            if fold(schemaName) == "temp" && temporary { return allow() }
            if let index = arg3, let table = snapshot.indexTables[ObjectKey(schemaName, index)],
               privileges.onTable("MAINTAIN", ObjectKey(schemaName, table)) {
                return allow()
            }
            return deny("REINDEX of \(SQLiteAuthorizer.describe(schemaName, arg3)) (needs MAINTAIN on its table)")

        default:
            return deny("action \(action)")
        }
    }
}
