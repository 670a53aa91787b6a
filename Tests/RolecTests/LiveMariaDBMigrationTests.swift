// Live proof that MariaDB migrations (MySQLMigration.swift, flavour mariadb) reach the
// declared state on a real MariaDB 10.11 server, whatever point they start from.
//
//  A. Every golden case of dialects/examples that compiles for mariadb: the baseline
//     is the fixture of LiveMariaDBTests (objects, external and absent principals).
//     Then PUBLIC and the external principals get the privileges the policy revokes,
//     and the up migration of Diff(empty -> case) must give exactly the state
//     MariaDBExpectation computes from the IR; run again, it changes nothing. The down
//     migration must give the baseline back, except what a down cannot know: the
//     absent principals it dropped, the password, limit and default role of external
//     users, and whether a revoked privilege was held (a declared revoke has no
//     inverse on MySQL/MariaDB: nothing is granted back); run again, it changes nothing.
//  B. The shop series (dialects/migrations/shop) v1 -> v2 -> v3 up, then down in
//     reverse, through the mariadb client: the declared state of each version at every
//     step; every migration applied twice; and every migration cut after each of its
//     statements (a migration that failed there), checked against both policies:
//       - at least what both give: every account both have exists, every membership,
//         admin option, privilege and grant option both give it directly is held, and
//         what a login of it has active (itself, PUBLIC, its default role if granted,
//         and the roles in those, transitively; a role: itself and its roles) includes
//         every privilege both policies let it use, whichever role it comes through
//         (access that moves from one role to another is never missing). A table-level
//         privilege counts for each of the table's columns;
//       - nothing neither gives: every account, membership, admin option, privilege
//         and grant option held directly is declared by the old or the new policy, and
//         each attribute of an account (default role, verifier, lock, limit) is its old
//         or its new value (an account being created may also still be as CREATE USER
//         leaves it: no default role, no limit, no verifier only while locked);
//     and the full migration run again on the cut state must reach the new state.
//     The same for single changes the corpus and the series do not make (hosts, the
//     admin option, a role that becomes a user, verifiers, column grants next to a
//     table-level revoke, default roles, overlapping schema grants, access moving
//     between roles), each way.
//  C. The same series through the real dbmate (a database driver, no DELIMITER), with
//     the files `rolec migrate --format dbmate` writes (the CLI, in-process), and
//     through the real Sqitch (the mysql client, DELIMITER; verify = `rolec verify`).

import Foundation
import Testing
@testable import Rolec
@testable import RolecCLI

extension LiveServerTests {
    @Suite("Live MariaDB: migrations reach the declared state")
    struct LiveMariaDBMigrationTests {
        typealias S = MySQLMigrationSupport

        @Test("golden case: up from nothing, down back", .requiresMariaDB, arguments: Golden.caseNames)
        func goldenCase(_ name: String) throws {
            guard let server = liveMariaDBOrSkip() else { return }
            guard let run = try MariaDBCaseRun(name: name, server: server) else { return }
            defer { try? server.resetAccounts() }
            let live = MariaDBMigrationLive(server: server, label: "case \(name)")
            let ir = run.ir
            let (up, down) = S.migration(S.empty(.mariadb), ir, .mariadb)

            try run.prepare()
            let baseline = try MariaDBCatalog.snapshot(server)
            // What the policy revokes, held before by the grantees that exist (the revokes get work).
            try live.holdRevokedPrivileges(ir, run: run)
            let heldBefore = try MariaDBCatalog.snapshot(server)
            var model = MariaDBExpectation(ir: ir)
            let declared = model.rows()

            guard live.apply(up, step: "up") else { return }
            live.compare(expected: declared, step: "after up")
            guard live.apply(up, step: "up, again") else { return }
            live.compare(expected: declared, step: "after up twice")

            guard live.apply(down, step: "down") else { return }
            let unknowable = live.unknowableByDown(ir, revokedHeld: heldBefore.subtracting(baseline))
            live.compare(expected: baseline.filter { !unknowable($0) }, step: "after down", ignoring: unknowable)
            guard live.apply(down, step: "down, again") else { return }
            live.compare(expected: baseline.filter { !unknowable($0) }, step: "after down twice", ignoring: unknowable)
            print("live: case \(name) on MariaDB: up (\(S.statements(up).count) statements) and down (\(S.statements(down).count)), twice each; \(declared.count) rows")
        }

