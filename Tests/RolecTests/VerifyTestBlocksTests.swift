import Foundation
import Testing
@testable import Rolec
@testable import RolecSQLite

/// `rolec verify` checks the policy's `test` blocks too, on MariaDB/MySQL (the grant
/// tables, with the roles active at login) and SQLite (rolec's effective-grant view):
/// the SQL pieces, and on SQLite the run on a real file (MariaDB's live run is in
/// LiveVerifyTestBlocksTests.swift; MySQL has no server here: its pieces are unit-tested only).
@Suite("verify: test blocks")
struct VerifyTestBlocksTests {
    /// Test expectations that the declared-state checks do not cover: an extra grant
    /// (`svc cannot delete`), effective access through a role (`svc can select`), the
    /// default role (`bob` has none active on MySQL/MariaDB).
    static func policy(schema: String) -> String {
        """
        role reader { grant select on table \(schema).orders }
        role writer { member of reader  grant insert, update on table \(schema).orders }
        role lister { grant select on table \(schema).items }
        user svc { member of writer }
        user ann { member of reader, lister }
        test 'access' {
          expect reader can select on table \(schema).orders
          expect reader cannot insert, delete on table \(schema).orders
          expect svc can insert, select on table \(schema).orders
          expect svc cannot delete on table \(schema).orders
          expect ann can select on table \(schema).items
          expect ann can select on table \(schema).orders
          expect svc member of reader
          expect ann not member of writer
        }
        """
    }

