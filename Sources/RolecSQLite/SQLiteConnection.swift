import CSQLite

/// An error from SQLite (or from RolecSQLite refusing something), with SQLite's
/// result code where there is one.
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// SQLite's extended result code; `SQLITE_AUTH` (23) for a statement the authorizer denied.
    public var code: Int32
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The authorizer denied the statement (`SQLITE_AUTH`, "not authorized").
    public var isDenied: Bool { code & 0xff == SQLITE_AUTH }

    public var description: String { "SQLite error \(code): \(message)" }
}

/// A value read from or bound to a statement.
public enum SQLiteValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var text: String? { if case .text(let s) = self { return s } else { return nil } }
    public var integer: Int64? { if case .integer(let i) = self { return i } else { return nil } }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .text(let s): return "'" + s + "'"
        case .blob(let b): return "blob(\(b.count) bytes)"
        }
    }
}

/// One SQLite connection (`sqlite3 *`), with no authorizer: the trusted side that
/// applies rolec's scripts and reads the catalog back. Not thread-safe; use it from
/// one thread at a time.
public final class SQLiteConnection {
    public let handle: OpaquePointer
    public let path: String
    /// The principal connection whose authorizer is installed on this handle, if any.
    var authorizerOwner: ObjectIdentifier?

    /// Opens (and creates, unless `readOnly`) the database file at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "cannot open \(path): \(message)")
        }
        sqlite3_extended_result_codes(db, 1)
        handle = db
        self.path = path
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// The SQLite library's version, such as "3.40.1".
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    func error(_ code: Int32, context: String? = nil) -> SQLiteError {
        let message = String(cString: sqlite3_errmsg(handle))
        return SQLiteError(code: sqlite3_extended_errcode(handle) != 0 ? sqlite3_extended_errcode(handle) : code,
                           message: context.map { "\($0): \(message)" } ?? message)
    }

    /// Whether a transaction is open.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs every statement of `sql` (no results).
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text)
        }
    }

    /// Applies a rolec script: all of it or, should a statement fail, nothing (the
    /// script's transaction is rolled back).
    public func apply(script: String) throws {
        do {
            try execute(script)
        } catch {
            if inTransaction { try? execute("ROLLBACK;") }
            throw error
        }
    }

    /// Runs one statement and returns its rows.
    public func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        try bind(arguments, to: statement)
        return try rows(of: statement)
    }

    func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            if let statement { sqlite3_finalize(statement) }
            throw rc == SQLITE_OK ? SQLiteError(code: SQLITE_MISUSE, message: "no statement in: \(sql)") : error(rc)
        }
        return statement
    }

    func bind(_ arguments: [SQLiteValue], to statement: OpaquePointer) throws {
        for (index, value) in arguments.enumerated() {
            let i = Int32(index + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, i)
            case .integer(let v): rc = sqlite3_bind_int64(statement, i, v)
            case .real(let v): rc = sqlite3_bind_double(statement, i, v)
            case .text(let v): rc = sqlite3_bind_text(statement, i, v, -1, rolec_sqlite3_transient())
            case .blob(let v):
                rc = v.withUnsafeBytes { sqlite3_bind_blob(statement, i, $0.baseAddress, Int32($0.count), rolec_sqlite3_transient()) }
            }
            if rc != SQLITE_OK { throw error(rc, context: "binding argument \(i)") }
        }
    }

    func rows(of statement: OpaquePointer) throws -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else { throw error(rc) }
            var row: [SQLiteValue] = []
            for column in 0..<sqlite3_column_count(statement) {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: row.append(.real(sqlite3_column_double(statement, column)))
                case SQLITE_TEXT:
                    row.append(sqlite3_column_text(statement, column).map { .text(String(cString: $0)) } ?? .null)
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    if let bytes = sqlite3_column_blob(statement, column), count > 0 {
                        row.append(.blob(Array(UnsafeRawBufferPointer(start: bytes, count: count))))
                    } else {
                        row.append(.blob([]))
                    }
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
    }
}
