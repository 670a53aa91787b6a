// Live proof that the static analysis `EffectiveAccess` agrees with the servers.
//
// PostgreSQL 15 and 18, every golden case that compiles for the version: the
// cluster is prepared and the script applied exactly as in scenario A of
// LivePostgresTests (LiveCaseRun's setup: external and absent roles, every
// database, schema, table with its columns, view, sequence, function and
// procedure the IR names, plus one object of each kind in every bulk schema).
// Then, in one query per case, the server answers for every principal (every
// role but `postgres` and the predefined `pg_*` roles) and every object:
//
//   tables, views   has_table_privilege   SELECT INSERT UPDATE DELETE TRUNCATE
//                                         REFERENCES TRIGGER (17+: MAINTAIN)
//   their columns   has_column_privilege  SELECT INSERT UPDATE REFERENCES
//   sequences       has_sequence_privilege USAGE SELECT UPDATE
//   schemas         has_schema_privilege  USAGE CREATE (public included)
//   databases       has_database_privilege CONNECT CREATE TEMPORARY
//   routines        has_function_privilege EXECUTE
//   roles           pg_has_role           MEMBER, USAGE (of every principal and
//                                         every predefined role the IR names)
//
// and each answer must equal the analysis' (`holds`, `membershipPath`; USAGE of a
// role: the role itself or one reached through inheriting memberships), both
// directions. The objects the fixture creates are owned by `postgres` (excluded);
// ownership the script hands out (schemas, databases) is the analysis' business.
// A superuser is a member of every role for pg_has_role: that is modelled here.
//
// Also, on PostgreSQL 15 and 18, an inline policy with what the corpus lacks
// (tables under pg_read_all_data, pg_write_all_data, 17+: pg_maintain; pg_monitor;
// a NOINHERIT member), and a self-test: an analysis without the grants, or with
// one more superuser, must be reported.
//
// MariaDB, every golden case that compiles for it: the setup and apply of
// LiveMariaDBTests (MariaDBCaseRun), then every user account the policy declares
// (reachable over 127.0.0.1 or the socket) logs in with the roles the server
// activates at login, and every role through a throwaway user whose only and
// default role it is. Each login tries, changing no row (`WHERE 0`), SELECT * on
// every table, view and sequence and INSERT, UPDATE, DELETE on every table; a
// statement succeeds (or fails with 1142/1143, command/column denied) exactly when
// the analysis says the user (the role) holds that privilege on the whole table.
// Any other error fails the test.

import Foundation
import Testing
@testable import Rolec

extension LiveServerTests {
    @Suite("Live agreement: EffectiveAccess answers as the servers do")
    struct LiveAgreementTests {
        @Test("golden case on PostgreSQL 15", .requiresPostgres(15), arguments: Golden.caseNames)
        func postgres15(_ name: String) throws {
            guard let server = liveServerOrSkip(15) else { return }
            guard let run = try LiveCaseRun(name: name, server: server) else { return }
            try AgreementRun(base: run).run()
        }

        @Test("golden case on PostgreSQL 18", .requiresPostgres(18), arguments: Golden.caseNames)
        func postgres18(_ name: String) throws {
            guard let server = liveServerOrSkip(18) else { return }
            guard let run = try LiveCaseRun(name: name, server: server) else { return }
            try AgreementRun(base: run).run()
        }

        /// What the corpus lacks: tables under PostgreSQL's predefined data roles
        /// (pg_read_all_data, pg_write_all_data; 17+: pg_maintain) and pg_monitor's
        /// built-in memberships, with inheritance on and off.
        @Test("predefined roles on PostgreSQL", .requiresPostgres(15), .requiresPostgres(18), arguments: [15, 18])
        func predefinedRoles(_ version: Int) throws {
            guard let server = liveServerOrSkip(version) else { return }
            let policy = """
                dialect postgres {
                  user reader { member of pg_read_all_data }
                  role writers { member of pg_write_all_data }
                  user loader { member of writers }
                  user detached {
                    noinherit
                    member of pg_read_all_data, pg_monitor
                  }
                  user watcher { member of pg_monitor }
                  \(version >= 17 ? "user janitor { member of pg_maintain }" : "")
                  role app_reader {
                    grant usage on schema app
                    grant select on table app.orders
                    grant select (note) on table app.notes
                    grant usage on sequence app.order_ids
                    grant execute on function app.total()
                  }
                }
                """
            let compilation = Compilation(files: [SourceFile(id: 0, path: "inline/policy.roles", bytes: Array(policy.utf8))])
            let run = try #require(try LiveCaseRun(name: "inline-predefined-roles", server: server, compilation: compilation))
            try AgreementRun(base: run).run()
        }

