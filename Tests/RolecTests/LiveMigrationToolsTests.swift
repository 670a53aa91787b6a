// End to end on PostgreSQL 15 and 18 with the real migration tools: the policy series
// dialects/migrations/shop v1 -> v2 -> v3 goes through `rolec migrate` (in-process),
// and the tools apply and roll back the migrations it writes.
//
// The oracle: for every version k, the catalog after the FULL compiled script of v_k on
// a fresh cluster (itself proven equal to the IR by LivePostgresTests) is S_k; S_0 is the
// catalog before anything. Every step of a tool must give exactly S_k.
//
//  - dbmate: migration k written, `dbmate up` -> S_k (k = 1, 2, 3); `dbmate rollback`
//    three times -> S_2, S_1, S_0; then one `dbmate up` of all three -> S_3.
//  - dbmate on two databases of one cluster: up in both succeeds, the dropped role is
//    gone once both ran, rollback in both succeeds.
//  - sqitch (PostgreSQL 15 and 18): `sqitch deploy --verify` per version -> S_k (its verify scripts are
//    `rolec verify`); the last change's verify fails after a manual REVOKE; `sqitch
//    revert` back to each version -> S_2, S_1, S_0.

import Foundation
import Testing
@testable import Rolec
@testable import RolecCLI

extension LiveServerTests {
    @Suite("Live migration tools on PostgreSQL")
    struct LiveMigrationToolsTests {
        static let series = ["v1", "v2", "v3"]
        static let database = "shop"

        @Test("dbmate up and rollback on PostgreSQL 15", .requiresPostgres(15))
        func dbmate15() throws {
            guard let server = liveServerOrSkip(15), let dbmate = MigrationTools.dbmate() else { return }
            try dbmateSeries(server, dbmate)
        }

        @Test("dbmate up and rollback on PostgreSQL 18", .requiresPostgres(18))
        func dbmate18() throws {
            guard let server = liveServerOrSkip(18), let dbmate = MigrationTools.dbmate() else { return }
            try dbmateSeries(server, dbmate)
        }

        @Test("dbmate on two databases of one cluster", .requiresPostgres(18))
        func dbmateTwoDatabases() throws {
            guard let server = liveServerOrSkip(18), let dbmate = MigrationTools.dbmate() else { return }
            let directory = try MigrationTools.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try fresh(server)
            let second = "shop_replica"
            try? server.dropDatabase(second)
            try server.createDatabase(second)
            defer { try? server.dropDatabase(second) }
            try server.psql(Self.objects, database: second)
            for (k, version) in Self.series.enumerated() {
                try MigrationTools.migrate(version, format: "dbmate", dialect: "postgres", server: "\(server.version)", into: directory, number: k + 1)
            }
            for name in [Self.database, second] {
                try MigrationTools.tool(dbmate, ["--no-dump-schema", "--migrations-dir", directory.path, "up"],
                                        environment: ["DATABASE_URL": url(server, name)])
            }
            // analyst (dropped by v3) held privileges in both databases: gone once both ran.
            #expect(try server.psql("SELECT count(*) FROM pg_roles WHERE rolname = 'analyst'") == "0")
            let rows = try snapshot(server)
            let replica = Set(try snapshot(server, database: second).map { row in
                CatalogRow(row.fields.map { $0 == second ? Self.database : $0 })
            })
            #expect(rows == replica, "both databases hold the same state")
            // Roles are shared by the cluster, so several databases roll back in lockstep:
            // each version in every database before the next one (dialects/migrations.md).
            // A role the first database's run drops while the other still needs it is kept
            // (it holds something there) until the last run.
            for _ in Self.series {
                for name in [Self.database, second] {
                    try MigrationTools.tool(dbmate, ["--no-dump-schema", "--migrations-dir", directory.path, "rollback"],
                                            environment: ["DATABASE_URL": url(server, name)])
                }
            }
            #expect(try server.psql("SELECT count(*) FROM pg_roles WHERE rolname IN ('app_read', 'app_write', 'svc_orders', 'analyst', 'auditor', 'bi_user')") == "0")
        }

        @Test("sqitch deploy, verify and revert on PostgreSQL 15", .requiresPostgres(15))
        func sqitch15() throws {
            guard let server = liveServerOrSkip(15), let sqitch = MigrationTools.sqitch() else { return }
            try sqitchSeries(server, sqitch)
        }

        @Test("sqitch deploy, verify and revert on PostgreSQL 18", .requiresPostgres(18))
        func sqitch18() throws {
            guard let server = liveServerOrSkip(18), let sqitch = MigrationTools.sqitch() else { return }
            try sqitchSeries(server, sqitch)
        }

