import Foundation
import Rolec

/// The apply benchmark: on a running PostgreSQL, `psql -f` of the script rolec compiles
/// for `roles` roles x `tables` tables against the same roles and grants written as one
/// GRANT per table and role. Both scripts run in one transaction on a fresh copy of the
/// same database (tables created beforehand, not timed); after each run the resulting
/// table ACLs are fingerprinted and must be identical for both scripts.
enum ApplyBench {
    struct Options {
        var host: String
        var port: String
        var user = "postgres"
        var psql = FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/psql") ? "/usr/lib/postgresql/15/bin/psql" : "/usr/bin/psql"
        var roles = 10
        var tables = 10_000
        var schemas = 4
        var runs = 3
        var keep: String?
        var kinds: [ApplyPolicy.Kind] = [.levels, .distinct]
        init(host: String, port: String) {
            self.host = host
            self.port = port
        }
    }

    static let database = "rolec_bench"
    static let template = "rolec_bench_template"

    struct Psql {
        let options: Options

        func arguments(_ db: String) -> [String] {
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", options.host, "-p", options.port, "-U", options.user, "-d", db]
        }

        /// Runs a file; fails loudly on any SQL error.
        func file(_ path: String, db: String) throws {
            let result = try runProcess(options.psql, arguments(db) + ["-f", path])
            guard result.status == 0 else { throw BenchError("psql -f \(path) failed (status \(result.status)):\n\(result.stderr)") }
        }