        /// The comparison itself must be able to fail: an analysis of the policy
        /// without its grants, or with one more superuser, disagrees with the server.
        @Test("a wrong analysis is reported", .requiresPostgres(15))
        func detectsDisagreements() throws {
            guard let server = liveServerOrSkip(15) else { return }
            let run = try #require(try LiveCaseRun(name: "shop", server: server))
            var withoutGrants = run.ir
            withoutGrants.grants = []
            let missing = try #require(try AgreementRun(base: run).disagreements(analysisIR: withoutGrants))
            #expect(missing.0 > 0)
            #expect(missing.1.contains("allowed by the server, missed by the analysis"))
            var superuser = run.ir
            let index = try #require(superuser.principals.firstIndex { $0.superuser != true })
            superuser.principals[index].superuser = true
            let claimed = try #require(try AgreementRun(base: run).disagreements(analysisIR: superuser))
            #expect(claimed.0 > 0)
            #expect(claimed.1.contains("claimed by the analysis, denied by the server"))
        }

        @Test("golden case on MariaDB", .requiresMariaDB, arguments: Golden.caseNames)
        func mariadb(_ name: String) throws {
            guard let server = liveMariaDBOrSkip() else { return }
            guard let run = try MariaDBCaseRun(name: name, server: server) else { return }
            try MariaDBAgreementRun(base: run).run()
        }
    }
}

/// MariaDB: for every user account the policy declares (reachable from here), log
/// in (roles active at login: the server's, no SET ROLE) and try SELECT on every
/// table, view and sequence and INSERT, UPDATE, DELETE on every table, changing no
/// row (`WHERE 0`); each must succeed exactly when the analysis says the user holds
/// the privilege on the whole table.
struct MariaDBAgreementRun {
    let base: MariaDBCaseRun
    typealias Q = MariaDBServer

    struct Probe {
        var privilege: String
        var relation: MariaDBFixture.Relation
        var sql: String
    }

