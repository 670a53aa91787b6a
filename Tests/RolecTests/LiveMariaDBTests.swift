// Live proof that a compiled script yields exactly the declared state on a real
// MariaDB 10.11 server, for every golden case in dialects/examples that compiles
// for `mariadb` (the list is read at run time), and that logins then can do what
// the policy grants through their roles and nothing else.
//
// Per case (IR and scripts from `Compilation`; the expected state is computed from
// the IR alone by MariaDBCatalog.swift and compared row by row, both directions,
// with what it reads from mysql.global_priv, roles_mapping, db, tables_priv,
// columns_priv, procs_priv and proxies_priv):
//
//  A. Fresh server (PUBLIC does not exist yet): accounts reset; every database (= schema), table (with the
//     columns of column grants), view, sequence, function and procedure the IR
//     names created, plus one of each kind in every database an `S.*` grant names;
//     external principals created; absent principals created holding privileges at
//     every level. The script is applied through the `mariadb` client (DELIMITER
//     blocks included; a Warning fails the test) and the state must equal the
//     declared one. Then the script is applied again: nothing may change.
//  B. End to end, on that state: every user account reachable from here (host `%`
//     or matching 127.0.0.1 over TCP, `localhost` over the socket) that the policy
//     declares without a password must refuse a login with an empty password; then
//     the test sets a password (ALTER USER ... IDENTIFIED BY PASSWORD, ACCOUNT
//     UNLOCK), logs in and checks CURRENT_USER() and the active role, and runs one
//     probe per object: SELECT on every table, view and sequence, INSERT into every
//     table, NEXT VALUE FOR every sequence, every function and procedure. Each must
//     succeed exactly when the declared state gives the login that privilege (its
//     own, PUBLIC's, its default role's and every role below it, transitively).
//  C. `--phase principals`, then `--phase privileges`: the same declared state.
//  D. Every other managed principal exists already (users with another password and
//     MAX_USER_CONNECTIONS 3), and the privileges the policy revokes are held by the
//     grantees that exist: the declared state, where existing users keep their
//     password and stay unlocked unless the policy declares a hash (mysql.md).

import Foundation
import Testing
@testable import Rolec

extension LiveServerTests {
    @Suite("Live MariaDB: scripts yield the declared state")
    struct LiveMariaDBTests {
        @Test("golden case on MariaDB", .requiresMariaDB, arguments: Golden.caseNames)
        func mariadb(_ name: String) throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try MariaDBCaseRun(name: name, server: server)?.run()
        }