        @Test("shop series through the client: each step, twice, and cut after every statement", .requiresMariaDB)
        func series() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            defer { try? server.resetAccounts() }
            let versions = try ["v1", "v2", "v3"].map { try S.shopIR($0, .mariadb) }
            let cuts = try MariaDBMigrationLive(server: server, label: "shop series").checkSeries(versions)
            #expect(cuts >= 20, "only \(cuts) cuts: the series gives the prefix test too little to do")
        }

        /// What neither the corpus nor the shop series changes: hosts, the admin option,
        /// a role that becomes a user, verifiers and limits, a table-level revoke next to
        /// a column grant that stays, default roles.
        @Test("single changes: each way, twice, and cut after every statement", .requiresMariaDB, arguments: [
            ("hosts", ["role r\nuser u { host 'localhost', '10.0.%'\nmember of r }\ngrant select on table s.t to r\ngrant insert on table s.t to u",
             "role r\nuser u { host 'localhost', '%'\nmember of r }\ngrant select on table s.t to r\ngrant insert on table s.t to u"]),
            ("admin option", ["role r\nrole q\nuser u { member of r with admin option\nmember of q }",
             "role r\nrole q\nuser u { member of r\nmember of q with admin option }"]),
            ("role becomes user", ["role app { grant select on table s.t }\nrole base\nuser w { member of app }",
             "role base\nuser app { member of base\ngrant select on table s.t }\nuser w"]),
            ("verifier and limit", ["user u { password hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' }",
             "user u { password hash '*0D3CED9BEC10A777AEC23CCC353A8C08A633045E'\nconnection limit 5 }"]),
            ("verifier removed", ["user u { password hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' }", "user u"]),
            // Granted in one statement, SELECT and SELECT (c) fold into SELECT: the column grant comes second.
            ("table revoke keeps a column", ["role r { grant select on table s.t\ngrant update on table s.t with grant option }",
             "role r { grant select on table s.t\ngrant select (c) on table s.t\ngrant update on table s.t with grant option }",
             "role r { grant select (c) on table s.t\ngrant update on table s.t }"]),
            ("default roles", ["role a\nrole b\nrole c\nuser u { member of a }\nuser v { member of a, b }",
             "role a\nrole b\nrole c\nuser u { member of a, b, c\ndefault role a, c }\nuser v { member of b }"]),
            ("schema grants overlap", ["role r { profile readonly on schema s_1\ngrant select on all tables in schema s_1\ngrant select on sequence s_1.q\ngrant usage on sequence s_1.q }",
             "role r { grant select on all tables in schema s_1\ngrant select on sequence s_1.q }"]),
            // Access that moves: the privilege to another role of the same user, the user
            // (membership and default role) to another role with the same privilege.
            ("privilege moves between roles", ["role a { grant select on table s.t }\nrole b\nuser u { member of a, b }",
             "role a\nrole b { grant select on table s.t }\nuser u { member of a, b }"]),
            ("user moves between roles", ["role a { grant select on table s.t }\nrole b { grant select on table s.t }\nuser u { member of a }",
             "role a { grant select on table s.t }\nrole b { grant select on table s.t }\nuser u { member of b }"]),
            // Both at once: the new default role must hold the privilege before it is set.
            ("user and privilege move together", ["role a { grant select on table s.t }\nrole b\nuser u { member of a }",
             "role a\nrole b { grant select on table s.t }\nuser u { member of b }"]),
        ])
        func singleChange(_ name: String, _ policies: [String]) throws {
            guard let server = liveMariaDBOrSkip() else { return }
            defer { try? server.resetAccounts() }
            let versions = try policies.enumerated().map { index, text in
                try #require(S.ir(text, .mariadb), "version \(index + 1) of \(name) does not compile")
            }
            let cuts = try MariaDBMigrationLive(server: server, label: "single change \(name)").checkSeries(versions)
            #expect(cuts > 0)
        }