    func run() throws {
        let started = Date()
        defer { try? base.server.resetAccounts() }
        try base.prepare()
        guard base.apply(base.script, step: "apply") else { return }
        let ir = base.ir
        let analysis = EffectiveAccess(ir: ir)
        let named = analysis.namedObjects
        var probes: [Probe] = []
        for r in base.fixture.relations {
            let object = r.object
            probes.append(Probe(privilege: "SELECT", relation: r, sql: "SELECT * FROM \(object) WHERE 0;"))
            if r.kind == .table {
                probes.append(Probe(privilege: "INSERT", relation: r, sql: "INSERT INTO \(object) (`id`) SELECT NULL FROM DUAL WHERE 0;"))
                probes.append(Probe(privilege: "UPDATE", relation: r, sql: "UPDATE \(object) SET `id` = NULL WHERE 0;"))
                probes.append(Probe(privilege: "DELETE", relation: r, sql: "DELETE FROM \(object) WHERE 0;"))
            }
        }
        func irObjects(_ r: MariaDBFixture.Relation) -> [IRObject] {
            let spellings = named.filter {
                if case .relation(_, let s, let n) = $0 { return s == r.database && n == r.name }
                return false
            }
            return spellings.isEmpty ? [.relation(r.kind, schema: r.database, name: r.name)] : spellings
        }
        let model = MariaDBExpectation(ir: ir)
        let password = "rolec live pw"
        let hash = try base.server.sql("SELECT PASSWORD(\(Q.quoteString(password)));")
        var loginCount = 0, compared = 0
        var wrong: [String] = []
        // Declared accounts as themselves; each role through a throwaway user whose
        // only (and default) role it is: the analysis is then asked about the role.
        var logins: [(user: String, host: String, principal: String)] = []
        for p in ir.principals where model.isAccount(p) && !p.external {
            for host in model.hosts(p) { logins.append((p.name, host, p.name)) }
        }
        for (index, p) in ir.principals.filter({ !model.isAccount($0) }).enumerated() {
            let user = "rolec_agree_\(index)"
            try base.server.sql("""
                CREATE USER \(Q.account(user, "%")) IDENTIFIED BY PASSWORD \(Q.quoteString(hash));
                GRANT \(Q.quoteIdentifier(p.name)) TO \(Q.account(user, "%"));
                SET DEFAULT ROLE \(Q.quoteIdentifier(p.name)) FOR \(Q.account(user, "%"));
                """)
            logins.append((user, "%", p.name))
        }
        for login in logins {
            let p = (name: login.principal, user: login.user)
            let host = login.host
            do {
                let tcp = MariaDBExpectation.likeMatches(host, "127.0.0.1")
                let socket = !tcp && host == "localhost"
                guard tcp || socket else { continue }
                try base.server.sql("ALTER USER \(Q.account(p.user, host)) IDENTIFIED BY PASSWORD \(Q.quoteString(hash)) ACCOUNT UNLOCK;")
                let lines = ["SELECT CURRENT_USER();"] + probes.map(\.sql)
                let result: MariaDBProbeRun
                do {
                    result = try base.server.loginProbe(user: p.user, password: password, overSocket: socket,
                                                        sql: lines.joined(separator: "\n"))
                } catch let error as MariaDBError {
                    base.fail("login as \(p.user)@\(host) failed", error.message)
                    continue
                }
                // Another account of the same user may match this connection first.
                guard result.stdout.split(separator: "\n").first.map(String.init) == "\(p.user)@\(host)" else { continue }
                loginCount += 1
                let failures = result.failures
                for (index, probe) in probes.enumerated() {
                    let failure = failures[index + 2]
                    if let failure, !["ERROR 1142 ", "ERROR 1143 "].contains(where: failure.hasPrefix) {
                        wrong.append("  probe failed for another reason than a privilege: \(probe.sql): \(failure)")
                        continue
                    }
                    let server = failure == nil
                    for object in irObjects(probe.relation) {
                        compared += 1
                        let mine = analysis.holds(p.name, probe.privilege, on: object)
                        if mine != server {
                            let why = analysis.paths(p.name, probe.privilege, on: object).map { $0.explain(p.name) }.joined(separator: "; ")
                            wrong.append(mine
                                ? "  + \(p.user)@\(host) (\(p.name)) \(probe.privilege) on \(object.display): claimed by the analysis (\(why)), refused: \(failure ?? "")"
                                : "  - \(p.user)@\(host) (\(p.name)) \(probe.privilege) on \(object.display): allowed by the server, missed by the analysis")
                        }
                    }
                }
            }
        }
        print("live agreement: \(base.label): \(loginCount) logins, \(compared) answers compared, \(wrong.count) disagreements, "
              + String(format: "%.1f", Date().timeIntervalSince(started)) + "s")
        if !wrong.isEmpty {
            base.fail("EffectiveAccess disagrees with the server (table privileges through the roles active at login)",
                      wrong.prefix(80).joined(separator: "\n"))
        }
    }
}

/// One question put to both the server and the analysis.
struct AgreementQuestion: Hashable {
    enum Kind: String { case table, column, sequence, schema, database, function, role }
    var kind: Kind
    var principal: String
    /// SQL text of the object (quoted identifiers), or the role name.
    var object: String
    var column: String
    var privilege: String
    /// How the analysis names the object (nil for roles).
    var irObject: IRObject?

    var sqlCall: String {
        let r = PostgresServer.quoteLiteral(principal) + "::name"
        let o = PostgresServer.quoteLiteral(object) + "::text"
        let p = PostgresServer.quoteLiteral(privilege) + "::text"
        switch kind {
        case .table: return "has_table_privilege(\(r), \(o), \(p))"
        case .column: return "has_column_privilege(\(r), \(o), \(PostgresServer.quoteLiteral(column))::text, \(p))"
        case .sequence: return "has_sequence_privilege(\(r), \(o), \(p))"
        case .schema: return "has_schema_privilege(\(r), \(o), \(p))"
        case .database: return "has_database_privilege(\(r), \(o), \(p))"
        case .function: return "has_function_privilege(\(r), \(o), \(p))"
        case .role: return "pg_has_role(\(r), \(PostgresServer.quoteLiteral(object))::name, \(p))"
        }
    }

