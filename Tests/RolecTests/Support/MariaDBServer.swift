// Test support for live MariaDB tests.
//
// `scripts/test` starts a throwaway MariaDB server (Debian's 10.11) and exports:
//
//   ROLEC_MARIADB_PORT    TCP port; the server listens on 127.0.0.1 only and runs
//                         with --skip-name-resolve (a TCP login is 'u'@'127.0.0.1'
//                         to the server: it matches accounts 'u'@'%' and 'u'@'127.0.0.1',
//                         not 'u'@'localhost')
//   ROLEC_MARIADB_SOCKET  unix socket path (mariadb --socket)
//   ROLEC_MARIADB_BIN     directory containing the `mariadb` client
//   ROLEC_REQUIRE_LIVE    "1" under CI: a missing server is then a test failure
//
// Superuser root@localhost without a password over the socket. Accounts and roles
// are server-wide, so live MariaDB tests nest in `LiveServerTests` (serialized):
//
//     extension LiveServerTests {
//         @Suite struct MyMariaDBTests {
//             @Test(.requiresMariaDB) func grants() throws {
//                 guard let server = liveMariaDBOrSkip() else { return }
//                 try server.resetAccounts()
//                 ...
//             }
//         }
//     }

import Foundation
import Testing

/// The running MariaDB server described by the `ROLEC_MARIADB_*` environment.
struct MariaDBServer: Sendable, CustomStringConvertible {
    let port: Int
    /// Unix socket path of the server (root logs in here).
    let socket: String
    /// Directory containing the `mariadb` client.
    let binDirectory: String

    var clientPath: String { binDirectory + "/mariadb" }

    var description: String { "MariaDB (\(socket), 127.0.0.1:\(port))" }

    /// Databases every server has: never dropped by `resetAccounts`.
    static let systemDatabases: Set<String> = ["mysql", "information_schema", "performance_schema", "sys"]

    /// The server exported by scripts/test, or nil when the variables are missing
    /// or the client is not executable.
    static func fromEnvironment() -> MariaDBServer? {
        let env = ProcessInfo.processInfo.environment
        guard let portText = env["ROLEC_MARIADB_PORT"], let port = Int(portText), port > 0,
              let socket = env["ROLEC_MARIADB_SOCKET"], !socket.isEmpty,
              let bin = env["ROLEC_MARIADB_BIN"], !bin.isEmpty,
              FileManager.default.isExecutableFile(atPath: bin + "/mariadb")
        else { return nil }
        return MariaDBServer(port: port, socket: socket, binDirectory: bin)
    }

    /// True when ROLEC_REQUIRE_LIVE=1 (set by scripts/test under CI=true).
    static var requireLive: Bool { PostgresServer.requireLive }

    // MARK: - Running SQL as root

    /// Runs `sql` (any number of statements, `DELIMITER` blocks included: it is
    /// fed to the mariadb client on stdin) as root over the socket, in batch mode
    /// (`-N -B`: no column names, tab-separated, one row per line), and returns
    /// stdout without the trailing newline. The first failing statement stops the
    /// client; then `MariaDBError` (with stderr and the server's error code) is thrown.
    /// In batch output NULL reads `NULL`, and tab, newline, backslash and NUL in values
    /// are escaped (`\t`, `\n`, `\\`, `\0`): use `rows` or `jsonRows` to get values back.
    @discardableResult
    func sql(_ sql: String, database: String? = nil) throws -> String {
        try run(sql, database: database).stdout
    }

    /// Like `sql`, but returns stderr too; `showWarnings` adds the client's
    /// `--show-warnings` (notes and warnings after each statement, on stdout as
    /// `Note (Code 1973): ...` / `Warning (Code ...): ...` lines).
    func run(_ sql: String, database: String? = nil, showWarnings: Bool = false, raw: Bool = false) throws -> MariaDBRun {
        var arguments = ["--no-defaults", "--user=root", "--socket=\(socket)"]
        arguments += Self.commonArguments(database: database)
        if showWarnings { arguments.append("--show-warnings") }
        if raw { arguments.append("--raw") }
        return try Self.runClient(clientPath, arguments: arguments, sql: sql, who: "root", server: description)
    }