        /// The state `ir` declares when a tool deploys it over TCP as root@127.0.0.1: that
        /// account creates the roles, so it is their admin member (the test, as
        /// root@localhost, created the external ones).
        static func declaredOverTCP(_ ir: PolicyIR) -> Set<CatalogRow> {
            let deployer = MariaDBCatalog.user("root", "127.0.0.1")
            var model = MariaDBExpectation(ir: ir)
            let external = Set(ir.principals.filter(\.external).map { MariaDBServer.quoteIdentifier($0.name) })
            return Set(model.rows().map { row in
                guard row.fields.first == "member", !external.contains(row.fields[1]) else { return row }
                return CatalogRow(row.fields.map { $0 == MariaDBCatalog.deployer ? deployer : $0 })
            })
        }

        /// The shop series through the real Sqitch (its MySQL engine, the mysql client,
        /// DELIMITER around compound statements): `sqitch deploy --verify` per version,
        /// whose verify scripts are `rolec verify`; a REVOKE by hand makes `sqitch verify`
        /// fail naming the grant; `sqitch revert` back to each version and the baseline.
        @Test("shop series through sqitch (files from rolec migrate --format sqitch)", .requiresMariaDB)
        func sqitch() throws {
            guard let server = liveMariaDBOrSkip(), let sqitch = MigrationTools.sqitch() else { return }
            defer { try? server.resetAccounts() }
            let live = MariaDBMigrationLive(server: server, label: "shop series with sqitch")
            let versions = try ["v1", "v2", "v3"].map { try S.shopIR($0, .mariadb) }
            try live.prepare(versions)
            let baseline = try MariaDBCatalog.snapshot(server)
            // Sqitch deploys into an existing database and keeps its registry in `sqitch`.
            _ = try server.sql("DROP DATABASE IF EXISTS rolec_sqitch; DROP DATABASE IF EXISTS sqitch; CREATE DATABASE rolec_sqitch;")
            defer { _ = try? server.sql("DROP DATABASE IF EXISTS rolec_sqitch; DROP DATABASE IF EXISTS sqitch;") }

            let project = try MigrationTools.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: project) }
            let target = "db:mysql://root@127.0.0.1:\(server.port)/rolec_sqitch"
            let environment = MigrationTools.sqitchEnvironment(clientDirectory: ProcessInfo.processInfo.environment["ROLEC_MARIADB_BIN"])
            func sqitchRun(_ arguments: [String], expectFailure: Bool = false) throws -> ClientProcess.Result {
                try MigrationTools.tool(sqitch, arguments, environment: environment, in: project, expectFailure: expectFailure)
            }
            for (index, version) in ["v1", "v2", "v3"].enumerated() {
                try MigrationTools.migrate(version, format: "sqitch", dialect: "mariadb", server: "10.11", into: project, number: index + 1)
                if index == 0 { try Data("[core]\n\tengine = mysql\n".utf8).write(to: project.appendingPathComponent("sqitch.conf")) }
                try sqitchRun(["deploy", "--verify", target])
                live.compare(expected: Self.declaredOverTCP(versions[index]), step: "after sqitch deploy of \(version)")
            }
            try sqitchRun(["verify", "--from", "@HEAD", target])
            _ = try server.sql("REVOKE INSERT ON shop_app.orders FROM app_write;")
            let failed = try sqitchRun(["verify", "--from", "@HEAD", target], expectFailure: true)
            #expect((failed.stdout + failed.stderr).contains("missing grant: INSERT on table shop_app.orders to app_write"),
                    "\(failed.stdout)\n\(failed.stderr)")
            _ = try server.sql("GRANT INSERT ON shop_app.orders TO app_write;")
            try sqitchRun(["verify", "--from", "@HEAD", target])
            for index in [1, 0] {
                try sqitchRun(["revert", "-y", "--to", "@HEAD^", target])
                live.compare(expected: Self.declaredOverTCP(versions[index]), step: "after sqitch revert to v\(index + 1)")
            }
            try sqitchRun(["revert", "-y", target])
            live.compare(expected: baseline, step: "after sqitch revert of everything")
        }

        @Test("shop series through dbmate (files from rolec migrate --format dbmate)", .requiresMariaDB)
        func dbmate() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            guard let dbmatePath = ProcessInfo.processInfo.environment["ROLEC_DBMATE"], FileManager.default.isExecutableFile(atPath: dbmatePath) else {
                if MariaDBServer.requireLive { Issue.record("ROLEC_DBMATE not set but ROLEC_REQUIRE_LIVE=1") }
                print("SKIPPED live test: dbmate not available (run scripts/test)")
                return
            }
            defer { try? server.resetAccounts() }
            let live = MariaDBMigrationLive(server: server, label: "shop series with dbmate")
            let versions = try ["v1", "v2", "v3"].map { try S.shopIR($0, .mariadb) }
            try live.prepare(versions)
            let baseline = try MariaDBCatalog.snapshot(server)

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-dbmate-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            for (index, version) in ["v1", "v2", "v3"].enumerated() {
                try MigrationTools.migrate(version, format: "dbmate", dialect: "mariadb", server: "10.11", into: directory, number: index + 1)
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
            try #require(files.count == 3, "dbmate files: \(files)")
            let text = try String(contentsOf: directory.appendingPathComponent(files[0]), encoding: .utf8)
            #expect(!text.contains("DELIMITER"), "a driver must not get DELIMITER")

            func declared(_ index: Int) -> Set<CatalogRow> { Self.declaredOverTCP(versions[index]) }
            func runDbmate(_ command: String) throws -> Bool {
                let result = try ClientProcess.run(dbmatePath, ["--url", "mysql://root@127.0.0.1:\(server.port)/rolec_dbmate",
                                                            "--migrations-dir", directory.path, "--no-dump-schema", command],
                                                   input: "", removing: ["DATABASE_URL"], setting: [:])
                if result.status != 0 { live.fail("dbmate \(command) exited \(result.status)", result.stdout + result.stderr) }
                return result.status == 0
            }
            // dbmate's schema_migrations table is not account state: the snapshot reads only the grant tables.
            guard try runDbmate("up") else { return }
            live.compare(expected: declared(2), step: "after dbmate up (creates the database, then v1, v2, v3)")
            for index in [1, 0] {
                guard try runDbmate("rollback") else { return }
                live.compare(expected: declared(index), step: "after dbmate rollback to v\(index + 1)")
            }
            guard try runDbmate("rollback") else { return }
            live.compare(expected: baseline, step: "after dbmate rollback of v1")
            guard try runDbmate("migrate") else { return }
            live.compare(expected: declared(2), step: "after dbmate migrate again")
        }
    }
}

