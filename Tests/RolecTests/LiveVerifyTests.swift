// Live proof of `rolec verify`: for every golden case that compiles for the dialect,
// on PostgreSQL 15 and 18, MariaDB 10.11 and SQLite:
//
//  1. the fixture of the live tests is built, the compiled script applied, and the
//     verify SQL must succeed (no false alarm on the declared state; PostgreSQL:
//     the policy's test blocks are checked by the server too);
//  2. one declared grant is revoked by hand (SQLite: its catalog row deleted): the
//     verify SQL must fail, and its error must name that grant;
//  3. the script is applied again (verify passes again), then one declared
//     membership is revoked by hand: the verify SQL must fail naming it;
//  4. PostgreSQL: after re-applying, one default privilege is revoked by hand
//     (ALTER DEFAULT PRIVILEGES ... REVOKE), and separately one privilege the
//     policy revokes is granted back: each must fail naming it. MariaDB: verify
//     before the script fails naming a missing principal (a long list: SIGNAL's
//     MESSAGE_TEXT is cut, the result set printed before it is whole), and a
//     revoked privilege granted back (PUBLIC's included) fails naming it.
//  5. PostgreSQL: a password set to NULL by hand fails naming the role; run as a role
//     that cannot read pg_authid (on a policy of principals only, where nothing else
//     needs privileges), verify says passwords were not checked (a NOTICE) and passes.
// Each case prints what it proved (`live verify: ...`).

import Foundation
import Testing
@testable import Rolec
@testable import RolecSQLite

extension LiveServerTests {
    @Suite("Live verify: passes after the script, fails after a manual revoke")
    struct LiveVerifyTests {
        @Test("verify on PostgreSQL 15", .requiresPostgres(15), arguments: Golden.caseNames)
        func postgres15(_ name: String) throws {
            guard let server = liveServerOrSkip(15) else { return }
            try PostgresVerifyRun.run(name: name, server: server)
        }

        @Test("verify on PostgreSQL 18", .requiresPostgres(18), arguments: Golden.caseNames)
        func postgres18(_ name: String) throws {
            guard let server = liveServerOrSkip(18) else { return }
            try PostgresVerifyRun.run(name: name, server: server)
        }

        @Test("verify on MariaDB", .requiresMariaDB, arguments: Golden.caseNames)
        func mariadb(_ name: String) throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try MariaDBVerifyRun.run(name: name, server: server)
        }

        @Test("verify on SQLite", arguments: Golden.caseNames)
        func sqlite(_ name: String) throws {
            try SQLiteVerifyRun.run(name: name)
        }

        /// The proof is not vacuous: shop-like cases exercise the failure paths.
        @Test("the corpus has cases with a revocable grant and a membership")
        func corpusHasWork() throws {
            for (dialect, version) in [("postgres", "15"), ("mariadb", "10.11"), ("sqlite", "3.40")] {
                let target = Target(dialect: try #require(DialectRegistry.named(dialect)), version: version)
                let useful = try Golden.caseNames.filter { name in
                    guard let ir = try Golden.load(name).compile(for: target).ir else { return false }
                    return !ir.memberships.isEmpty && !ir.grants.isEmpty
                }
                #expect(useful.count >= 5, "\(dialect): only \(useful)")
            }
        }
    }
}

enum PostgresVerifyRun {
    typealias Q = PostgresQuoting