    /// The rows of a query's batch output, split on tabs, with the client's escapes
    /// (`\t`, `\n`, `\\`, `\0`) undone. NULL and the string 'NULL' both read `NULL`;
    /// select `JSON_ARRAY(...)` and use `jsonRows` where that matters.
    func rows(_ sql: String, database: String? = nil) throws -> [[String]] {
        let output = try run(sql, database: database).stdout
        guard !output.isEmpty else { return [] }
        return output.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map { Self.unescapeBatchField(String($0)) }
        }
    }

    /// Runs a query whose every result row is one `JSON_ARRAY(...)` of scalars and
    /// returns the arrays as string lists (exact values; JSON null becomes "NULL",
    /// numbers their decimal text). Uses `--raw`, so the JSON text is not re-escaped.
    func jsonRows(_ sql: String, database: String? = nil) throws -> [[String]] {
        let output = try run(sql, database: database, raw: true).stdout
        var rows: [[String]] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let data = line.data(using: .utf8),
                  let array = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [Any]
            else { throw MariaDBError(server: description, user: "root", sql: sql, status: 0, stdout: output,
                                      stderr: "not a JSON array row: \(line)") }
            rows.append(array.map { value in
                switch value {
                case is NSNull: return "NULL"
                case let s as String: return s
                case let n as NSNumber: return n.stringValue
                default: return "\(value)"
                }
            })
        }
        return rows
    }

    // MARK: - Accounts and databases

    /// Accounts `resetAccounts` keeps: what `mariadb-install-db
    /// --auth-root-authentication-method=normal --skip-test-db` creates.
    static let keptAccountsCondition = """
        ((User = 'root' AND Host IN ('localhost', '127.0.0.1', '::1', LOWER(@@hostname)))
         OR (User = 'mariadb.sys' AND Host = 'localhost'))
        """

    /// Brings the server back to its freshly installed state: drops every role and
    /// every user except root@{localhost,127.0.0.1,::1,hostname} and
    /// mariadb.sys@localhost, empties PUBLIC (`REVOKE ALL PRIVILEGES, GRANT OPTION
    /// FROM PUBLIC` once it exists) and deletes its row (it cannot be dropped; after
    /// FLUSH PRIVILEGES it is gone as on a fresh server), deletes
    /// grant rows left for accounts that do not exist (dangling `WITH ADMIN`
    /// rows, ...), drops every non-system database, and reloads the grant tables.
    func resetAccounts() throws {
        let accounts = try jsonRows("""
            SELECT JSON_ARRAY(User, Host, IF(IFNULL(JSON_VALUE(Priv, '$.is_role'), 'false') IN ('true', '1'), 'role', 'user'))
            FROM mysql.global_priv WHERE NOT \(Self.keptAccountsCondition) ORDER BY User, Host;
            """)
        var statements: [String] = []
        var hasPublic = false
        for account in accounts where account.count == 3 {
            let (user, host, isRole) = (account[0], account[1], account[2] == "role")
            if user == "PUBLIC" && host.isEmpty {
                hasPublic = true
            } else if isRole && host.isEmpty {
                statements.append("DROP ROLE IF EXISTS \(Self.quoteIdentifier(user));")
            } else {
                statements.append("DROP USER IF EXISTS \(Self.account(user, host));")
            }
        }
        if hasPublic {
            // Then PUBLIC's row goes too: with FLUSH PRIVILEGES the server is as freshly
            // installed, where PUBLIC does not exist until its first grant (a REVOKE ...
            // FROM PUBLIC then fails with 1959; the next GRANT ... TO PUBLIC creates it).
            statements.append("REVOKE ALL PRIVILEGES, GRANT OPTION FROM PUBLIC;")
            statements.append("DELETE FROM mysql.global_priv WHERE User = 'PUBLIC' AND Host = '';")
        }
        // Rows that no DROP reaches: grants to accounts that do not exist.
        let kept = "(User, Host) IN (SELECT User, Host FROM mysql.global_priv)"
        for table in ["db", "tables_priv", "columns_priv", "procs_priv", "proxies_priv"] {
            statements.append("DELETE FROM mysql.\(table) WHERE NOT \(kept) OR (User = 'PUBLIC' AND Host = '');")
        }
        statements.append("DELETE FROM mysql.roles_mapping WHERE NOT \(kept) OR Role NOT IN (SELECT User FROM mysql.global_priv WHERE Host = '');")
        statements.append("FLUSH PRIVILEGES;")
        for database in try databaseNames() where !Self.systemDatabases.contains(database) {
            statements.append("DROP DATABASE IF EXISTS \(Self.quoteIdentifier(database));")
        }
        try sql(statements.joined(separator: "\n"))
    }

    /// Drops `name` if it exists and creates it anew (utf8mb4).
    func createDatabase(_ name: String) throws {
        let ident = Self.quoteIdentifier(name)
        try sql("DROP DATABASE IF EXISTS \(ident);\nCREATE DATABASE \(ident) CHARACTER SET utf8mb4;")
    }

    func dropDatabase(_ name: String) throws {
        try sql("DROP DATABASE IF EXISTS \(Self.quoteIdentifier(name));")
    }

    /// Every database, system ones included, in name order.
    func databaseNames() throws -> [String] {
        try jsonRows("SELECT JSON_ARRAY(SCHEMA_NAME) FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME;").map { $0[0] }
    }

    /// `VERSION()`, e.g. `10.11.19-MariaDB-0+deb12u1`.
    func version() throws -> String { try sql("SELECT VERSION();") }

    // MARK: - Logging in as an account

    /// Logs in over TCP to `host`:port (not the socket) as `user` with `password`
    /// (`""`: none), optionally into `database`, runs `sql` and returns the
    /// batch output (`-N -B`). A refused login or a failing statement throws
    /// `MariaDBError`, whose `code` is the server's error number (1045 access
    /// denied, 4151 account locked, 1142 command denied, ...).
    @discardableResult
    func login(user: String, password: String, host: String = "127.0.0.1", database: String? = nil,
               sql: String) throws -> String {
        var arguments = ["--no-defaults", "--protocol=TCP", "--host=\(host)", "--port=\(port)", "--user=\(user)"]
        arguments.append(password.isEmpty ? "--skip-password" : "--password=\(password)")
        arguments += Self.commonArguments(database: database)
        return try Self.runClient(clientPath, arguments: arguments, sql: sql, who: "\(user)@\(host):\(port)",
                                  server: description).stdout
    }

    /// Logs in like `login`, with the client's `--force`: every statement runs,
    /// and each failing one is reported by its line (put one statement per line).
    /// `overSocket` logs in over the unix socket instead (the server sees host
    /// `localhost`). Throws only when the login itself fails.
    func loginProbe(user: String, password: String, overSocket: Bool = false, sql: String) throws -> MariaDBProbeRun {
        var arguments = ["--no-defaults"]
        arguments += overSocket ? ["--protocol=SOCKET", "--socket=\(socket)"]
                                : ["--protocol=TCP", "--host=127.0.0.1", "--port=\(port)"]
        arguments += ["--user=\(user)", password.isEmpty ? "--skip-password" : "--password=\(password)", "--force", "--raw"]
        arguments += Self.commonArguments(database: nil)
        let who = "\(user)@" + (overSocket ? "socket" : "127.0.0.1:\(port)")
        let run: MariaDBRun
        do {
            run = try Self.runClient(clientPath, arguments: arguments, sql: sql, who: who, server: description)
        } catch let error as MariaDBError where error.stderr.contains(" at line ") {
            // --force ran every statement; some failed.
            return MariaDBProbeRun(stdout: error.stdout, stderr: error.stderr)
        }
        return MariaDBProbeRun(stdout: run.stdout, stderr: run.stderr)
    }

    // MARK: - SQL text helpers

    /// `` `name` `` with embedded backticks doubled (databases, tables, roles, users).
    static func quoteIdentifier(_ name: String) -> String {
        "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
    }

    /// `'text'` for the default sql_mode (backslash is an escape character).
    static func quoteString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `` `user`@`host` ``.
    static func account(_ user: String, _ host: String) -> String {
        quoteIdentifier(user) + "@" + quoteIdentifier(host)
    }

    /// Undoes the batch-mode escaping of one field.
    static func unescapeBatchField(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var result = ""
        var escaping = false
        for c in field {
            if escaping {
                switch c {
                case "t": result.append("\t")
                case "n": result.append("\n")
                case "0": result.append("\u{0}")
                default: result.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                result.append(c)
            }
        }
        if escaping { result.append("\\") }
        return result
    }

    // MARK: - Process plumbing

    private static func commonArguments(database: String?) -> [String] {
        var arguments = ["--batch", "--skip-column-names", "--default-character-set=utf8mb4", "--connect-timeout=10"]
        if let database { arguments.append("--database=\(database)") }
        return arguments
    }

    /// Runs the client with `sql` on stdin; stdin, stdout and stderr are plain
    /// files (no pipe can fill up and deadlock).
    private static func runClient(_ path: String, arguments: [String], sql: String, who: String,
                                  server: String) throws -> MariaDBRun {
        let result: ClientProcess.Result
        do {
            result = try ClientProcess.run(path, arguments, input: sql,
                                           removing: ["MYSQL_PWD", "MYSQL_HOST", "MYSQL_TCP_PORT", "MYSQL_UNIX_PORT", "MYSQL_PS1",
                                                      "MYSQL_TEST_LOGIN_FILE", "MARIADB_HOST", "MARIADB_TCP_PORT", "MARIADB_UNIX_PORT"],
                                           setting: ["MYSQL_HISTFILE": "/dev/null"])
        } catch let error as ClientProcess.SetupError {
            throw MariaDBError(server: server, user: who, sql: sql, status: -1, stdout: "", stderr: error.description)
        }
        guard result.status == 0 else {
            throw MariaDBError(server: server, user: who, sql: sql, status: result.status, stdout: result.stdout, stderr: result.stderr)
        }
        return MariaDBRun(stdout: result.value, stderr: result.stderr)
    }
}