    var display: String {
        let on = irObject?.display ?? "role \(object)"
        return "\(principal) \(privilege) on \(on)\(column.isEmpty ? "" : " column \(column)")"
    }
}

struct AgreementRun {
    let base: LiveCaseRun
    var label: String { base.label }
    typealias Q = PostgresServer

    func run() throws {
        guard let (count, details) = try disagreements() else { return }
        if count > 0 { base.fail("EffectiveAccess disagrees with the server", details) }
    }

    /// Sets the case up, applies its script, and compares the server's answers with
    /// the analysis of `analysisIR` (default: the case's own IR); nil when the script
    /// failed (recorded). Returns how many answers differ, and their description.
    func disagreements(analysisIR: PolicyIR? = nil) throws -> (Int, String)? {
        let started = Date()
        let fixture = base.fixture
        defer {
            for database in fixture.createdDatabases { try? base.server.dropDatabase(database) }
            try? base.server.resetRoles()
            try? base.resetBuiltinDatabases()
        }
        try base.prepareCluster(preExisting: [])
        try base.createObjects(in: [fixture.primary: false])
        guard base.apply(base.script, to: fixture.primary, step: "apply") else { return nil }
        let principals = try base.server.psql(
            "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' AND rolname <> 'postgres' ORDER BY 1;")
            .split(separator: "\n").map(String.init)
        let existing = Set(try base.server.psql("SELECT rolname FROM pg_roles ORDER BY 1;").split(separator: "\n").map(String.init))
        let questions = AgreementRun.questions(ir: base.ir, fixture: fixture, version: base.server.version,
                                               principals: principals, existingRoles: existing)
        let answers = try serverAnswers(questions, database: fixture.primary)
        let ir = analysisIR ?? base.ir
        let analysis = EffectiveAccess(ir: ir)
        var claimedDenied: [String] = [], missed: [String] = []
        for (index, q) in questions.enumerated() {
            let mine = AgreementRun.analysisAnswer(q, analysis, ir: ir)
            if mine && !answers[index] { claimedDenied.append(q.display + "  [analysis: " + AgreementRun.why(q, analysis) + "]") }
            if !mine && answers[index] { missed.append(q.display) }
        }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        print("live agreement: \(label): \(questions.count) answers compared, \(claimedDenied.count + missed.count) disagreements, \(seconds)s")
        var details = ""
        if !claimedDenied.isEmpty {
            details += "claimed by the analysis, denied by the server (\(claimedDenied.count)):\n"
                + claimedDenied.prefix(60).map { "  + " + $0 }.joined(separator: "\n") + "\n"
        }
        if !missed.isEmpty {
            details += "allowed by the server, missed by the analysis (\(missed.count)):\n"
                + missed.prefix(60).map { "  - " + $0 }.joined(separator: "\n") + "\n"
        }
        return (claimedDenied.count + missed.count, details)
    }