    static func run(name: String, server: PostgresServer) throws {
        guard let live = try LiveCaseRun(name: name, server: server) else { return }
        let verify = PostgresDialect().renderVerification(live.ir, options: RenderOptions())
        let primary = live.fixture.primary
        defer {
            for database in live.fixture.createdDatabases { try? server.dropDatabase(database) }
            try? server.resetRoles()
            try? live.resetBuiltinDatabases()
        }
        try live.prepareCluster(preExisting: [])
        try live.createObjects(in: [primary: true])
        guard live.apply(live.script, to: primary, step: "apply before verify") else { return }
        guard expectPass(verify, server, primary, "\(live.label): verify after the script") else { return }

        if let fact = revocable(live.ir) {
            let clause = PostgresRenderer.objectClause(fact.object)
            let column = fact.column.map { " (\(Q.identifier($0)))" } ?? ""
            let grantee = fact.grantee.name.map(Q.identifier) ?? "PUBLIC"
            try server.psql("REVOKE \(fact.privilege)\(column) ON \(clause.group) \(clause.name) FROM \(grantee);", database: primary)
            let expected = "missing grant: \(fact.privilege)\(fact.column.map { " (\($0))" } ?? "") on \(fact.object.display) to \(fact.grantee.display)"
            expectFailure(verify, server, primary, naming: expected, "\(live.label): verify after a manual REVOKE")
            print("live verify: \(live.label): a manual REVOKE is reported as '\(expected)'")
            guard live.apply(live.script, to: primary, step: "re-apply after the manual REVOKE"),
                  expectPass(verify, server, primary, "\(live.label): verify after re-applying") else { return }
        }
        if let m = live.ir.memberships.first {
            try server.psql("REVOKE \(Q.identifier(m.role)) FROM \(Q.identifier(m.member));", database: primary)
            expectFailure(verify, server, primary, naming: "membership: \(m.member) is not a member of \(m.role)",
                          "\(live.label): verify after a manual REVOKE of a membership")
            print("live verify: \(live.label): REVOKE \(m.role) FROM \(m.member) is reported")
        }
        // A default privilege revoked by hand.
        if let d = live.ir.defaultGrants.first {
            guard live.apply(live.script, to: primary, step: "re-apply before revoking a default privilege") else { return }
            var sql = "ALTER DEFAULT PRIVILEGES"
            if let creator = d.creator { sql += " FOR ROLE \(Q.identifier(creator))" }
            if let schema = d.schema { sql += " IN SCHEMA \(Q.identifier(schema))" }
            sql += " REVOKE \(d.privilege) ON \(d.kind.rawValue.uppercased()) FROM \(d.grantee.name.map(Q.identifier) ?? "PUBLIC");"
            try server.psql(sql, database: primary)
            let expected = "missing default privilege: \(d.privilege) on future \(d.kind.rawValue)"
            expectFailure(verify, server, primary, naming: expected, "\(live.label): verify after \(sql)")
            print("live verify: \(live.label): \(sql) is reported")
        }
        // A revoked privilege granted back by hand.
        if let r = live.ir.revokes.first(where: { fact in
            fact.column == nil && { if case .allInSchema = fact.object { return false }; if case .server = fact.object { return false }; return true }()
        }) {
            guard live.apply(live.script, to: primary, step: "re-apply before granting a revoked privilege") else { return }
            let clause = PostgresRenderer.objectClause(r.object)
            let sql = "GRANT \(r.privilege) ON \(clause.group) \(clause.name) TO \(r.grantee.name.map(Q.identifier) ?? "PUBLIC");"
            try server.psql(sql, database: primary)
            expectFailure(verify, server, primary, naming: "revoked but held: \(r.privilege) on \(r.object.display) from \(r.grantee.display)",
                          "\(live.label): verify after \(sql)")
            print("live verify: \(live.label): \(sql) is reported")
        }
        // A password changed by hand is reported; a role that cannot read pg_authid gets a
        // NOTICE that passwords were not checked, not a false alarm.
        if let p = live.ir.principals.first(where: { !$0.passwordHashes.isEmpty }) {
            guard live.apply(live.script, to: primary, step: "re-apply before changing a password"),
                  expectPass(verify, server, primary, "\(live.label): verify with the declared passwords") else { return }
            try server.psql("ALTER ROLE \(Q.identifier(p.name)) PASSWORD NULL;", database: primary)
            expectFailure(verify, server, primary, naming: "role \(p.name): password is not the declared verifier",
                          "\(live.label): verify after ALTER ROLE \(p.name) PASSWORD NULL")
            // A plain role cannot read pg_authid (nor, where the policy names objects, their
            // schemas): on a policy of principals only, verify then passes with the NOTICE.
            if live.ir.grants.isEmpty && live.ir.revokes.isEmpty && live.ir.defaultGrants.isEmpty && live.ir.defaultRevokes.isEmpty {
                try server.psql("DROP ROLE IF EXISTS rolec_verify_reader; CREATE ROLE rolec_verify_reader;", database: primary)
                do {
                    let run = try server.run("SET ROLE rolec_verify_reader;\n" + verify, database: primary)
                    #expect(run.stderr.contains("the password of \(p.name) is not checked: only a superuser can read pg_authid"),
                            "\(live.label): no NOTICE for a role that cannot read pg_authid:\n\(run.stderr)")
                    print("live verify: \(live.label): as a role that cannot read pg_authid, passwords are a NOTICE")
                } catch {
                    Issue.record("\(live.label): verify as a role that cannot read pg_authid failed:\n\(error)")
                }
            }
            print("live verify: \(live.label): ALTER ROLE \(p.name) PASSWORD NULL is reported")
        }
    }

    /// A direct grant on one object (not a bulk grant) to a named principal.
    static func revocable(_ ir: PolicyIR) -> IRGrant? {
        let candidates = ir.grants.filter { fact in
            guard fact.grantee.name != nil else { return false }
            switch fact.object {
            case .relation, .schema, .routine, .database: return true
            case .server, .allInSchema: return false
            }
        }
        return candidates.first { if case .relation = $0.object { return true } else { return false } } ?? candidates.first
    }

    @discardableResult
    static func expectPass(_ sql: String, _ server: PostgresServer, _ database: String, _ what: String) -> Bool {
        do {
            try server.psql(sql, database: database)
            return true
        } catch {
            Issue.record("\(what) failed:\n\(error)")
            return false
        }
    }

    static func expectFailure(_ sql: String, _ server: PostgresServer, _ database: String, naming expected: String, _ what: String) {
        do {
            try server.psql(sql, database: database)
            Issue.record("\(what) passed; expected it to fail naming: \(expected)")
        } catch let error as PsqlError {
            #expect(error.stderr.contains("rolec verify:"), "\(what): \(error.stderr)")
            #expect(error.stderr.contains(expected), "\(what): the error does not name '\(expected)':\n\(error.stderr)")
        } catch {
            Issue.record("\(what): \(error)")
        }
    }
}

