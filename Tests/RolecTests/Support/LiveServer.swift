// Test support for live PostgreSQL tests.
//
// `scripts/test` starts a throwaway PostgreSQL 15 and 18 cluster and exports,
// for V in 15 and 18:
//
//   ROLEC_PG<V>_PORT   TCP port
//   ROLEC_PG<V>_HOST   unix socket directory (passed to psql -h)
//   ROLEC_PG<V>_BIN    directory containing that version's psql
//   ROLEC_REQUIRE_LIVE "1" under CI: a missing server is then a test failure
//
// Superuser "postgres", trust authentication, maintenance database "postgres".
//
// Roles are cluster-wide, so live tests that create or reset roles must not run
// concurrently with each other: nest them in `LiveServerTests` (serialized), e.g.
//
//     extension LiveServerTests {
//         @Suite struct GrantTests {
//             @Test(.requiresPostgres(15)) func grants() throws {
//                 guard let server = liveServerOrSkip(15) else { return }
//                 try server.resetRoles()
//                 ...
//             }
//         }
//     }

import Foundation
import Testing

/// Parent suite of every test that uses a live server. `.serialized` is
/// recursive, so all suites nested in it (also via extensions in other files)
/// run one test at a time, while the rest of the test target stays parallel.
@Suite(.serialized)
struct LiveServerTests {}

/// A running PostgreSQL server described by the `ROLEC_PG<V>_*` environment.
struct PostgresServer: Sendable, CustomStringConvertible {
    /// Major version this server was exported as (15, 18, ...).
    let version: Int
    /// Unix socket directory (or a host name).
    let host: String
    let port: Int
    /// Directory containing `psql`.
    let binDirectory: String

    var psqlPath: String { binDirectory + "/psql" }

    var description: String { "PostgreSQL \(version) (\(host):\(port))" }

    /// The server exported by scripts/test for `version`, or nil when the
    /// variables are missing or psql is not executable.
    static func fromEnvironment(_ version: Int) -> PostgresServer? {
        let env = ProcessInfo.processInfo.environment
        guard let portText = env["ROLEC_PG\(version)_PORT"], let port = Int(portText), port > 0,
              let host = env["ROLEC_PG\(version)_HOST"], !host.isEmpty,
              let bin = env["ROLEC_PG\(version)_BIN"], !bin.isEmpty,
              FileManager.default.isExecutableFile(atPath: bin + "/psql")
        else { return nil }
        return PostgresServer(version: version, host: host, port: port, binDirectory: bin)
    }

    /// True when ROLEC_REQUIRE_LIVE=1 (set by scripts/test under CI=true).
    static var requireLive: Bool {
        ProcessInfo.processInfo.environment["ROLEC_REQUIRE_LIVE"] == "1"
    }

    /// Runs `sql` (any number of statements; it is fed to psql on stdin) and
    /// returns psql's unaligned, tuples-only output (`-At`: one row per line,
    /// columns separated by `|`) without the trailing newline.
    /// Throws `PsqlError` (which includes stderr) when psql exits non-zero;
    /// with ON_ERROR_STOP=1 the first failing statement stops the script.
    @discardableResult
    func psql(_ sql: String, database: String = "postgres") throws -> String {
        try run(sql, database: database).stdout
    }

    /// Drops `name` if it exists (terminating its sessions) and creates it anew.
    func createDatabase(_ name: String) throws {
        let ident = Self.quoteIdentifier(name)
        // Separate statements on stdin run outside a transaction block, as
        // DROP/CREATE DATABASE require.
        try psql("""
            DROP DATABASE IF EXISTS \(ident) WITH (FORCE);
            CREATE DATABASE \(ident);
            """)
    }

    /// Drops the database `name` if it exists (terminating its sessions).
    func dropDatabase(_ name: String) throws {
        try psql("DROP DATABASE IF EXISTS \(Self.quoteIdentifier(name)) WITH (FORCE);")
    }