/// What one client run printed.
struct MariaDBRun: Sendable {
    var stdout: String
    var stderr: String

    /// `Warning (Code n): text` lines of a `showWarnings` run (notes left out).
    var warnings: [String] {
        stdout.split(separator: "\n").compactMap { line in
            line.hasPrefix("Warning (Code ") ? String(line) : nil
        }
    }

    /// `Note (Code n): text` lines of a `showWarnings` run.
    var notes: [String] {
        stdout.split(separator: "\n").compactMap { line in
            line.hasPrefix("Note (Code ") ? String(line) : nil
        }
    }
}

/// What a `loginProbe` printed, with the failures by input line.
struct MariaDBProbeRun: Sendable {
    var stdout: String
    var stderr: String

    /// Input line -> `ERROR nnnn (state) at line N: text` for each failed statement.
    var failures: [Int: String] {
        var result: [Int: String] = [:]
        for line in stderr.split(separator: "\n") where line.hasPrefix("ERROR ") {
            guard let at = line.range(of: " at line ") else { continue }
            let digits = line[at.upperBound...].prefix { $0.isNumber }
            if let number = Int(digits) { result[number] = String(line) }
        }
        return result
    }
}

/// The mariadb client exited non-zero (or was killed). `description` includes
/// stderr, where the client prints `ERROR 1045 (28000): Access denied ...`.
struct MariaDBError: Error, CustomStringConvertible {
    let server: String
    /// Who ran it: `root` or `user@host:port`.
    let user: String
    let sql: String
    /// Exit status; negative for a terminating signal.
    let status: Int32
    let stdout: String
    let stderr: String