enum MariaDBVerifyRun {
    static func run(name: String, server: MariaDBServer) throws {
        guard let live = try MariaDBCaseRun(name: name, server: server) else { return }
        guard let dialect = DialectRegistry.named("mariadb") as? MySQLDialect else { return }
        let verify = dialect.renderVerification(live.ir, options: RenderOptions())
        let renderer = MySQLRenderer(ir: live.ir, options: RenderOptions(), dialect: dialect)
        defer { try? server.resetAccounts() }
        try live.prepare()
        // Before the script, a declared principal is missing (a long list: MESSAGE_TEXT is cut, the result set is whole).
        if let p = live.ir.principals.first(where: { !$0.external }) {
            let account = renderer.rawAccounts(PrincipalRef(name: p.name))[0]
            expectFailure(verify, server, naming: "\(renderer.isUser(p) ? "account" : "role") \(renderer.display(account)) does not exist",
                          "\(live.label): verify before the script")
        }
        guard live.apply(live.script, step: "apply before verify") else { return }
        guard expectPass(verify, server, "\(live.label): verify after the script") else { return }

        let facts = live.ir.grants.filter { fact in
            guard fact.grantee.name != nil, renderer.target(fact.object) != nil, fact.column == nil else { return false }
            if case .database = fact.object { return false }
            return renderer.holds(renderer.rawAccounts(fact.grantee)[0], renderer.privilegeNames(fact.privilege, on: fact.object)[0],
                                  fact.object, column: nil) != nil
        }
        if let fact = facts.first(where: { if case .relation = $0.object { return true } else { return false } }) ?? facts.first,
           let on = renderer.target(fact.object) {
            let account = renderer.rawAccounts(fact.grantee)[0]
            let privilege = renderer.privilegeNames(fact.privilege, on: fact.object)[0]
            let who = account.host.isEmpty ? MariaDBServer.quoteIdentifier(account.user) : MariaDBServer.account(account.user, account.host)
            try server.sql("REVOKE \(privilege) ON \(on) FROM \(who);")
            let expected = "missing grant: \(privilege) on \(fact.object.display) to \(renderer.display(account))"
            expectFailure(verify, server, naming: expected, "\(live.label): verify after a manual REVOKE")
            print("live verify: \(live.label): a manual REVOKE is reported as '\(expected)'")
            guard live.apply(live.script, step: "re-apply after the manual REVOKE"),
                  expectPass(verify, server, "\(live.label): verify after re-applying") else { return }
        }
        if let m = live.ir.memberships.first {
            let account = renderer.rawAccounts(PrincipalRef(name: m.member))[0]
            let who = account.host.isEmpty ? MariaDBServer.quoteIdentifier(account.user) : MariaDBServer.account(account.user, account.host)
            try server.sql("REVOKE \(MariaDBServer.quoteIdentifier(m.role)) FROM \(who);")
            expectFailure(verify, server, naming: "membership: \(renderer.display(account)) is not a member of \(m.role)",
                          "\(live.label): verify after a manual REVOKE of a membership")
            print("live verify: \(live.label): REVOKE \(m.role) FROM \(renderer.display(account)) is reported")
        }
        // A revoked privilege granted back by hand.
        let revokes = live.ir.revokes.filter { fact in
            fact.column == nil && renderer.target(fact.object) != nil
                && renderer.holds(renderer.rawAccounts(fact.grantee)[0], renderer.privilegeNames(fact.privilege, on: fact.object)[0], fact.object, column: nil) != nil
        }
        if let r = revokes.first, let on = renderer.target(r.object) {
            guard live.apply(live.script, step: "re-apply before granting a revoked privilege") else { return }
            let account = renderer.rawAccounts(r.grantee)[0]
            let privilege = renderer.privilegeNames(r.privilege, on: r.object)[0]
            let who = r.grantee == .publicRole ? "PUBLIC"
                : account.host.isEmpty ? MariaDBServer.quoteIdentifier(account.user) : MariaDBServer.account(account.user, account.host)
            let sql = "GRANT \(privilege) ON \(on) TO \(who);"
            try server.sql(sql)
            expectFailure(verify, server, naming: "revoked but held: \(privilege) on \(r.object.display) from \(renderer.display(account))",
                          "\(live.label): verify after \(sql)")
            print("live verify: \(live.label): \(sql) is reported")
        }
    }