    /// Drops every role except `postgres` and the predefined `pg_*` roles, so a
    /// test can start from a clean cluster: in every connectable non-template
    /// database `DROP OWNED BY ... CASCADE` (objects, privileges, default
    /// privileges), then `REASSIGN OWNED` for what remains (databases,
    /// tablespaces) and `DROP ROLE`.
    /// Drops every role but `postgres` and the `pg_*` roles, in every database, with one
    /// `DROP OWNED BY` per role: a single `DROP OWNED BY a, b` fails with `XX000 could
    /// not find tuple for default ACL` (PostgreSQL 15.20 and 18.6) when `a` holds
    /// default privileges granted to `b`, which many policies create.
    func resetRoles() throws {
        let roles = try psql("""
            SELECT string_agg(quote_ident(rolname), ', ' ORDER BY rolname)
            FROM pg_roles WHERE rolname !~ '^pg_' AND rolname <> 'postgres';
            """)
        guard !roles.isEmpty else { return }
        let dropOwned = try psql("""
            SELECT string_agg('DROP OWNED BY ' || quote_ident(rolname) || ' CASCADE;', E'\\n' ORDER BY rolname)
            FROM pg_roles WHERE rolname !~ '^pg_' AND rolname <> 'postgres';
            """)
        for database in try databaseNames() {
            do {
                try psql(dropOwned, database: database)
            } catch {
                // A database dropped meanwhile is fine; anything else is not.
                let stillThere = try psql(
                    "SELECT count(*) FROM pg_database WHERE datname = \(Self.quoteLiteral(database));")
                if stillThere != "0" { throw error }
            }
        }
        try psql("""
            REASSIGN OWNED BY \(roles) TO postgres;
            DROP ROLE \(roles);
            """)
    }

    /// Names of the databases that accept connections, templates excluded.
    func databaseNames() throws -> [String] {
        // Hex-encoded so that no name (newlines, '|', ...) can break the parsing.
        let rows = try psql("""
            SELECT encode(convert_to(datname, 'UTF8'), 'hex') FROM pg_database
            WHERE datallowconn AND NOT datistemplate ORDER BY datname;
            """)
        return rows.split(separator: "\n").compactMap { Self.decodeHex(String($0)) }
    }

    // MARK: - SQL text helpers

    /// `"name"` with embedded double quotes doubled.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `'text'` with embedded single quotes doubled (standard_conforming_strings).
    static func quoteLiteral(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A libpq conninfo naming `database`, so names containing `=` or spaces
    /// are not mistaken for connection strings by psql -d.
    static func conninfo(database: String) -> String {
        let escaped = database
            .replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "'", with: "\\'")
        return "dbname='\(escaped)'"
    }


    private static func decodeHex(_ hex: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(),
                  let h = hexValue(high), let l = hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// psql exited non-zero (or was killed). `description` includes stderr.
struct PsqlError: Error, CustomStringConvertible {
    let server: String
    let database: String
    let sql: String
    /// Exit status; negative for a terminating signal.
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String {
        let shownSQL = sql.count > 2000 ? String(sql.prefix(2000)) + "\n…" : sql
        return """
            psql failed (status \(status)) on \(server), database \(database):
            \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))
            --- SQL ---
            \(shownSQL)
            """
    }
}

/// The live server for `version`, or nil when it is not running. Under
/// ROLEC_REQUIRE_LIVE=1 a missing server records a test issue (so CI fails);
/// otherwise a visible SKIPPED line is printed. Typical use:
///
///     guard let server = liveServerOrSkip(18) else { return }
func liveServerOrSkip(_ version: Int, sourceLocation: SourceLocation = #_sourceLocation) -> PostgresServer? {
    if let server = PostgresServer.fromEnvironment(version) {
        return server
    }
    if PostgresServer.requireLive {
        Issue.record("PostgreSQL \(version) not available but ROLEC_REQUIRE_LIVE=1",
                     sourceLocation: sourceLocation)
    } else {
        print("SKIPPED live test: PostgreSQL \(version) not available (run scripts/test)")
    }
    return nil
}

extension Trait where Self == ConditionTrait {
    /// Optional trait: reports the test as skipped by Swift Testing when the
    /// server is missing, unless ROLEC_REQUIRE_LIVE=1 (then the test runs and
    /// `liveServerOrSkip` records the failure).
    static func requiresPostgres(_ version: Int) -> Self {
        .enabled(if: PostgresServer.requireLive || PostgresServer.fromEnvironment(version) != nil,
                 "PostgreSQL \(version) not available (run scripts/test)")
    }
}