    static func compile(_ dialect: String, _ text: String, version: String? = nil) throws -> (ir: PolicyIR, script: String) {
        let d = try #require(DialectRegistry.named(dialect))
        let output = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
            .compile(for: Target(dialect: d, version: version ?? d.defaultVersion))
        let ir = try #require(output.ir, "\(output.diagnostics.map(\.message))")
        return (ir, try #require(output.script))
    }

    func verify(_ dialect: String, _ text: String, phase: RenderOptions.Phase? = nil) throws -> String {
        let d = try #require(DialectRegistry.named(dialect))
        return d.renderVerification(try Self.compile(dialect, text).ir, options: RenderOptions(phase: phase))
    }

    // MARK: MariaDB and MySQL

    @Test func mariadbChecksEachExpectationOnTheRolesActiveAtLogin() throws {
        let sql = try verify("mariadb", Self.policy(schema: "app"))
        let holders = "WITH RECURSIVE rolec_holder (User, Host, expand) AS (SELECT User, Host, 0 FROM mysql.user WHERE User = 'svc' AND Host = '%'"
            + " UNION SELECT default_role, '', 1 FROM mysql.user WHERE User = 'svc' AND Host = '%' AND default_role <> ''"
            + " UNION SELECT 'PUBLIC', '', 0"
            + " UNION SELECT m.Role, '', 1 FROM rolec_holder h JOIN mysql.roles_mapping m ON m.User = h.User AND m.Host = h.Host WHERE h.expand = 1)"
        #expect(sql.contains(holders))
        // A role holds its own grants and its roles' (no default role, no login).
        #expect(sql.contains("AS (SELECT User, Host, 1 FROM mysql.user WHERE User = 'reader' AND Host = '' UNION SELECT 'PUBLIC', '', 0 UNION SELECT m.Role"))
        // Every level that covers a table: global, database (pattern), table.
        #expect(sql.contains("IF NOT (NOT EXISTS (\(holders) SELECT 1 FROM rolec_holder h WHERE "
            + "EXISTS (SELECT 1 FROM mysql.global_priv g WHERE g.User = h.User AND g.Host = h.Host AND (CAST(IFNULL(JSON_VALUE(g.Priv, '$.access'), '0') AS UNSIGNED) & 8) <> 0)"
            + " OR EXISTS (SELECT 1 FROM mysql.db d WHERE d.User = h.User AND d.Host = h.Host AND 'app' LIKE d.Db ESCAPE '\\' AND d.Delete_priv = 'Y')"
            + " OR EXISTS (SELECT 1 FROM mysql.tables_priv t WHERE t.User = h.User AND t.Host = h.Host AND t.Db = 'app' AND t.Table_name = 'orders' AND FIND_IN_SET('Delete', t.Table_priv) > 0)))"
            + " THEN SET problems = CONCAT(problems, CHAR(10 USING utf8mb4), '  - ', 'test ''access'': expected ''svc''@''%'' cannot delete on table app.orders'), total = total + 1; END IF;"))
        #expect(sql.contains("'test ''access'': expected reader can select on table app.orders'"))
        #expect(sql.contains("'test ''access'': expected ''ann''@''%'' can select on table app.items'"))
        // Membership: transitive through roles_mapping.
        #expect(sql.contains("IF NOT (EXISTS (WITH RECURSIVE rolec_up (Role) AS (SELECT Role FROM mysql.roles_mapping WHERE User = 'svc' AND Host = '%' "
            + "UNION SELECT m.Role FROM rolec_up u JOIN mysql.roles_mapping m ON m.User = u.Role AND m.Host = '') SELECT 1 FROM rolec_up WHERE Role = 'reader'))"))
        #expect(sql.contains("IF NOT (NOT EXISTS (WITH RECURSIVE rolec_up (Role) AS (SELECT Role FROM mysql.roles_mapping WHERE User = 'ann' AND Host = '%' "))
        #expect(sql.contains("'test ''access'': expected ''ann''@''%'' not member of writer'"))
        // One check per privilege of an expectation.
        #expect(sql.components(separatedBy: "'test ''access'': expected").count - 1 == 10)
        // The test checks come after the declared-state checks, inside the one compound statement.
        let lastDeclared = try #require(sql.range(of: "missing grant:", options: .backwards))
        let firstTest = try #require(sql.range(of: "'test ''access''"))
        #expect(lastDeclared.lowerBound < firstTest.lowerBound)
        #expect(sql.components(separatedBy: "BEGIN NOT ATOMIC").count == 2)
        #expect(!sql.contains("-- note: test"))
    }

    @Test func mariadbUserWithSeveralHostsIsCheckedPerAccount() throws {
        let sql = try verify("mariadb", """
            role r { grant select on table s.t }
            user u { member of r  host '10.0.%', 'localhost' }
            test 'hosts' { expect u can select on table s.t }
            """)
        #expect(sql.contains("'test ''hosts'': expected ''u''@''10.0.%'' can select on table s.t'"))
        #expect(sql.contains("'test ''hosts'': expected ''u''@''localhost'' can select on table s.t'"))
    }

    @Test func mariadbSequencesRoutinesSchemasAndTheServer() throws {
        let sql = try verify("mariadb", """
            role r {
              grant usage on sequence s.q
              grant execute on function s.f
              grant create temporary tables on schema s
              grant process on server
            }
            test 'kinds' {
              expect r can usage on sequence s.q
              expect r can execute on function s.f
              expect r can temporary on schema s
              expect r can process on server
              expect r cannot select on all tables in schema s
            }
            """)
        // USAGE on a sequence is granted as INSERT and SELECT: both must be held.
        #expect(sql.contains("FIND_IN_SET('Insert', t.Table_priv) > 0)) AND EXISTS (WITH RECURSIVE rolec_holder"))
        #expect(sql.contains("EXISTS (SELECT 1 FROM mysql.procs_priv r WHERE r.User = h.User AND r.Host = h.Host AND r.Db = 's' AND r.Routine_name = 'f' AND r.Routine_type = 'FUNCTION' AND FIND_IN_SET('Execute', r.Proc_priv) > 0)"))
        #expect(sql.contains("'s' LIKE d.Db ESCAPE '\\' AND d.Create_tmp_table_priv = 'Y'"))
        #expect(sql.contains("'test ''kinds'': expected r can process on server'"))
        #expect(sql.contains("'test ''kinds'': expected r cannot select on all existing tables in schema s'"))
        let server = try #require(sql.components(separatedBy: "\n").first { $0.contains("expected r can process on server") })
        #expect(!server.contains("mysql.db d"), "a server privilege is global only")
    }

    @Test func expectationsTheGrantTablesCannotAnswerAreNotes() throws {
        let sql = try verify("mariadb", """
            role r { grant select on table s.t }
            test 'implied' { expect r can connect on database shop }
            """)
        #expect(sql.contains("-- note: test 'implied': expect r can connect on database shop is not checked: MariaDB keeps no grant for it\n"))
        #expect(!sql.contains("expected r can connect"))
        let mysql = try verify("mysql", """
            role r { grant select on table s.t }
            test 'seq' { expect r cannot usage on sequence s.q }
            """)
        #expect(mysql.contains("-- note: test 'seq': expect r cannot usage on sequence s.q is not checked: MySQL keeps no grant for it"))
    }

    @Test func mysqlUsesDefaultRolesAndRoleEdges() throws {
        let sql = try verify("mysql", Self.policy(schema: "app"))
        #expect(sql.contains("WITH RECURSIVE rolec_holder (User, Host, expand) AS (SELECT User, Host, 0 FROM mysql.user WHERE User = 'svc' AND Host = '%'"
            + " UNION SELECT DEFAULT_ROLE_USER, DEFAULT_ROLE_HOST, 1 FROM mysql.default_roles WHERE USER = 'svc' AND HOST = '%'"
            + " UNION SELECT e.FROM_USER, e.FROM_HOST, 1 FROM rolec_holder h JOIN mysql.role_edges e ON e.TO_USER = h.User AND e.TO_HOST = h.Host WHERE h.expand = 1)"))
        #expect(sql.contains("p.GRANTEE = CONCAT('''', h.User, '''@''', h.Host, '''') AND p.PRIVILEGE_TYPE = 'DELETE'"))
        #expect(sql.contains("WITH RECURSIVE rolec_up (User, Host) AS (SELECT FROM_USER, FROM_HOST FROM mysql.role_edges WHERE TO_USER = 'svc' AND TO_HOST = '%'"))
        #expect(sql.contains("SELECT 1 FROM rolec_up WHERE User = 'reader' AND Host = '%')"))
        #expect(!sql.contains("'PUBLIC'"), "MySQL has no PUBLIC role")
        #expect(sql.contains("CREATE PROCEDURE `rolec_verify`()"))
    }

    @Test func phasesLeaveTestsOut() throws {
        for dialect in ["mariadb", "mysql", "sqlite"] {
            let schema = dialect == "sqlite" ? "main" : "app"
            for phase in [RenderOptions.Phase.principals, .privileges] {
                let sql = try verify(dialect, Self.policy(schema: schema), phase: phase)
                #expect(!sql.contains("test ''access''") && !sql.contains("test 'access'"), "\(dialect) \(phase)")
            }
            #expect(try verify(dialect, Self.policy(schema: schema)).contains("access''"), "\(dialect)")
        }
    }

    /// Every golden case with test blocks: for each dialect it compiles for, each
    /// expectation (per privilege) is a check or a note of the verify output. (No such
    /// case compiles for MySQL, MariaDB or SQLite today; PostgreSQL's verifier has no
    /// check for expectations on `server` or `all ... in schema`, so those are left out there.)
    @Test func goldenCasesWithTestsGetTestChecks() throws {
        var checked = 0
        for name in Golden.caseNames {
            for dialect in DialectRegistry.all {
                let target = Target(dialect: dialect, version: dialect.defaultVersion)
                guard let ir = try Golden.load(name).compile(for: target).ir, !ir.tests.isEmpty else { continue }
                let sql = dialect.renderVerification(ir, options: RenderOptions())
                for test in ir.tests {
                    for case .privilege(let principal, let can, let privileges, let object) in test.expectations {
                        if dialect.name == "postgres" {
                            if case .allInSchema = object { continue }
                            if case .server = object { continue }
                        }
                        for privilege in privileges {
                            let words = "\(can ? "can" : "cannot") \(privilege.lowercased()) on \(object.display)"
                            let found = [sql, sql.replacingAll("''", with: "'")].contains { $0.contains("test '\(test.title)': expect") && $0.contains(words) }
                            #expect(found, "\(name) \(dialect.name): expect \(principal) \(words)")
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked > 0, "some golden case has test blocks")
    }

    // MARK: SQLite

    @Test func sqliteChecksThroughTheEffectiveGrantView() throws {
        let sql = try verify("sqlite", Self.policy(schema: "main"))
        #expect(sql.contains("NOT EXISTS (SELECT 1 FROM \"rolec_effective_grant\" WHERE \"principal\" = 'svc' AND \"privilege\" = 'DELETE' AND \"column_name\" IS NULL"
            + " AND \"schema_name\" = 'main' COLLATE NOCASE AND (\"object_kind\" = 'all tables' OR (\"object_kind\" IN ('table', 'view') AND \"object_name\" = 'orders' COLLATE NOCASE))),"
            + " 'test ''access'': expected svc cannot delete on table main.orders')"))
        #expect(sql.contains("EXISTS (WITH RECURSIVE \"up\" (\"role\") AS (SELECT \"role\" FROM \"rolec_membership\" WHERE \"member\" = 'svc'"
            + " UNION SELECT \"m\".\"role\" FROM \"up\" JOIN \"rolec_membership\" AS \"m\" ON \"m\".\"member\" = \"up\".\"role\") SELECT 1 FROM \"up\" WHERE \"role\" = 'reader'),"
            + " 'test ''access'': expected svc member of reader')"))
        #expect(sql.contains(" THEN RAISE(ABORT, 'rolec verify: the catalog differs from the policy: test ''access'': expected svc cannot delete on table main.orders"))
        // A table named without a schema is in main; a schema and a database by name.
        let other = try verify("sqlite", """
            role r { grant select on table t  grant create on schema main  grant temporary on database shop }
            test 'x' {
              expect r can select on table t
              expect r can create on schema main
              expect r can temporary on database shop
              expect r cannot select on all tables in schema main
            }
            """)
        #expect(other.contains("\"privilege\" = 'SELECT' AND \"column_name\" IS NULL AND \"schema_name\" = 'main' COLLATE NOCASE AND (\"object_kind\" = 'all tables' OR"))
        #expect(other.contains("\"object_kind\" = 'schema' AND \"schema_name\" = 'main' COLLATE NOCASE)"))
        #expect(other.contains("\"object_kind\" = 'database' AND \"object_name\" = 'shop')"))
        #expect(other.contains("NOT EXISTS (SELECT 1 FROM \"rolec_effective_grant\" WHERE \"principal\" = 'r' AND \"privilege\" = 'SELECT' AND \"column_name\" IS NULL AND \"object_kind\" = 'all tables' AND \"schema_name\" = 'main' COLLATE NOCASE)"))
    }

    /// A compiled catalog, then the verify run on the same connection; nil when SQLite cannot open a file here.
    struct SQLiteRun {
        let scratch: SQLiteScratch
        let db: SQLiteConnection
        let verify: String

        init?(_ text: String) throws {
            let (ir, script) = try VerifyTestBlocksTests.compile("sqlite", text)
            verify = SQLiteDialect().renderVerification(ir, options: RenderOptions())
            scratch = try SQLiteScratch()
            guard let db = scratch.open() else { scratch.remove(); return nil }
            self.db = db
            try db.apply(script: script)
        }

        /// Every difference the run lists; [] when it passed.
        func differences() throws -> [String] {
            do {
                try db.execute(verify)
                return []
            } catch let error as SQLiteError {
                #expect(error.message.contains("rolec verify: the catalog differs from the policy: "), "\(error)")
                return try db.query(SQLiteVerifier.listQuery).compactMap { $0.first?.text }
            }
        }
    }

    @Test func sqliteRunPassesThenCatchesBrokenExpectations() throws {
        guard let run = try SQLiteRun(Self.policy(schema: "main")) else { return }
        defer { run.scratch.remove() }
        #expect(try run.differences() == [])

        // A DELETE row added by hand for a role svc inherits: the undeclared row and the test.
        try run.db.execute("INSERT INTO \"rolec_grant\" VALUES ('writer', 'DELETE', 'all tables', 'main', '', '', 0);")
        #expect(try run.differences() == [
            "rolec_grant holds grants the policy does not declare",
            "test 'access': expected svc cannot delete on table main.orders",
        ])
        try run.db.execute("DELETE FROM \"rolec_grant\" WHERE \"grantee\" = 'writer' AND \"privilege\" = 'DELETE';")
        #expect(try run.differences() == [])

        // reader's SELECT deleted: the missing row and every expectation that needed it.
        try run.db.execute("DELETE FROM \"rolec_grant\" WHERE \"grantee\" = 'reader' AND \"privilege\" = 'SELECT';")
        #expect(try run.differences() == [
            "missing grant: SELECT on table main.orders to reader",
            "test 'access': expected reader can select on table main.orders",
            "test 'access': expected svc can select on table main.orders",
            "test 'access': expected ann can select on table main.orders",
        ])
    }

    /// Only a test expectation notices: the effective-grant view (what the authorizer
    /// enforces) redefined by hand to stop at direct grants; every row is as declared.
    @Test func sqliteOnlyTheTestsCatchATamperedView() throws {
        guard let run = try SQLiteRun(Self.policy(schema: "main")) else { return }
        defer { run.scratch.remove() }
        try run.db.execute("""
            DROP VIEW "rolec_effective_grant";
            CREATE VIEW "rolec_effective_grant" AS
            SELECT "grantee" AS "principal", "privilege", "object_kind", nullif("schema_name", '') AS "schema_name",
                   nullif("object_name", '') AS "object_name", nullif("column_name", '') AS "column_name", "grantable", "grantee" AS "granted_to"
            FROM "rolec_grant";
            """)
        #expect(try run.differences() == [
            "test 'access': expected svc can insert on table main.orders",
            "test 'access': expected svc can select on table main.orders",
            "test 'access': expected ann can select on table main.items",
            "test 'access': expected ann can select on table main.orders",
        ])
    }

    @Test func sqliteMembershipIsTransitiveWhateverInherit() throws {
        guard let run = try SQLiteRun("""
            role a
            role b { member of a  noinherit }
            user u { member of b }
            test 'm' {
              expect u member of a
              expect a not member of b
            }
            """) else { return }
        defer { run.scratch.remove() }
        #expect(try run.differences() == [])
        try run.db.execute("INSERT INTO \"rolec_membership\" VALUES ('b', 'a', 0);")
        #expect(try run.differences().contains("test 'm': expected a not member of b"))
    }
}