    @discardableResult
    static func expectPass(_ sql: String, _ server: MariaDBServer, _ what: String) -> Bool {
        do {
            try server.sql(sql)
            return true
        } catch {
            Issue.record("\(what) failed:\n\(error)")
            return false
        }
    }

    static func expectFailure(_ sql: String, _ server: MariaDBServer, naming expected: String, _ what: String) {
        do {
            try server.sql(sql)
            Issue.record("\(what) passed; expected it to fail naming: \(expected)")
        } catch let error as MariaDBError {
            #expect(error.code == 1644, "\(what): \(error.stderr)")
            #expect(error.stderr.contains("rolec verify:"), "\(what): \(error.stderr)")
            // The full list is the result set printed before the SIGNAL.
            #expect((error.stdout + error.stderr).contains(expected), "\(what): the output does not name '\(expected)':\n\(error.stdout)\n\(error.stderr)")
        } catch {
            Issue.record("\(what): \(error)")
        }
    }
}

enum SQLiteVerifyRun {
    static func run(name: String) throws {
        let target = Target(dialect: SQLiteDialect(), version: "3.40")
        let output = try Golden.load(name).compile(for: target)
        guard let script = output.script, let ir = output.ir else { return }
        let verify = SQLiteDialect().renderVerification(ir, options: RenderOptions())
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        try db.apply(script: script)
        do { try db.execute(verify) } catch { Issue.record("\(name): verify after the script failed: \(error)"); return }
        // Nothing of the verify's own is left behind after a success.
        #expect(try db.query("SELECT count(*) FROM temp.sqlite_master").first?.first == .integer(0))

        let expected = SQLiteCatalog.expected(ir)
        if let g = expected.grants.first {
            let match = zip(SQLiteRenderer.grantKey, g.key).map { "\(SQLiteQuoting.identifier($0)) = \(SQLiteQuoting.literal($1))" }
            try db.execute("DELETE FROM \"rolec_grant\" WHERE \(match.joined(separator: " AND "));")
            expectFailure(verify, db, naming: "missing grant: \(g.privilege)", "\(name): verify after deleting a grant row")
            try db.apply(script: script)
            do { try db.execute(verify) } catch { Issue.record("\(name): verify after re-applying failed: \(error)"); return }
        }
        if let m = expected.memberships.first {
            try db.execute("DELETE FROM \"rolec_membership\" WHERE \"role\" = \(SQLiteQuoting.literal(m.role)) AND \"member\" = \(SQLiteQuoting.literal(m.member));")
            expectFailure(verify, db, naming: "membership: \(m.member) is not a member of \(m.role)", "\(name): verify after deleting a membership")
            // Every difference is listed on the connection.
            let listed = try db.query(SQLiteVerifier.listQuery).compactMap { $0.first?.text }
            #expect(listed.contains { $0.hasPrefix("membership: \(m.member) is not a member of \(m.role)") }, "\(listed)")
            #expect(listed.contains("rolec_membership holds memberships the policy does not declare") == false)
        }
    }

    static func expectFailure(_ sql: String, _ db: SQLiteConnection, naming expected: String, _ what: String) {
        do {
            try db.execute(sql)
            Issue.record("\(what) passed; expected it to fail naming: \(expected)")
        } catch let error as SQLiteError {
            #expect(error.message.contains("rolec verify:"), "\(what): \(error)")
            #expect(error.message.contains(expected), "\(what): the error does not name '\(expected)': \(error)")
        } catch {
            Issue.record("\(what): \(error)")
        }
    }
}