    /// The server's error number from `ERROR nnnn (SQLSTATE)`, if the client printed one.
    var code: Int? {
        guard let range = stderr.range(of: "ERROR ") else { return nil }
        let digits = stderr[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// The `ERROR ...` line.
    var message: String {
        stderr.split(separator: "\n").first { $0.hasPrefix("ERROR ") }.map(String.init)
            ?? stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var description: String {
        let shownSQL = sql.count > 2000 ? String(sql.prefix(2000)) + "\n…" : sql
        return """
            mariadb client failed (status \(status)) on \(server) as \(user):
            \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))
            --- SQL ---
            \(shownSQL)
            """
    }
}

/// The live MariaDB server, or nil when it is not running. Under
/// ROLEC_REQUIRE_LIVE=1 a missing server records a test issue (so CI fails);
/// otherwise a visible SKIPPED line is printed.
func liveMariaDBOrSkip(sourceLocation: SourceLocation = #_sourceLocation) -> MariaDBServer? {
    if let server = MariaDBServer.fromEnvironment() {
        return server
    }
    if MariaDBServer.requireLive {
        Issue.record("MariaDB not available but ROLEC_REQUIRE_LIVE=1", sourceLocation: sourceLocation)
    } else {
        print("SKIPPED live test: MariaDB not available (run scripts/test)")
    }
    return nil
}

extension Trait where Self == ConditionTrait {
    /// Reports the test as skipped when MariaDB is missing, unless
    /// ROLEC_REQUIRE_LIVE=1 (then the test runs and `liveMariaDBOrSkip` fails it).
    static var requiresMariaDB: Self {
        .enabled(if: MariaDBServer.requireLive || MariaDBServer.fromEnvironment() != nil,
                 "MariaDB not available (run scripts/test)")
    }
}