        /// What the corpus lacks: a user in several roles (an umbrella default role)
        /// whose roles hold privileges on objects, three levels of nested roles, a
        /// user whose default role is one of its roles, and grants to PUBLIC.
        @Test("nested roles and an umbrella default role, end to end", .requiresMariaDB)
        func umbrellaAndNestedRoles() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            let policy = """
                role base_reader
                role reports { member of base_reader }
                role writer
                user analyst {
                  member of reports, writer
                  password hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'
                }
                user viewer {
                  member of reports
                  host 'localhost', '%'
                }
                user narrow {
                  member of reports, writer
                  default role writer
                }
                grant select on table shop.orders to base_reader
                grant insert on table shop.audit to writer
                grant select (note) on table shop.audit to reports
                grant execute on function shop.total() to reports
                grant execute on procedure shop.refresh() to writer
                grant select on sequence shop.order_numbers to reports
                grant usage on sequence shop.order_numbers to writer
                grant select on all tables in schema reporting to base_reader
                grant select on table shop.catalog to public
                revoke insert on table shop.catalog from public
                """
            let compilation = Compilation(files: [SourceFile(id: 0, path: "inline/policy.roles", bytes: Array(policy.utf8))])
            let run = try #require(try MariaDBCaseRun(name: "inline-umbrella", server: server, compilation: compilation))
            #expect(run.script.contains("rolec_default_analyst"), "no umbrella role in:\n\(run.script)")
            try run.run()
        }

        /// Guards against a vacuous pass: the corpus must give the live tests work.
        @Test("golden cases compile for MariaDB")
        func corpusCompiles() throws {
            let dialect = try #require(DialectRegistry.named("mariadb"))
            let compiling = try Golden.caseNames.filter { name in
                try Golden.load(name).compile(for: Target(dialect: dialect, version: dialect.defaultVersion)).script != nil
            }
            #expect(compiling.count >= 5, "only \(compiling) compile for MariaDB")
        }

        /// The access-bit table the reader decodes global privileges with.
        @Test("global privilege bits", .requiresMariaDB)
        func globalBits() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try server.resetAccounts()
            defer { try? server.resetAccounts() }
            var sql = ["CREATE ROLE rolec_bits;"]
            for name in MariaDBCatalog.globalBits {
                sql.append(name == "GRANT OPTION" ? "GRANT USAGE ON *.* TO rolec_bits WITH GRANT OPTION;"
                                                  : "GRANT \(name) ON *.* TO rolec_bits;")
                sql.append("SELECT JSON_ARRAY(\(MariaDBServer.quoteString(name)), JSON_VALUE(Priv, '$.access')) FROM mysql.global_priv WHERE User = 'rolec_bits';")
                sql.append("REVOKE ALL PRIVILEGES, GRANT OPTION FROM rolec_bits;")
            }
            let rows = try server.jsonRows(sql.joined(separator: "\n"))
            #expect(rows.count == MariaDBCatalog.globalBits.count)
            for (bit, row) in rows.enumerated() {
                #expect(row == [MariaDBCatalog.globalBits[bit], String(UInt64(1) << UInt64(bit))])
            }
            // And the whole list at once decodes back to itself.
            try server.sql("GRANT ALL PRIVILEGES ON *.* TO rolec_bits WITH GRANT OPTION;")
            let decoded = try MariaDBCatalog.snapshot(server).filter { $0.fields.first?.hasPrefix("grant") == true }
            var declared = Set(MariaDBCatalog.globalBits.filter { $0 != "GRANT OPTION" }.map {
                CatalogRow(["grant", "role `rolec_bits`", "global", "*.*", "", $0])
            })
            declared.insert(CatalogRow(["grant option", "role `rolec_bits`", "global", "*.*"]))
            let diff = CatalogDiff(expected: declared, actual: decoded)
            #expect(diff.isEmpty, "\(diff.render())")
        }

        /// The reader and the comparison can fail: a missing grant or an extra one is reported.
        @Test("a wrong state is reported", .requiresMariaDB)
        func detectsDifferences() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try server.resetAccounts()
            defer { try? server.resetAccounts() }
            try server.sql("""
                CREATE DATABASE rolec_self;
                CREATE TABLE rolec_self.t (id INT, c INT);
                CREATE ROLE rolec_reader;
                CREATE USER 'rolec_u'@'%' ACCOUNT LOCK;
                GRANT rolec_reader TO 'rolec_u'@'%';
                GRANT SELECT, INSERT ON rolec_self.t TO rolec_reader;
                GRANT UPDATE (c) ON rolec_self.t TO 'rolec_u'@'%' WITH GRANT OPTION;
                GRANT SELECT ON `rolec\\_self`.* TO PUBLIC;
                """)
            let rows = try MariaDBCatalog.snapshot(server)
            let expected: Set<CatalogRow> = [
                CatalogRow(["account", "role `rolec_reader`"]),
                CatalogRow(["account", "user `rolec_u`@`%`", "default role=", "plugin=mysql_native_password", "password=",
                            "locked=true", "max user connections=0"]),
                CatalogRow(["member", "`rolec_reader`", "user `root`@`localhost`", "admin=true"]),
                CatalogRow(["member", "`rolec_reader`", "user `rolec_u`@`%`", "admin=false"]),
                CatalogRow(["grant", "role `rolec_reader`", "table", "`rolec_self`.`t`", "", "SELECT"]),
                CatalogRow(["grant", "role `rolec_reader`", "table", "`rolec_self`.`t`", "", "INSERT"]),
                CatalogRow(["grant", "user `rolec_u`@`%`", "column", "`rolec_self`.`t`", "c", "UPDATE"]),
                CatalogRow(["grant option", "user `rolec_u`@`%`", "table", "`rolec_self`.`t`"]),
                CatalogRow(["grant", "PUBLIC", "database", "rolec\\_self", "", "SELECT"]),
            ]
            #expect(CatalogDiff(expected: expected, actual: rows).isEmpty, "\(CatalogDiff(expected: expected, actual: rows).render())")
            var declared = rows
            declared.remove(CatalogRow(["grant", "role `rolec_reader`", "table", "`rolec_self`.`t`", "", "INSERT"]))
            declared.insert(CatalogRow(["grant", "role `rolec_reader`", "table", "`rolec_self`.`t`", "", "DELETE"]))
            let diff = CatalogDiff(expected: declared, actual: rows)
            #expect(diff.missing.map(\.description) == ["grant | role `rolec_reader` | table | `rolec_self`.`t` |  | DELETE"])
            #expect(diff.unexpected.map(\.description) == ["grant | role `rolec_reader` | table | `rolec_self`.`t` |  | INSERT"])
        }
    }
}