        /// One statement (or several, separated by ';' in one -c each); returns unaligned output.
        func query(_ sql: String, db: String = "postgres") throws -> String {
            let result = try runProcess(options.psql, arguments(db) + ["-A", "-t", "-c", sql])
            guard result.status == 0 else { throw BenchError("psql -c failed (status \(result.status)): \(sql)\n\(result.stderr)") }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func run(_ options: Options) throws -> Int32 {
        let psql = Psql(options: options)
        let versionNumber = try psql.query("SHOW server_version_num")
        let major = (Int(versionNumber) ?? 150000) / 10000
        let serverVersion = try psql.query("SHOW server_version")
        let target = Target(dialect: PostgresDialect(), version: String(major))
        guard PostgresDialect().versions.contains(String(major)) else { throw BenchError("PostgreSQL \(serverVersion) is not a rolec target") }

        let directory: URL
        if let keep = options.keep {
            directory = URL(fileURLWithPath: keep)
        } else {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-bench-apply-\(getpid())")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if options.keep == nil { try? FileManager.default.removeItem(at: directory) } }
        func write(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        func statementCount(_ script: String) -> Int {
            var count = 0
            var previous: UInt8 = 0
            for b in script.utf8 {
                if b == UInt8(ascii: "\n"), previous == UInt8(ascii: ";") { count += 1 }
                previous = b
            }
            return count
        }

        say("rolec-bench apply-postgres: PostgreSQL \(serverVersion) at \(options.host):\(options.port), psql \(options.psql)")
        say("\(options.roles) roles x \(options.tables) tables in \(min(options.schemas, options.tables)) schema(s) = \(options.roles * options.tables) (role, table) grants per policy; \(options.runs) run(s)")
        say("scripts in \(directory.path)\(options.keep == nil ? " (removed at exit; --keep DIR keeps them)" : "")")

        // Scripts: per policy kind, rolec's compiled script and the one-GRANT-per-table-and-role script.
        struct Variant { var kind: ApplyPolicy.Kind; var name: String; var path: String; var statements: Int; var bytes: Int; var seconds: [Double] = []; var fingerprints: Set<String> = [] }
        var variants: [Variant] = []
        var policies: [ApplyPolicy] = []
        for kind in options.kinds {
            let policy = ApplyPolicy(kind: kind, roles: options.roles, tables: options.tables, schemas: min(options.schemas, options.tables))
            policies.append(policy)
            let policyText = policy.policy()
            _ = try write("\(kind.rawValue).roles", policyText)
            let t0 = Gauge.now()
            let compilation = Compilation(files: [SourceFile(id: 0, path: "\(kind.rawValue).roles", bytes: Array(policyText.utf8))])
            let output = compilation.compile(for: target)
            let compileSeconds = Gauge.now() - t0
            guard let rolecScript = output.script else {
                throw BenchError("the \(kind.rawValue) policy does not compile:\n" + DiagnosticRenderer(files: compilation.files).text(output.diagnostics))
            }
            let naiveScript = policy.naiveSQL()
            variants.append(Variant(kind: kind, name: "one GRANT per table and role", path: try write("\(kind.rawValue).naive.sql", naiveScript),
                                    statements: statementCount(naiveScript), bytes: naiveScript.utf8.count))
            variants.append(Variant(kind: kind, name: "rolec compile output", path: try write("\(kind.rawValue).rolec.sql", rolecScript),
                                    statements: statementCount(rolecScript), bytes: rolecScript.utf8.count))
            let sets = Set((0..<policy.roles).map(policy.privileges)).count
            say("policy \(kind.rawValue): \(sets) distinct privilege set(s) among the roles; compiled by rolec in \(Gauge.seconds(compileSeconds))")
        }
        guard let setupPolicy = policies.first else { throw BenchError("no policy selected") }
        let setupPath = try write("setup.sql", setupPolicy.setupSQL())

        // Fresh state: no leftovers of an earlier run.
        let roleList = (0..<options.roles).map(setupPolicy.roleName).joined(separator: ", ")
        func reset() throws {
            _ = try psql.query("DROP DATABASE IF EXISTS \(database)")
            _ = try psql.query("DROP ROLE IF EXISTS \(roleList)")
        }
        try reset()
        _ = try psql.query("DROP DATABASE IF EXISTS \(template)")
        _ = try psql.query("CREATE DATABASE \(template)")
        defer {
            _ = try? psql.query("DROP DATABASE IF EXISTS \(database)")
            _ = try? psql.query("DROP DATABASE IF EXISTS \(template)")
            _ = try? psql.query("DROP ROLE IF EXISTS \(roleList)")
        }
        let s0 = Gauge.now()
        try psql.file(setupPath, db: template)
        // Leave autovacuum nothing to do on the fresh catalogs, so it cannot slow a timed run.
        _ = try psql.query("VACUUM (ANALYZE)", db: template)
        say("setup (not timed): \(options.tables) empty tables created in a template database in \(Gauge.seconds(Gauge.now() - s0)); each run applies one script to a fresh copy")

        let fingerprintSQL = """
            SELECT count(*) || ' ' || coalesce(md5(string_agg(x, ',' ORDER BY x)), '-') FROM (
              SELECT c.oid::regclass::text || ' ' || a.grantee::regrole::text || ' ' || a.privilege_type || ' ' || a.is_grantable AS x
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
              WHERE n.nspname LIKE 'bench\\_s%' AND a.grantee <> c.relowner) s
            """
        for run in 0..<options.runs {
            // Alternate the order so neither script always runs on a warmer server.
            let order = run % 2 == 0 ? Array(variants.indices) : Array(variants.indices.reversed())
            for index in order {
                try reset()
                _ = try psql.query("CREATE DATABASE \(database) TEMPLATE \(template)")
                _ = try psql.query("CHECKPOINT")
                let start = Gauge.now()
                try psql.file(variants[index].path, db: database)
                let elapsed = Gauge.now() - start
                variants[index].seconds.append(elapsed)
                let fingerprint = try psql.query(fingerprintSQL, db: database)
                variants[index].fingerprints.insert(fingerprint)
                say("run \(run + 1): \(CompileBench.pad(variants[index].kind.rawValue, 9)) \(CompileBench.pad(variants[index].name, 30)) \(Gauge.seconds(elapsed))  (ACL fingerprint: \(fingerprint))")
            }
        }
        try reset()

        say("")
        let header = CompileBench.pad("policy", 10) + CompileBench.pad("script", 30) + CompileBench.pad("statements", 12, right: true)
            + CompileBench.pad("size", 10, right: true) + CompileBench.pad("median", 10, right: true) + CompileBench.pad("best", 10, right: true)
        say(header)
        say(String(repeating: "-", count: header.count))
        for v in variants {
            say(CompileBench.pad(v.kind.rawValue, 10) + CompileBench.pad(v.name, 30) + CompileBench.pad("\(v.statements)", 12, right: true)
                + CompileBench.pad(Gauge.mb(Double(v.bytes)), 10, right: true)
                + CompileBench.pad(Gauge.seconds(median(v.seconds)), 10, right: true) + CompileBench.pad(Gauge.seconds(v.seconds.min() ?? .nan), 10, right: true))
        }
        say("")
        var allMet = true
        for kind in options.kinds {
            let pair = variants.filter { $0.kind == kind }
            guard pair.count == 2 else { continue }
            let same = pair[0].fingerprints.union(pair[1].fingerprints).count == 1
            let speedup = median(pair[0].seconds) / median(pair[1].seconds)
            say("policy \(kind.rawValue): table ACLs identical for both scripts in every run: \(same ? "yes" : "NO"); "
                + String(format: "speed-up (median): %.1fx; ", speedup) + "goal (rolec at least 10x faster): \(speedup >= 10 ? "met" : "NOT MET")")
            allMet = allMet && same && speedup >= 10
        }
        return allMet ? 0 : 3
    }
}