        /// Sqitch's pg engine runs the scripts with the server's own psql (first on PATH).
        func sqitchSeries(_ server: PostgresServer, _ sqitch: String) throws {
            let references = try self.references(server)
            let directory = try MigrationTools.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try fresh(server)
            let target = "db:pg://postgres@127.0.0.1:\(server.port)/\(Self.database)"
            let environment = MigrationTools.sqitchEnvironment(clientDirectory: server.binDirectory)
            try expectState(server, references[0], "baseline")
            for (k, version) in Self.series.enumerated() {
                try MigrationTools.migrate(version, format: "sqitch", dialect: "postgres", server: "\(server.version)", into: directory, number: k + 1)
                if k == 0 {
                    try Data("[core]\n\tengine = pg\n".utf8).write(to: directory.appendingPathComponent("sqitch.conf"))
                }
                try MigrationTools.tool(sqitch, ["deploy", "--verify", target], environment: environment, in: directory)
                try expectState(server, references[k + 1], "after sqitch deploy of \(version)")
            }
            try MigrationTools.tool(sqitch, ["verify", "--from", "@HEAD", target], environment: environment, in: directory)
            // A grant removed by hand: the last change's verify script fails.
            try server.psql("REVOKE INSERT ON shop_app.orders FROM app_write;", database: Self.database)
            let failed = try MigrationTools.tool(sqitch, ["verify", "--from", "@HEAD", target], environment: environment, in: directory,
                                                 expectFailure: true)
            #expect(failed.stdout.contains("app_write") || failed.stderr.contains("app_write"), "\(failed.stdout)\n\(failed.stderr)")
            try server.psql("GRANT INSERT ON shop_app.orders TO app_write;", database: Self.database)
            for k in stride(from: 2, through: 1, by: -1) {
                try MigrationTools.tool(sqitch, ["revert", "-y", "--to", "@HEAD^", target], environment: environment, in: directory)
                try expectState(server, references[k], "after sqitch revert to v\(k)")
            }
            try MigrationTools.tool(sqitch, ["revert", "-y", target], environment: environment, in: directory)
            try expectState(server, references[0], "after reverting everything")
        }

        // MARK: -

        func dbmateSeries(_ server: PostgresServer, _ dbmate: String) throws {
            let references = try self.references(server)
            #expect(Set(references).count == references.count, "the versions must differ for the test to mean anything")
            let directory = try MigrationTools.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try fresh(server)
            try expectState(server, references[0], "baseline")
            let environment = ["DATABASE_URL": url(server, Self.database)]
            let arguments = ["--no-dump-schema", "--migrations-dir", directory.path]
            for (k, version) in Self.series.enumerated() {
                try MigrationTools.migrate(version, format: "dbmate", dialect: "postgres", server: "\(server.version)", into: directory, number: k + 1)
                try MigrationTools.tool(dbmate, arguments + ["up"], environment: environment)
                try expectState(server, references[k + 1], "after dbmate up of \(version)")
            }
            for k in stride(from: 2, through: 0, by: -1) {
                try MigrationTools.tool(dbmate, arguments + ["rollback"], environment: environment)
                try expectState(server, references[k], "after dbmate rollback to \(k == 0 ? "the baseline" : "v\(k)")")
            }
            // The three migrations in one `dbmate up`, as a fresh database gets them.
            try MigrationTools.tool(dbmate, arguments + ["up"], environment: environment)
            try expectState(server, references[3], "after one dbmate up of all three migrations")
        }

        func url(_ server: PostgresServer, _ database: String) -> String {
            "postgres://postgres@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
        }

        /// The objects the series grants on, owned by the external role app_owner.
        static let objects = """
            CREATE SCHEMA shop_app AUTHORIZATION app_owner;
            CREATE TABLE shop_app.orders (id integer);
            CREATE TABLE shop_app.order_items (id integer);
            CREATE TABLE shop_app.customers (id integer, email text, status text);
            ALTER TABLE shop_app.orders OWNER TO app_owner;
            ALTER TABLE shop_app.order_items OWNER TO app_owner;
            ALTER TABLE shop_app.customers OWNER TO app_owner;
            """

        /// Roles reset, database `shop` recreated with the objects.
        func fresh(_ server: PostgresServer) throws {
            try server.resetRoles()
            try? server.dropDatabase(Self.database)
            try server.createDatabase(Self.database)
            try server.psql("CREATE ROLE app_owner;")
            try server.psql(Self.objects, database: Self.database)
        }

        /// The catalog must equal `expected`; a difference is printed row by row.
        func expectState(_ server: PostgresServer, _ expected: Set<CatalogRow>, _ when: String,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
            let actual = try snapshot(server)
            guard actual != expected else { return }
            let missing = expected.subtracting(actual).sorted().map { "  missing: \($0)" }
            let extra = actual.subtracting(expected).sorted().map { "  extra:   \($0)" }
            let lines: [String] = missing + extra
            Issue.record(Comment(rawValue: "\(when): the catalog differs from the expected state\n" + lines.joined(separator: "\n")),
                         sourceLocation: sourceLocation)
        }