/// Applying migrations to the live server and comparing the grant tables.
struct MariaDBMigrationLive {
    let server: MariaDBServer
    let label: String

    typealias Q = MariaDBServer
    typealias C = MariaDBCatalog

    /// Applies the sections through the mariadb client (DELIMITER around compound
    /// statements); an error or a warning is a test failure.
    func apply(_ sections: [MigrationSection], step: String) -> Bool {
        let sql = MySQLMigrationSupport.text(sections)
        do {
            let run = try server.run(sql, showWarnings: true)
            if !run.warnings.isEmpty { fail("\(step) printed warnings", run.warnings.joined(separator: "\n"), sql: sql) }
            return true
        } catch let error as MariaDBError {
            fail("\(step) failed", error.stderr.trimmingCharacters(in: .whitespacesAndNewlines), sql: sql)
            return false
        } catch {
            fail("\(step) failed", "\(error)", sql: sql)
            return false
        }
    }

    func compare(expected: Set<CatalogRow>, step: String, ignoring: (CatalogRow) -> Bool = { _ in false }) {
        do {
            let actual = try C.snapshot(server).filter { !ignoring($0) }
            let diff = CatalogDiff(expected: expected, actual: actual)
            if !diff.isEmpty { fail("the server's state \(step) differs from the declared state", diff.render()) }
        } catch {
            fail("reading the state \(step) failed", "\(error)")
        }
    }