    /// One psql call answering every question (row order kept by the index).
    func serverAnswers(_ questions: [AgreementQuestion], database: String) throws -> [Bool] {
        guard !questions.isEmpty else { return [] }
        var answers = [Bool](repeating: false, count: questions.count)
        // Chunks keep each statement a reasonable size.
        let chunk = 2000
        var start = 0
        while start < questions.count {
            let end = min(start + chunk, questions.count)
            let selects = (start..<end).map { i in "SELECT \(i), \(questions[i].sqlCall)" }
            let output = try base.server.psql(selects.joined(separator: "\nUNION ALL ") + ";", database: database)
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: "|")
                guard parts.count == 2, let i = Int(parts[0]) else { throw CatalogError("unexpected row \(line)") }
                answers[i] = parts[1] == "t"
            }
            start = end
        }
        return answers
    }

    static func analysisAnswer(_ q: AgreementQuestion, _ analysis: EffectiveAccess, ir: PolicyIR) -> Bool {
        switch q.kind {
        case .role:
            // A superuser passes pg_has_role for every role (is_member_of_role, has_privs_of_role).
            if ir.principal(named: q.principal)?.superuser == true { return true }
            if q.principal == q.object { return true }
            if q.privilege == "MEMBER" { return analysis.membershipPath(q.principal, of: q.object) != nil }
            return analysis.reach[q.principal]?[q.object] != nil
        case .column:
            return analysis.holds(q.principal, q.privilege, on: q.irObject!, column: q.column)
        default:
            return analysis.holds(q.principal, q.privilege, on: q.irObject!)
        }
    }

    static func why(_ q: AgreementQuestion, _ analysis: EffectiveAccess) -> String {
        guard let object = q.irObject else {
            return q.privilege == "MEMBER" ? "member via \(analysis.membershipPath(q.principal, of: q.object) ?? [])"
                : "inherits via \(analysis.reach[q.principal]?[q.object] ?? [])"
        }
        return analysis.paths(q.principal, q.privilege, on: object, column: q.column.isEmpty ? nil : q.column)
            .map { $0.explain(q.principal) }.joined(separator: "; ")
    }

    /// Every question for the case: principals x objects x privileges of the kind.
    static func questions(ir: PolicyIR, fixture: LiveFixture, version: Int, principals: [String],
                          existingRoles: Set<String>) -> [AgreementQuestion] {
        let named = EffectiveAccess(ir: ir).namedObjects
        let tablePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
            + (version >= 17 ? ["MAINTAIN"] : [])
        var objects: [(AgreementQuestion.Kind, String, IRObject, [String])] = []

        // Every spelling of an object the analysis knows (e.g. with and without
        // `public.`), else the canonical one.
        for r in fixture.relations {
            var spellings: [IRObject] = named.filter {
                if case .relation(_, let s, let n) = $0 { return (s ?? "public") == r.schema && n == r.name }
                return false
            }
            if spellings.isEmpty { spellings = [.relation(r.kind, schema: r.schema, name: r.name)] }
            let text = Q.quoteIdentifier(r.schema) + "." + Q.quoteIdentifier(r.name)
            for object in spellings {
                switch r.kind {
                case .sequence: objects.append((.sequence, text, object, ["USAGE", "SELECT", "UPDATE"]))
                case .table, .view:
                    objects.append((.table, text, object, tablePrivileges))
                    for column in r.columns { objects.append((.column, text + "\u{0}" + column, object, ["SELECT", "INSERT", "UPDATE", "REFERENCES"])) }
                }
            }
        }
        for r in fixture.routines {
            var spellings: [IRObject] = named.filter {
                if case .routine(_, let s, let n, let a) = $0 { return (s ?? "public") == r.schema && n == r.name && (a ?? []) == r.arguments }
                return false
            }
            if spellings.isEmpty { spellings = [.routine(r.kind, schema: r.schema, name: r.name, arguments: r.arguments)] }
            let text = Q.quoteIdentifier(r.schema) + "." + Q.quoteIdentifier(r.name) + "(" + r.arguments.joined(separator: ", ") + ")"
            for object in spellings { objects.append((.function, text, object, ["EXECUTE"])) }
        }
        for schema in fixture.schemas + ["public"] {
            objects.append((.schema, schema, .schema(schema), ["USAGE", "CREATE"]))
        }
        for database in fixture.databases where database != "template0" {
            objects.append((.database, database, .database(database), ["CONNECT", "CREATE", "TEMPORARY"]))
        }

        var out: [AgreementQuestion] = []
        for principal in principals {
            for (kind, text, object, privileges) in objects {
                for privilege in privileges {
                    if kind == .column {
                        let parts = text.split(separator: "\u{0}", maxSplits: 1).map(String.init)
                        out.append(AgreementQuestion(kind: .column, principal: principal, object: parts[0], column: parts[1],
                                                     privilege: privilege, irObject: object))
                    } else {
                        out.append(AgreementQuestion(kind: kind, principal: principal, object: text, column: "",
                                                     privilege: privilege, irObject: object))
                    }
                }
            }
        }
        // Roles: every principal, and every predefined role the IR names that exists.
        var roles = Set(principals)
        for m in ir.memberships where existingRoles.contains(m.role) && m.role != "postgres" { roles.insert(m.role) }
        for principal in principals {
            for role in roles.sorted() {
                for privilege in ["MEMBER", "USAGE"] {
                    out.append(AgreementQuestion(kind: .role, principal: principal, object: role, column: "",
                                                 privilege: privilege, irObject: nil))
                }
            }
        }
        return out
    }
}