/// One golden case on the MariaDB server: setup, apply, compare, re-apply, log in,
/// phases, pre-existing principals.
struct MariaDBCaseRun {
    let name: String
    let server: MariaDBServer
    let script: String
    let principalsPhase: String
    let privilegesPhase: String
    let ir: PolicyIR
    let fixture: MariaDBFixture
    var label: String { "case \(name) on MariaDB" }

    typealias Q = MariaDBServer
    typealias C = MariaDBCatalog

    /// nil when the case does not compile for MariaDB (its diagnostics are the golden tests' business).
    init?(name: String, server: MariaDBServer) throws {
        try self.init(name: name, server: server, compilation: try Golden.load(name))
    }

    init?(name: String, server: MariaDBServer, compilation: Compilation) throws {
        guard let dialect = DialectRegistry.named("mariadb") else {
            Issue.record("no mariadb dialect registered")
            return nil
        }
        let target = Target(dialect: dialect, version: dialect.defaultVersion)
        let output = compilation.compile(for: target)
        guard let script = output.script, let ir = output.ir else {
            print("live: \(name) does not compile for MariaDB; nothing to apply")
            return nil
        }
        self.name = name
        self.server = server
        self.script = script
        self.principalsPhase = compilation.compile(for: target, options: RenderOptions(phase: .principals)).script ?? ""
        self.privilegesPhase = compilation.compile(for: target, options: RenderOptions(phase: .privileges)).script ?? ""
        self.ir = ir
        self.fixture = MariaDBFixture(ir: ir)
    }

