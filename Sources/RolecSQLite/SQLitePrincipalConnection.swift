import CSQLite
import Rolec

/// `"name"` with `"` doubled.
func quoteIdentifier(_ name: String) -> String {
    var out = "\""
    for c in name { out += c == "\"" ? "\"\"" : String(c) }
    return out + "\""
}

/// Holds the authorizer for the C callback (which gets it back through its user-data pointer).
final class AuthorizerBox {
    var authorizer: SQLiteAuthorizer
    init(_ authorizer: SQLiteAuthorizer) { self.authorizer = authorizer }
}

/// The callback installed with `sqlite3_set_authorizer`: no captures, no queries.
private let authorizerCallback: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                                UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = { user, action, a3, a4, a5, a6 in
    guard let user else { return SQLITE_DENY }
    let box = Unmanaged<AuthorizerBox>.fromOpaque(user).takeUnretainedValue()
    return box.authorizer.authorize(action, a3.map { String(cString: $0) }, a4.map { String(cString: $0) },
                                    a5.map { String(cString: $0) }, a6.map { String(cString: $0) })
}

/// A connection acting as one principal of rolec's catalog: every statement it
/// prepares is checked by `SQLiteAuthorizer` against that principal's effective
/// privileges. Hand untrusted code this object, never the underlying
/// `SQLiteConnection` (which is unrestricted, and unrestricted again after `close()`).
/// Not thread-safe.
public final class SQLitePrincipalConnection {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case noCatalog
        case unknownPrincipal(String)
        case noLogin(String)
        case expired(String, validUntil: String)
        /// Another principal connection is open on the same SQLiteConnection (one authorizer per connection).
        case connectionInUse