    func fail(_ what: String, _ details: String, sql: String? = nil) {
        var where_ = ""
        if let sql {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-live-failures")
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("migration-\(label.replacingOccurrences(of: " ", with: "-"))-mariadb.sql")
            try? sql.write(to: file, atomically: true, encoding: .utf8)
            where_ = " (SQL: \(file.path))"
        }
        Issue.record("\(label) on MariaDB: \(what)\(where_)\n\(details)")
    }

    /// Grants the privileges the policy revokes to the grantees that exist before its
    /// first migration (PUBLIC and the external principals), so the down migration has
    /// something to give back.
    func holdRevokedPrivileges(_ ir: PolicyIR, run: MariaDBCaseRun) throws {
        let external = Set(ir.principals.filter(\.external).map(\.name))
        var model = MariaDBExpectation(ir: ir)
        var sql: [String] = []
        for fact in ir.revokes where fact.grantee.name.map(external.contains) ?? true {
            for privilege in model.mapped(fact) {
                sql.append("GRANT \(run.grantSQL(privilege)) TO \(run.sqlGrantee(privilege.grantee));")
            }
        }
        if !sql.isEmpty { try server.sql(sql.joined(separator: "\n")) }
    }

    /// Rows a down migration cannot restore: the absent principals the up migration
    /// dropped (nothing says what they were), the account rows of external users
    /// (their password, limit and default role before the policy managed them), and
    /// the revoked privileges held before (`revokedHeld`: a declared revoke is not undone).
    func unknowableByDown(_ ir: PolicyIR, revokedHeld: Set<CatalogRow>) -> (CatalogRow) -> Bool {
        var holders: Set<String> = []
        for a in ir.absent {
            holders.insert(a.kind == .user ? C.user(a.name, "%") : C.role(a.name))
            holders.insert(Q.quoteIdentifier(a.name))
        }
        var externalAccounts: Set<String> = []
        let model = MariaDBExpectation(ir: ir)
        for p in ir.principals where p.external && model.isAccount(p) {
            for host in model.hosts(p) { externalAccounts.insert(C.user(p.name, host)) }
        }
        return { row in
            if revokedHeld.contains(row) { return true }
            if row.fields.dropFirst().contains(where: holders.contains) { return true }
            return row.fields.first == "account" && row.fields.count > 1 && externalAccounts.contains(row.fields[1])
        }
    }

    /// Resets the server and creates what every version of a series needs: the
    /// databases and objects their grants name, and their external principals.
    func prepare(_ versions: [PolicyIR]) throws {
        var union = PolicyIR(dialect: "mariadb", serverVersion: "10.11")
        var externals: [String: IRPrincipal] = [:]
        for ir in versions {
            union.grants += ir.grants
            union.revokes += ir.revokes
            for p in ir.principals where p.external { externals[p.name] = p }
        }
        try server.resetAccounts()
        let model = MariaDBExpectation(ir: union)
        var sql = [MariaDBFixture(ir: union).objectSQL]
        for p in externals.values.sorted() {
            if model.isAccount(p) {
                for host in model.hosts(p) { sql.append("CREATE USER \(Q.account(p.name, host));") }
            } else {
                sql.append("CREATE ROLE \(Q.quoteIdentifier(p.name));")
            }
        }
        try server.sql(sql.filter { !$0.isEmpty }.joined(separator: "\n"))
    }