    func run() throws {
        let started = Date()
        defer { try? server.resetAccounts() }
        var model = MariaDBExpectation(ir: ir)
        let expected = model.rows()
        for problem in Set(model.problems + fixture.problems).sorted() { Issue.record("\(label): test model: \(problem)") }
        var summary = "\(expected.count) rows"
        defer { print("live: \(label): \(summary), \(String(format: "%.1f", Date().timeIntervalSince(started)))s") }

        // A. Fresh server; first apply, then the same script again.
        try prepare()
        if apply(script, step: "first apply") {
            let first = try C.snapshot(server)
            compare(expected: expected, actual: first, step: "after the first apply")
            if apply(script, step: "second apply") {
                let rerun = CatalogDiff(expected: first, actual: try C.snapshot(server))
                if !rerun.isEmpty {
                    fail("the second apply changed the state", rerun.render(expectedName: "after the first apply", actualName: "after the second"))
                }
            }
            // B. Logins.
            summary += ", " + (try endToEnd(expected: expected))
        }

        // C. Phases.
        try prepare()
        if apply(principalsPhase, step: "--phase principals"), apply(privilegesPhase, step: "--phase privileges") {
            compare(expected: expected, actual: try C.snapshot(server), step: "after --phase principals, --phase privileges")
        }

        // D. Principals that exist already; revoked privileges held.
        let preExisting = ir.principals.filter { !$0.external }.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        if !preExisting.isEmpty {
            let stale = try server.sql("SELECT PASSWORD('stale password');")
            let preGranted = try prepare(preExisting: preExisting, staleHash: stale)
            var staleUsers: [String: String] = [:]
            for p in preExisting where model.isAccount(p) { staleUsers[p.name] = stale }
            var existingModel = MariaDBExpectation(ir: ir)
            if apply(script, step: "apply over pre-existing principals") {
                compare(expected: existingModel.rows(preExisting: staleUsers), actual: try C.snapshot(server),
                        step: "after applying over pre-existing \(preExisting.map(\.name).joined(separator: ", "))"
                            + (preGranted > 0 ? " holding \(preGranted) revoked privileges" : ""))
            }
            summary += ", \(preExisting.count) pre-existing, \(preGranted) revoked privileges held before"
        }
    }

    // MARK: setup

    /// Resets the server and creates the fixture, the external principals, the
    /// absent ones (holding privileges), and `preExisting` ones with other settings;
    /// with `preExisting`, the privileges the policy revokes are granted first to
    /// the grantees that exist (PUBLIC included); returns how many.
    @discardableResult
    func prepare(preExisting: [IRPrincipal] = [], staleHash: String = "") throws -> Int {
        try server.resetAccounts()
        let model = MariaDBExpectation(ir: ir)
        var sql = [fixture.objectSQL]
        for p in ir.principals where p.external {
            if model.isAccount(p) {
                for host in model.hosts(p) { sql.append("CREATE USER \(Q.account(p.name, host));") }
            } else {
                sql.append("CREATE ROLE \(Q.quoteIdentifier(p.name));")
            }
        }
        sql.append(fixture.absentSQL)
        for p in preExisting {
            if model.isAccount(p) {
                for host in model.hosts(p) {
                    sql.append("CREATE USER \(Q.account(p.name, host)) IDENTIFIED BY PASSWORD \(Q.quoteString(staleHash)) WITH MAX_USER_CONNECTIONS 3;")
                }
            } else {
                sql.append("CREATE ROLE \(Q.quoteIdentifier(p.name));")
            }
        }
        // Privileges the policy revokes, held by the grantees that exist before the script.
        let existing = Set(ir.principals.filter(\.external).map(\.name) + preExisting.map(\.name))
        var preGranted = 0
        var revokeModel = MariaDBExpectation(ir: ir)
        for fact in ir.revokes where !preExisting.isEmpty && (fact.grantee.name.map(existing.contains) ?? true) {
            for privilege in revokeModel.mapped(fact) {
                sql.append("GRANT \(grantSQL(privilege)) TO \(sqlGrantee(privilege.grantee));")
                preGranted += 1
            }
        }
        try setup(sql.filter { !$0.isEmpty }.joined(separator: "\n"), what: "creating objects and principals")
        return preGranted
    }

    /// `PRIV [(col)] ON target` for a privilege of the model.
    func grantSQL(_ p: MariaDBExpectation.Privilege) -> String {
        let on: String
        switch p.level {
        case "global": on = "*.*"
        case "database": on = Q.quoteIdentifier(p.object) + ".*"
        case "function": on = "FUNCTION " + p.object
        case "procedure": on = "PROCEDURE " + p.object
        default: on = p.object
        }
        return p.privilege + (p.level == "column" ? " (\(Q.quoteIdentifier(p.column)))" : "") + " ON " + on
    }

    /// The SQL account or role of a grantee string of the model.
    func sqlGrantee(_ grantee: String) -> String {
        if grantee == C.publicGrantee { return "PUBLIC" }
        if grantee.hasPrefix("role ") { return String(grantee.dropFirst(5)) }
        return String(grantee.dropFirst(5)) // "user `u`@`h`"
    }