        /// The catalog, without the tools' own bookkeeping (dbmate's schema_migrations
        /// table, sqitch's registry schema).
        func snapshot(_ server: PostgresServer, database: String = Self.database) throws -> Set<CatalogRow> {
            try CatalogReader.snapshot(server, databases: [database], clusterDatabases: [Self.database]).filter { row in
                !row.fields.contains { $0 == "public.schema_migrations" || $0 == "sqitch" || $0.hasPrefix("sqitch.") }
            }
        }

        /// S_0 ... S_3: the baseline, then each version's full script on a fresh cluster.
        func references(_ server: PostgresServer) throws -> [Set<CatalogRow>] {
            try fresh(server)
            var references = [try snapshot(server)]
            for version in Self.series {
                try fresh(server)
                let compilation = try MigrationTools.compilation(version)
                let output = compilation.compile(for: Target(dialect: PostgresDialect(), version: "\(server.version)"))
                let script = try #require(output.script, "\(output.diagnostics.map(\.message))")
                try server.psql(script, database: Self.database)
                references.append(try snapshot(server))
            }
            return references
        }
    }
}

/// Runs rolec's CLI in-process and the migration tools as processes.
enum MigrationTools {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let seriesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("dialects/migrations/shop")

    static func compilation(_ version: String) throws -> Compilation {
        let files = try Compilation.load(paths: [seriesDirectory.appendingPathComponent(version).path], stdin: { [] })
        return Compilation(files: files)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `rolec migrate dialects/migrations/shop/<version> --dir DIR ...` in-process; the
    /// migration version is fixed (`number`) so the run is reproducible.
    static func migrate(_ version: String, format: String, dialect: String, server: String, into directory: URL, number: Int,
                        extra: [String] = []) throws {
        let out = CapturedSink(), err = CapturedSink()
        let policy = seriesDirectory.appendingPathComponent(version).path
        let stamp = format == "flyway" ? "\(number)" : String(format: "202601010000%02d", number)
        let arguments = ["migrate", policy, "--dir", directory.path, "--dialect", dialect, "--server-version", server,
                         "--format", format, "--name", "shop_\(version)", "--version", stamp, "--accept-loss"] + extra
        let code = run(arguments: arguments, stdin: { [] }, stdout: out, stderr: err)
        guard code == 0 else {
            throw Failure(description: "rolec \(arguments.joined(separator: " ")) exited \(code)\n\(out.text)\n\(err.text)")
        }
    }

    static func dbmate() -> String? { tool("ROLEC_DBMATE", "dbmate") }
    static func sqitch() -> String? { tool("ROLEC_SQITCH", "sqitch") }

    /// What sqitch needs in its environment: a committer, and the database client it runs
    /// (psql, mysql, sqlite3) found first in `clientDirectory` when given.
    static func sqitchEnvironment(clientDirectory: String? = nil) -> [String: String] {
        var environment = ["SQITCH_FULLNAME": "rolec tests", "SQITCH_EMAIL": "rolec@localhost"]
        if let clientDirectory {
            environment["PATH"] = clientDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        }
        return environment
    }

    /// The tool scripts/test exported, or nil after a visible skip (an issue under
    /// ROLEC_REQUIRE_LIVE=1, so CI cannot skip it).
    static func tool(_ variable: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if let path = ProcessInfo.processInfo.environment[variable], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        if PostgresServer.requireLive {
            Issue.record("\(name) not available (\(variable) unset) but ROLEC_REQUIRE_LIVE=1", sourceLocation: sourceLocation)
        } else {
            print("SKIPPED live test: \(name) not available (run scripts/test)")
        }
        return nil
    }

    /// Runs a tool; throws with its output when the exit status is not the expected one.
    @discardableResult
    static func tool(_ executable: String, _ arguments: [String], environment: [String: String], in directory: URL? = nil,
                     expectFailure: Bool = false) throws -> ClientProcess.Result {
        var setting = environment
        if let directory { setting["PWD"] = directory.path }
        let result: ClientProcess.Result
        if let directory {
            // sqitch reads sqitch.conf and sqitch.plan from the working directory.
            let quoted = ([executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            result = try ClientProcess.run("/bin/sh", ["-c", "cd '\(directory.path)' && exec \(quoted)"], input: "",
                                           removing: [], setting: setting)
        } else {
            result = try ClientProcess.run(executable, arguments, input: "", removing: [], setting: setting)
        }
        if (result.status == 0) == expectFailure {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited \(result.status)\n\(result.stdout)\n\(result.stderr)")
        }
        return result
    }
}