    /// Empty -> versions[0] -> ... -> last, then down to empty again: the declared state
    /// after every migration and after running it twice; then every migration cut
    /// after each statement (from its start state): the cut state within the bounds of
    /// the old and the new policy (`outsideBounds`), and the whole migration run on it
    /// reaching the new state.
    /// Returns the number of cuts.
    func checkSeries(_ versions: [PolicyIR]) throws -> Int {
        let states = [MySQLMigrationSupport.empty(.mariadb)] + versions
        try prepare(versions)
        let baseline = try C.snapshot(server)
        func declared(_ index: Int) -> Set<CatalogRow> {
            if index == 0 { return baseline }
            var model = MariaDBExpectation(ir: states[index])
            return model.rows()
        }
        func migration(_ from: Int, _ to: Int) -> [MigrationSection] {
            let both = MySQLMigrationSupport.migration(states[min(from, to)], states[max(from, to)], .mariadb)
            return to > from ? both.up : both.down
        }
        func name(_ from: Int, _ to: Int) -> String {
            "\(from == 0 ? "empty" : "v\(from)") -> \(to == 0 ? "empty" : "v\(to)")"
        }
        let steps = Array(zip(states.indices.dropLast(), states.indices.dropFirst())) + zip(states.indices.dropFirst(), states.indices.dropLast()).reversed()
        for (from, to) in steps {
            let sections = migration(from, to)
            guard apply(sections, step: name(from, to)) else { return 0 }
            compare(expected: declared(to), step: "after \(name(from, to))")
            guard apply(sections, step: "\(name(from, to)), again") else { return 0 }
            compare(expected: declared(to), step: "after \(name(from, to)) twice")
        }
        var cuts = 0
        for (from, to) in steps {
            let statements = MySQLMigrationSupport.statements(migration(from, to))
            for cut in 1..<max(1, statements.count) {
                try prepare(versions)
                for step in stride(from: 0, to: from, by: 1) {
                    guard apply(migration(step, step + 1), step: "reaching \(name(step, step + 1))") else { return cuts }
                }
                let prefix = Array(statements.prefix(cut))
                guard apply([MigrationSection("prefix", prefix)], step: "\(name(from, to)) cut after \(cut) of \(statements.count)") else { return cuts }
                let state = try C.snapshot(server)
                if let problem = Self.outsideBounds(state, old: declared(from), new: declared(to)) {
                    fail("\(name(from, to)) cut after statement \(cut) of \(statements.count) leaves an unsafe state",
                         problem + "\n-- last statement:\n" + (prefix.last?.sql ?? ""))
                }
                guard apply([MigrationSection("all", statements)], step: "\(name(from, to)) after a cut at \(cut)") else { return cuts }
                compare(expected: declared(to), step: "after \(name(from, to)) cut at \(cut), then run whole")
                cuts += 1
            }
        }
        print("live: \(label) on MariaDB: \(steps.count) migrations applied twice each, \(cuts) cuts re-run")
        return cuts
    }