    func setup(_ sql: String, what: String) throws {
        do {
            try server.sql(sql)
        } catch {
            Issue.record("\(label): test setup failed (\(what)); the fixture cannot be built:\n\(error)")
            throw error
        }
    }

    // MARK: apply and compare

    /// Applies a script through the client; records the error (or any Warning) with
    /// the script saved to a file, and returns whether it succeeded.
    func apply(_ sql: String, step: String) -> Bool {
        do {
            let run = try server.run(sql, showWarnings: true)
            if !run.warnings.isEmpty {
                fail("\(step) printed warnings", run.warnings.map { "  \($0)" }.joined(separator: "\n"), sql: sql)
            }
            return true
        } catch let error as MariaDBError {
            fail("\(step) failed", error.stderr.trimmingCharacters(in: .whitespacesAndNewlines), sql: sql)
            return false
        } catch {
            fail("\(step) failed", "\(error)", sql: sql)
            return false
        }
    }

    func compare(expected: Set<CatalogRow>, actual: Set<CatalogRow>, step: String) {
        let diff = CatalogDiff(expected: expected, actual: actual)
        if !diff.isEmpty { fail("the server's state \(step) differs from the declared state", diff.render()) }
    }

    func fail(_ what: String, _ details: String, sql: String? = nil) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-live-failures")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let suffix = sql == principalsPhase && sql != script ? ".principals" : sql == privilegesPhase && sql != script ? ".privileges" : ""
        let file = directory.appendingPathComponent("\(name)-mariadb\(suffix).sql")
        try? (sql ?? script).write(to: file, atomically: true, encoding: .utf8)
        Issue.record("\(label): \(what) (script: \(file.path))\n\(details)")
    }

    // MARK: B. logins

    struct Probe {
        var sql: String
        var what: String
        var allowed: Bool
        var viaRole: Bool
        /// The policy means this to work (sequence usage: NEXT VALUE FOR), whatever the server model says.
        var intended: Bool = false
    }

    /// Counters of the logins, for the summary line.
    struct LoginTally {
        var logins = 0, roleLogins = 0, refusedEmpty = 0, unreachable = 0, probes = 0, allowed = 0, viaRoles = 0
    }

    /// Logs in as every reachable user account of the case, then as a throwaway
    /// user per role of the policy (that role its default role); returns a summary.
    func endToEnd(expected: Set<CatalogRow>) throws -> String {
        var model = MariaDBExpectation(ir: ir)
        let (held, _) = model.privileges()
        let graph = MariaDBExpectation.roleGraph(expected)
        let password = "rolec live pw"
        let hash = try server.sql("SELECT PASSWORD(\(Q.quoteString(password)));")
        var tally = LoginTally()
        for p in ir.principals where model.isAccount(p) && !p.external {
            for host in model.hosts(p) {
                let tcp = MariaDBExpectation.likeMatches(host, "127.0.0.1")
                let socket = !tcp && host == "localhost"
                guard tcp || socket else {
                    tally.unreachable += 1
                    continue
                }
                let account = C.user(p.name, host)
                if model.nativeVerifier(p) == nil {
                    // Declared without a password: an empty password must not get in.
                    do {
                        _ = try server.loginProbe(user: p.name, password: "", overSocket: socket, sql: "SELECT CURRENT_USER();")
                        fail("\(account), declared without a password, logged in with an empty password", "")
                    } catch let error as MariaDBError {
                        if error.code == 4151 || error.code == 1045 { tally.refusedEmpty += 1 } else {
                            fail("login as \(account) with an empty password failed unexpectedly", error.message)
                        }
                    }
                }
                try server.sql("ALTER USER \(Q.account(p.name, host)) IDENTIFIED BY PASSWORD \(Q.quoteString(hash)) ACCOUNT UNLOCK;")
                try probeLogin(user: p.name, host: host, overSocket: socket, password: password,
                               defaultRole: model.defaultRole(p), held: held, graph: graph, tally: &tally)
            }
        }
        // Roles without users in the policy: a throwaway user each, with the role as its default role.
        for (index, p) in ir.principals.filter({ !model.isAccount($0) }).enumerated() {
            let user = "rolec_probe_\(index)"
            try server.sql("""
                CREATE USER \(Q.account(user, "%")) IDENTIFIED BY PASSWORD \(Q.quoteString(hash));
                GRANT \(Q.quoteIdentifier(p.name)) TO \(Q.account(user, "%"));
                SET DEFAULT ROLE \(Q.quoteIdentifier(p.name)) FOR \(Q.account(user, "%"));
                """)
            let before = tally.logins
            try probeLogin(user: user, host: "%", overSocket: false, password: password, defaultRole: p.name,
                           held: held, graph: graph, tally: &tally, label: "role \(p.name)")
            tally.roleLogins += tally.logins - before
            tally.logins = before
        }
        var text = "\(tally.logins) user logins, \(tally.roleLogins) role logins, \(tally.probes) probes "
            + "(\(tally.allowed) allowed, \(tally.viaRoles) through roles)"
        if tally.refusedEmpty > 0 { text += ", \(tally.refusedEmpty) empty-password logins refused" }
        if tally.unreachable > 0 { text += ", \(tally.unreachable) accounts not reachable from 127.0.0.1/socket" }
        return text
    }

    /// One login of `user`@`host` running every probe; records what differs from the declared state.
    func probeLogin(user: String, host: String, overSocket: Bool, password: String, defaultRole: String,
                    held: Set<MariaDBExpectation.Privilege>, graph: [String: [String]], tally: inout LoginTally,
                    label: String? = nil) throws {
        let account = C.user(user, host)
        let who = label.map { "\(account) (\($0))" } ?? account
        let effective = MariaDBExpectation.Effective(
            held: held, holders: MariaDBExpectation.activeHolders(account: account, defaultRole: defaultRole, graph: graph))
        let list = probes(effective)
        let lines = ["SELECT JSON_ARRAY(CURRENT_USER(), IFNULL(CURRENT_ROLE(), ''));"] + list.map(\.sql)
        let result: MariaDBProbeRun
        do {
            result = try server.loginProbe(user: user, password: password, overSocket: overSocket, sql: lines.joined(separator: "\n"))
        } catch let error as MariaDBError {
            fail("login as \(who) with the password the test set failed", error.message)
            return
        }
        let failures = result.failures
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        let identity = (try? JSONSerialization.jsonObject(with: Data(first.utf8))) as? [String] ?? []
        guard identity.first == "\(user)@\(host)" else {
            // Another account of the same user matched this connection first.
            if identity.isEmpty { fail("login as \(who) printed no identity", result.stderr) }
            tally.unreachable += 1
            return
        }
        tally.logins += 1
        if identity.count > 1, identity[1] != defaultRole {
            fail("login as \(who): active role '\(identity[1])', declared '\(defaultRole)'", "")
        }
        var wrong: [String] = []
        for (index, probe) in list.enumerated() {
            let failure = failures[index + 2]
            tally.probes += 1
            if probe.allowed {
                if let failure {
                    wrong.append("  refused, declared allowed: \(probe.what): \(failure)")
                } else {
                    tally.allowed += 1
                    if probe.viaRole { tally.viaRoles += 1 }
                }
            } else if failure == nil {
                wrong.append("  allowed, declared refused: \(probe.what)")
            } else if let failure, !["ERROR 1142 ", "ERROR 1143 ", "ERROR 1370 "].contains(where: failure.hasPrefix) {
                wrong.append("  refused for another reason than a missing privilege: \(probe.what): \(failure)")
            }
            if probe.intended, let failure {
                wrong.append("  the policy grants it (usage/update on the sequence), the server refuses it: \(probe.what): \(failure)")
            }
        }
        if !wrong.isEmpty {
            fail("login as \(who) (active: \(effective.holders.sorted().joined(separator: ", "))) could not do what the declared state says",
                 wrong.joined(separator: "\n"))
        }
    }

    /// One statement per fixture object and privilege, with whether `effective` allows it.
    func probes(_ effective: MariaDBExpectation.Effective) -> [Probe] {
        var list: [Probe] = []
        for r in fixture.relations {
            let db = r.database
            // SELECT
            if effective.has("SELECT", database: db, object: r.object) {
                list.append(Probe(sql: "SELECT COUNT(*) FROM \(r.object);", what: "SELECT on \(r.object)", allowed: true,
                                  viaRole: effective.viaRole("SELECT", object: r.object, database: db)))
            } else if let column = effective.columns("SELECT", object: r.object).first {
                list.append(Probe(sql: "SELECT COUNT(\(Q.quoteIdentifier(column))) FROM \(r.object);",
                                  what: "SELECT (\(column)) on \(r.object)", allowed: true,
                                  viaRole: effective.viaRole("SELECT", object: r.object, database: db)))
            } else {
                list.append(Probe(sql: "SELECT COUNT(*) FROM \(r.object);", what: "SELECT on \(r.object)", allowed: false, viaRole: false))
            }
            switch r.kind {
            case .table:
                if effective.has("INSERT", database: db, object: r.object) {
                    list.append(Probe(sql: "INSERT INTO \(r.object) (`id`) VALUES (NULL);", what: "INSERT into \(r.object)",
                                      allowed: true, viaRole: effective.viaRole("INSERT", object: r.object, database: db)))
                } else if let column = effective.columns("INSERT", object: r.object).first {
                    list.append(Probe(sql: "INSERT INTO \(r.object) (\(Q.quoteIdentifier(column))) VALUES (NULL);",
                                      what: "INSERT (\(column)) into \(r.object)", allowed: true,
                                      viaRole: effective.viaRole("INSERT", object: r.object, database: db)))
                } else {
                    list.append(Probe(sql: "INSERT INTO \(r.object) (`id`) VALUES (NULL);", what: "INSERT into \(r.object)",
                                      allowed: false, viaRole: false))
                }
            case .sequence:
                // NEXT VALUE FOR needs SELECT and INSERT on the sequence (MariaDB 10.11, checked live).
                let can = effective.has("SELECT", database: db, object: r.object) && effective.has("INSERT", database: db, object: r.object)
                list.append(Probe(sql: "SELECT NEXT VALUE FOR \(r.object);", what: "NEXT VALUE FOR \(r.object)", allowed: can,
                                  viaRole: can && effective.viaRole("INSERT", object: r.object, database: db),
                                  intended: policyGrantsSequenceUse(r, to: effective.holders)))
            case .view:
                break
            }
        }
        for r in fixture.routines {
            let can = effective.has("EXECUTE", database: r.database, object: r.object, level: r.kind.rawValue)
            let sql = r.kind == .function ? "SELECT \(r.object)();" : "CALL \(r.object)();"
            list.append(Probe(sql: sql, what: "EXECUTE \(r.kind.rawValue) \(r.object)", allowed: can,
                              viaRole: can && effective.viaRole("EXECUTE", object: r.object, database: r.database)))
        }
        return list
    }

    /// Whether the policy grants `usage` or `update` on the sequence (PostgreSQL's
    /// nextval rights) to one of `holders`.
    func policyGrantsSequenceUse(_ r: MariaDBFixture.Relation, to holders: Set<String>) -> Bool {
        let model = MariaDBExpectation(ir: ir)
        return ir.grants.contains { fact in
            guard case .relation(.sequence, let schema?, let name) = fact.object, schema == r.database, name == r.name,
                  fact.privilege == "USAGE" || fact.privilege == "UPDATE"
            else { return false }
            return !holders.isDisjoint(with: model.holders(fact.grantee))
        }
    }
}
