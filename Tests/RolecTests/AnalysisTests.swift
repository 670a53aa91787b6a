import Testing
@testable import Rolec

@Suite("Effective access and tests")
struct AnalysisTests {
    func ir(_ text: String, dialect: any Dialect = PostgresDialect(), version: String? = nil) throws -> PolicyIR {
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
        let (ir, problems) = compilation.lower(for: Target(dialect: dialect, version: version ?? dialect.defaultVersion))
        #expect(!(compilation.parseDiagnostics + problems).contains { $0.isError })
        return ir
    }

    let orders = IRObject.relation(.table, schema: "sales", name: "orders")

    @Test func privilegesFlowThroughInheritingMemberships() throws {
        let policy = try ir("""
        role reader { grant select on all tables in schema sales }
        role writer { member of reader
          grant insert on table sales.orders }
        user u { member of writer }
        user n { noinherit
          member of writer }
        """)
        let access = EffectiveAccess(ir: policy)
        #expect(access.holds("u", "SELECT", on: orders))
        #expect(access.paths("u", "SELECT", on: orders).first?.via == ["writer", "reader"])
        #expect(access.holds("u", "INSERT", on: orders))
        #expect(!access.holds("u", "DELETE", on: orders))
        #expect(!access.holds("n", "INSERT", on: orders))
        #expect(access.membershipPath("n", of: "reader") == ["writer", "reader"])
        #expect(!access.holds("u", "SELECT", on: .relation(.sequence, schema: "sales", name: "q")))
    }

    @Test func postgresPublicDefaultsAndRevokes() throws {
        let f = IRObject.routine(.function, schema: "app", name: "f", arguments: ["integer"])
        let open = try ir("role r\nrole other { grant execute on function app.f(integer) }")
        #expect(EffectiveAccess(ir: open).holds("r", "EXECUTE", on: f))
        let hardened = try ir("schema app\nrole r\nrevoke execute on all existing functions in schema app from public\nrole other { grant execute on function app.f(integer) }")
        #expect(!EffectiveAccess(ir: hardened).holds("r", "EXECUTE", on: f))
        #expect(EffectiveAccess(ir: hardened).holds("other", "EXECUTE", on: f))
    }

    @Test func superusersHoldEverythingOnPostgres() throws {
        let policy = try ir("user root { superuser }")
        #expect(EffectiveAccess(ir: policy).holds("root", "DELETE", on: orders))
    }

    @Test func columnGrantsDoNotMakeTablePrivileges() throws {
        let policy = try ir("role r { grant select (id) on table sales.orders }")
        let access = EffectiveAccess(ir: policy)
        #expect(!access.holds("r", "SELECT", on: orders))
        #expect(access.holds("r", "SELECT", on: orders, column: "id"))
        #expect(!access.holds("r", "SELECT", on: orders, column: "secret"))
    }

    @Test func mariadbCountsOnlyRolesActiveAtLogin() throws {
        let text = """
        role a { grant select on table sales.orders }
        role b { grant insert on table sales.orders }
        user u { member of a, b
          default role a }
        """
        let access = EffectiveAccess(ir: try ir(text, dialect: MySQLDialect(flavour: .mariadb)))
        #expect(access.holds("u", "SELECT", on: orders))
        #expect(!access.holds("u", "INSERT", on: orders))
        let schemaWide = EffectiveAccess(ir: try ir("role r { profile readonly on schema sales }", dialect: MySQLDialect(flavour: .mysql)))
        #expect(schemaWide.holds("r", "SELECT", on: orders))
    }

    @Test func testRunnerExplainsFailuresWithThePath() throws {
        let policy = try ir("""
        role orders_rw { grant delete on table sales.orders }
        user alice { member of orders_rw }
        role dba
        test 'read-only' {
          expect alice cannot delete on table sales.orders
          expect alice not member of orders_rw
          expect alice member of dba
          expect alice can delete on table sales.orders
        }
        """)
        let results = TestRunner.run(policy)
        #expect(results.map(\.passed) == [false, false, false, true])
        #expect(results[0].explanation == "alice can delete on table sales.orders: member of orders_rw, which has delete on table sales.orders")
        #expect(results[1].explanation == "alice is a member of orders_rw directly")
        #expect(results[2].explanation == "alice is not a member of dba, directly or through other roles")
    }
}

@Suite("Policy rules")
struct RuleCheckerTests {
    func violations(_ text: String) throws -> [Diagnostic] {
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
        let (ir, problems) = compilation.lower(for: Target(dialect: PostgresDialect(), version: "15"))
        #expect(!(compilation.parseDiagnostics + problems).contains { $0.isError })
        return RuleChecker.check(ir)
    }

    @Test func separationOfDutiesNamesThePath() throws {
        let found = try violations("""
        role orders_rw
        role dba
        role ops { member of dba }
        user mallory { member of orders_rw, ops }
        user fine { member of orders_rw }
        policy { separate orders_rw, dba }
        """)
        #expect(found.map(\.code) == ["E0601"])
        #expect(found.first?.message == "'mallory' holds separated roles 'orders_rw' and 'dba'")
        #expect(found.first?.notes.map(\.message) == ["mallory: member of orders_rw", "mallory: member of dba through ops"])
        #expect(found.first?.range.start == (try #require("role orders_rw\nrole dba\nrole ops { member of dba }\nuser mallory { member of orders_rw, ops }\nuser fine { member of orders_rw }\npolicy { ".utf8.count as Int?)))
    }

    @Test func forbiddenPrivilegesAllowTheExceptionsAndTheirMembers() throws {
        let found = try violations("""
        role dba { grant delete on table audit.events }
        user ada { member of dba }
        role writer { grant update on table audit.events }
        user eve { member of writer }
        policy { forbid update, delete on table audit.events except dba }
        """)
        #expect(Set(found.map(\.message)) == ["'writer' holds forbidden update on table audit.events", "'eve' holds forbidden update on table audit.events"])
    }

    @Test func attributesAndMemberLimits() throws {
        let found = try violations("""
        role dba
        user a { member of dba }
        user b { member of dba }
        user root { superuser }
        user boss { superuser }
        policy {
          forbid superuser except root
          limit members of dba to 1
        }
        """)
        #expect(found.map(\.code).sorted() == ["E0603", "E0604"])
        #expect(found.contains { $0.message == "'boss' has the forbidden attribute 'superuser'" })
        #expect(found.contains { $0.help == "members: a, b" })
    }

    @Test func aCleanPolicyHasNoViolations() throws {
        #expect(try violations("role a\nrole b\nuser u { member of a }\npolicy { separate a, b\nlimit members of a to 1 }").isEmpty)
    }
}