        public var description: String {
            switch self {
            case .noCatalog: return "the database has no rolec catalog (apply a script compiled with --dialect sqlite first)"
            case .unknownPrincipal(let name): return "no principal '\(name)' in rolec's catalog"
            case .noLogin(let name): return "principal '\(name)' cannot log in (a role, or a user with login off)"
            case .expired(let name, let until): return "principal '\(name)' is valid until '\(until)', which has passed or is not a date SQLite reads"
            case .connectionInUse: return "the connection already acts as a principal: close that principal connection first, or open another SQLiteConnection"
            }
        }
    }

    public let connection: SQLiteConnection
    public let principal: String
    let box: AuthorizerBox
    private var installed = false

    /// Loads the principal's effective privileges and the schema snapshot, turns on
    /// SQLite's defensive mode (no writable_schema, no direct writes to SQLite's own
    /// tables), then installs the authorizer. `database`: the policy's name for this
    /// file, if database-level grants should count only under that name.
    public init(connection: SQLiteConnection, principal: String, database: String? = nil) throws {
        self.connection = connection
        self.principal = principal
        guard connection.authorizerOwner == nil else { throw Refusal.connectionInUse }
        guard try connection.hasCatalog() else { throw Refusal.noCatalog }
        let rows = try connection.query("""
            SELECT "kind", "login", "valid_until",
                   CASE WHEN "valid_until" IS NULL OR "valid_until" = 'infinity' THEN 1
                        WHEN julianday("valid_until") > julianday('now') THEN 1 ELSE 0 END
            FROM "main"."rolec_principal" WHERE "name" = ?
            """, [.text(principal)])
        guard let row = rows.first else { throw Refusal.unknownPrincipal(principal) }
        let login = row[1].integer.map { $0 == 1 } ?? (row[0].text == "user")
        guard login else { throw Refusal.noLogin(principal) }
        guard row[3].integer == 1 else { throw Refusal.expired(principal, validUntil: row[2].text ?? "") }
        let privileges = SQLitePrivileges(rows: try connection.effectiveGrants(of: principal), database: database)
        let rc = rolec_sqlite3_db_config_int(connection.handle, SQLITE_DBCONFIG_DEFENSIVE, 1, nil)
        guard rc == SQLITE_OK else { throw connection.error(rc, context: "enabling defensive mode") }
        try connection.execute("PRAGMA writable_schema = OFF;")
        box = AuthorizerBox(SQLiteAuthorizer(principal: principal, privileges: privileges, snapshot: try SQLitePrincipalConnection.snapshot(of: connection)))
        let installRC = sqlite3_set_authorizer(connection.handle, authorizerCallback, Unmanaged.passUnretained(box).toOpaque())
        guard installRC == SQLITE_OK else { throw connection.error(installRC, context: "installing the authorizer") }
        installed = true
        connection.authorizerOwner = ObjectIdentifier(self)
    }

    deinit { close() }

    /// Removes the authorizer: the connection is unrestricted again. While a principal
    /// connection is open, every statement on the underlying connection is checked too.
    public func close() {
        guard installed else { return }
        if connection.authorizerOwner == ObjectIdentifier(self) {
            sqlite3_set_authorizer(connection.handle, nil, nil)
            connection.authorizerOwner = nil
        }
        installed = false
    }

    public var privileges: SQLitePrivileges { box.authorizer.privileges }

    // MARK: schema snapshot

    static func snapshot(of connection: SQLiteConnection) throws -> SQLiteSchemaSnapshot {
        var snapshot = SQLiteSchemaSnapshot()
        let schemas = try connection.query("PRAGMA database_list").compactMap { $0.count > 1 ? $0[1].text : nil }
        snapshot.searchOrder = ["temp", "main"] + schemas.filter { fold($0) != "temp" && fold($0) != "main" }
        for schema in snapshot.searchOrder {
            let quoted = quoteIdentifier(schema)
            let version = try connection.query("PRAGMA \(quoted).schema_version").first?.first?.integer ?? 0
            snapshot.versions[fold(schema)] = version
            for r in try connection.query("SELECT \"type\", \"name\", \"tbl_name\", \"sql\" FROM \(quoted).\"sqlite_master\"") {
                snapshot.add(schema: schema, type: r[0].text ?? "", name: r[1].text ?? "", table: r[2].text ?? "", sql: r[3].text)
            }
        }
        return snapshot
    }

    /// Re-reads the schema snapshot when some schema's version changed (another
    /// connection, or this one, ran DDL). Runs trusted: it is the wrapper's own SQL.
    func refreshSnapshot() throws {
        box.authorizer.trusted = true
        defer { box.authorizer.trusted = false }
        var changed = false
        let schemas = try connection.query("PRAGMA database_list").compactMap { $0.count > 1 ? $0[1].text : nil }
        if Set(schemas.map(fold)).union(["temp", "main"]) != Set(box.authorizer.snapshot.searchOrder.map(fold)) { changed = true }
        if !changed {
            for schema in box.authorizer.snapshot.searchOrder {
                let quoted = quoteIdentifier(schema)
                let version = try connection.query("PRAGMA \(quoted).schema_version").first?.first?.integer ?? 0
                if box.authorizer.snapshot.versions[fold(schema)] != version { changed = true; break }
            }
        }
        if changed { box.authorizer.snapshot = try SQLitePrincipalConnection.snapshot(of: connection) }
    }

    // MARK: statements

    /// Prepares the statement at `offset` of `bytes` under the authorizer; nil at the end of the text.
    func prepareNext(_ bytes: [UInt8], from offset: Int) throws -> (statement: OpaquePointer?, next: Int) {
        let end = SQLTokens.statementEnd(bytes, from: offset)
        let tokens = SQLTokens.tokens(bytes, from: offset, to: end)
        if tokens.allSatisfy({ $0.kind == .punctuation && $0.text == ";" }) { return (nil, end) }
        try refreshSnapshot()
        box.authorizer.beginStatement(mayReplace: SQLTokens.mayReplace(tokens),
                                      mentionsCatalog: SQLTokens.mentions(tokens, anyOf: SQLiteCatalog.objectNames))
        let text = Array(bytes[offset..<end])
        var statement: OpaquePointer?
        var consumed = 0
        let rc = text.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return SQLITE_MISUSE }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { start in
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(connection.handle, start, Int32(buffer.count), &statement, &tail)
                if let tail { consumed = start.distance(to: tail) }
                return rc
            }
        }
        guard rc == SQLITE_OK else {
            if let statement { sqlite3_finalize(statement) }
            let denial = box.authorizer.lastDenial
            throw SQLiteError(code: sqlite3_extended_errcode(connection.handle),
                              message: String(cString: sqlite3_errmsg(connection.handle)) + (denial.map { ": \($0)" } ?? ""))
        }
        // The text after the statement must be empty: otherwise the REPLACE check looked at
        // more (or less) than SQLite prepared, and the statement is refused.
        if SQLTokens.tokens(text, from: consumed).contains(where: { !($0.kind == .punctuation && $0.text == ";") }) {
            if let statement { sqlite3_finalize(statement) }
            throw SQLiteError(code: SQLITE_AUTH, message: "not authorized: statement boundary mismatch")
        }
        return (statement, end)
    }

    /// Runs every statement of `sql` as the principal.
    public func execute(_ sql: String) throws {
        let bytes = Array(sql.utf8)
        var offset = 0
        while offset < bytes.count {
            let (statement, next) = try prepareNext(bytes, from: offset)
            offset = next
            guard let statement else { continue }
            defer { sqlite3_finalize(statement) }
            _ = try run(statement)
        }
    }

    /// Runs one statement as the principal and returns its rows.
    public func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let bytes = Array(sql.utf8)
        let (statement, next) = try prepareNext(bytes, from: 0)
        guard let statement else { return [] }
        defer { sqlite3_finalize(statement) }
        if SQLTokens.tokens(bytes, from: next).contains(where: { !($0.kind == .punctuation && $0.text == ";") }) {
            throw SQLiteError(code: SQLITE_MISUSE, message: "query() runs one statement; use execute() for several")
        }
        try connection.bind(arguments, to: statement)
        return try run(statement)
    }

    func run(_ statement: OpaquePointer) throws -> [[SQLiteValue]] {
        do {
            return try connection.rows(of: statement)
        } catch var error as SQLiteError {
            // A statement SQLite re-prepares after a schema change is authorized again.
            if error.isDenied, let denial = box.authorizer.lastDenial { error.message += ": \(denial)" }
            throw error
        }
    }
}