    /// nil when `state`, a migration from `old` to `new` cut short, is safe: it holds at
    /// least what both policies give (old ∩ new: accounts, direct memberships, admin
    /// options, privileges and grant options, and every privilege a login or role can
    /// use through its active roles) and nothing neither gives (direct rows within
    /// old ∪ new, each account attribute its old or new value). Else what is wrong.
    static func outsideBounds(_ state: Set<CatalogRow>, old: Set<CatalogRow>, new: Set<CatalogRow>) -> String? {
        /// Atomic capabilities: a membership with admin is the membership plus the admin option.
        func capabilities(_ rows: Set<CatalogRow>) -> Set<CatalogRow> {
            var result = Set<CatalogRow>()
            for row in rows {
                switch row.fields.first {
                case "member":
                    result.insert(CatalogRow(["member"] + row.fields[1...2]))
                    if row.fields.last == "admin=true" { result.insert(CatalogRow(["admin"] + row.fields[1...2])) }
                case "grant", "grant option":
                    result.insert(row)
                default:
                    break
                }
            }
            return result
        }
        /// Account rows by grantee (roles have no attributes).
        func accounts(_ rows: Set<CatalogRow>) -> [String: [String]] {
            var result: [String: [String]] = [:]
            for row in rows where row.fields.first == "account" { result[row.fields[1]] = Array(row.fields.dropFirst(2)) }
            return result
        }
        let columnsOf = Dictionary(grouping: (state.union(old).union(new)).filter { $0.fields.first == "grant" && $0.fields[2] == "column" },
                                   by: { $0.fields[3] }).mapValues { Set($0.map { $0.fields[4] }) }
        /// What `grantee` can use with its active roles: privileges and grant options
        /// without the holder; a table-level privilege also on each known column.
        func usable(_ grantee: String, in rows: Set<CatalogRow>) -> Set<CatalogRow> {
            var graph: [String: Set<String>] = [:]
            for row in rows where row.fields.first == "member" {
                graph[row.fields[2], default: []].insert("role " + row.fields[1])
            }
            var active: Set<String> = [grantee, MariaDBCatalog.publicGrantee]
            var queue = Array(graph[MariaDBCatalog.publicGrantee] ?? [])
            if grantee.hasPrefix("user "), let row = accounts(rows)[grantee], let field = row.first, field.hasPrefix("default role=") {
                let role = "role " + MariaDBServer.quoteIdentifier(String(field.dropFirst("default role=".count)))
                // A default role that is not (or no longer) granted activates nothing.
                if field != "default role=", graph[grantee]?.contains(role) == true { queue.append(role) }
            } else if grantee.hasPrefix("role ") {
                queue += graph[grantee] ?? []
            }
            while let next = queue.popLast() {
                if active.insert(next).inserted { queue += graph[next] ?? [] }
            }
            var result = Set<CatalogRow>()
            for row in rows where (row.fields.first == "grant" || row.fields.first == "grant option") && active.contains(row.fields[1]) {
                var fields = row.fields
                fields.remove(at: 1)
                result.insert(CatalogRow(fields))
                if fields[0] == "grant" && fields[1] == "table" {
                    for column in columnsOf[fields[2]] ?? [] { result.insert(CatalogRow(["grant", "column", fields[2], column, fields[4]])) }
                }
            }
            return result
        }
        func listed(_ rows: some Sequence<CatalogRow>) -> String { rows.sorted().map { "  \($0)" }.joined(separator: "\n") }

        var problems: [String] = []
        let held = capabilities(state), before = capabilities(old), after = capabilities(new)
        // Nothing neither policy gives.
        let neither = held.subtracting(before.union(after))
        if !neither.isEmpty { problems.append("held, but given by neither policy:\n" + listed(neither)) }
        let (stateAccounts, oldAccounts, newAccounts) = (accounts(state), accounts(old), accounts(new))
        for (account, fields) in stateAccounts.sorted(by: { $0.key < $1.key }) {
            guard oldAccounts[account] != nil || newAccounts[account] != nil else {
                problems.append("account in neither policy: \(account)")
                continue
            }
            // An account one policy creates starts as CREATE USER leaves it: no default
            // role, and locked with no verifier or unlocked with its verifier (never open).
            let creating = oldAccounts[account] == nil || newAccounts[account] == nil
            let locked = fields.contains("locked=true")
            for (index, field) in fields.enumerated() where field != oldAccounts[account]?[safe: index] && field != newAccounts[account]?[safe: index] {
                if creating && (field == "default role=" || field == "max user connections=0" || (field == "password=" && locked)) { continue }
                problems.append("\(account): \(field) is neither its old nor its new value")
            }
        }
        // At least what both policies give.
        let missing = before.intersection(after).subtracting(held)
        if !missing.isEmpty { problems.append("given by both policies, but not held:\n" + listed(missing)) }
        for account in Set(oldAccounts.keys).intersection(newAccounts.keys).sorted() {
            guard stateAccounts[account] != nil else {
                problems.append("account of both policies missing: \(account)")
                continue
            }
            let lost = usable(account, in: old).intersection(usable(account, in: new)).subtracting(usable(account, in: state))
            if !lost.isEmpty { problems.append("\(account) cannot use what both policies let it use:\n" + listed(lost)) }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "\n")
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
