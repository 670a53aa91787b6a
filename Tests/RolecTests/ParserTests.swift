import Testing
@testable import Rolec

@Suite("Parser")
struct ParserTests {
    func parse(_ text: String) -> (PolicyAST, [Diagnostic]) {
        Parser.parse(SourceFile(id: 0, path: "t.roles", text: text))
    }

    @Test func roleBlockItems() throws {
        let (ast, problems) = parse("""
        role r {
          comment 'c'
          member of a, b with admin option, inherit false, set true
          grant select, update (x, y) on table s.t, s.u with grant option
          profile readonly on schema s
          set search_path = '$user', public
          set work_mem to '64MB' in database d
          login connection limit 5 valid until '2030-01-01'
        }
        """)
        #expect(problems.isEmpty)
        guard case .principal(let decl) = ast.statements.first else { Issue.record("no principal"); return }
        #expect(decl.names.map(\.text) == ["r"])
        #expect(decl.items.count == 9)
        guard case .memberOf(let roles, let options, _) = decl.items[1] else { Issue.record("no member of"); return }
        #expect(roles.map(\.text) == ["a", "b"])
        #expect(options.count == 3)
        guard case .grant(.list(let privileges), let objects, true, _) = decl.items[2] else { Issue.record("no grant"); return }
        #expect(privileges.map(\.name) == ["select", "update"])
        #expect(privileges[1].columns?.map(\.text) == ["x", "y"])
        #expect(objects.count == 2)
        guard case .setting(let name, let values, nil, _) = decl.items[4] else { Issue.record("no setting"); return }
        #expect(name.text == "search_path")
        #expect(values == [.string("$user"), .name("public")])
    }

    @Test func objectsAndArgumentTypes() {
        let (ast, problems) = parse("""
        grant execute on function app.f(integer, character varying, numeric(10,2), text[]), app.g(), procedure app.p to x
        grant select on all existing tables in schema s, all future sequences to public
        grant usage on schema a, b, table c to y with grant option
        """)
        #expect(problems.isEmpty)
        guard case .grant(let first) = ast.statements[0] else { Issue.record("no grant"); return }
        #expect(first.objects.count == 3)
        if case .routine(.function, let name, let arguments) = first.objects[0].kind {
            #expect(name.schema?.text == "app")
            #expect(arguments == ["integer", "character varying", "numeric(10,2)", "text[]"])
        } else { Issue.record("not a function") }
        if case .routine(.function, _, let arguments) = first.objects[1].kind { #expect(arguments == []) }
        if case .routine(.procedure, _, let arguments) = first.objects[2].kind { #expect(arguments == nil) }
        guard case .grant(let second) = ast.statements[1] else { Issue.record("no grant"); return }
        if case .bulk(.tables, .existing, let schema) = second.objects[0].kind { #expect(schema?.text == "s") } else { Issue.record("bulk") }
        if case .bulk(.sequences, .future, nil) = second.objects[1].kind {} else { Issue.record("future") }
        #expect(second.grantees == [.publicRole(second.grantees[0].range)])
        guard case .grant(let third) = ast.statements[2] else { Issue.record("no grant"); return }
        #expect(third.withGrantOption)
        #expect(third.objects.count == 3)
    }

    @Test func keywordsAreCaseInsensitiveAndNamesAreNot() {
        let (ast, problems) = parse("ROLE Reporting { GRANT SELECT ON TABLE s.T }")
        #expect(problems.isEmpty)
        guard case .principal(let decl) = ast.statements.first else { Issue.record("no principal"); return }
        #expect(decl.names[0].text == "Reporting")
    }

    @Test func quotedNamesAreNeverKeywords() {
        let (ast, problems) = parse(#"role "role" { member of "grant" }"#)
        #expect(problems.isEmpty)
        guard case .principal(let decl) = ast.statements.first, case .memberOf(let roles, _, _) = decl.items.first else {
            Issue.record("no membership"); return
        }
        #expect(decl.names[0].quoted)
        #expect(roles[0].text == "grant")
    }

    @Test func policyAndTestBlocks() {
        let (ast, problems) = parse("""
        policy {
          separate a, b
          forbid update, delete on table audit.events except dba
          forbid superuser except dba
          limit members of dba to 3
          protect svc
          allow W0301 for svc
        }
        test 'read-only' {
          expect r can select on table s.t
          expect r cannot insert, update on table s.t
          expect u member of r
          expect u not member of dba
        }
        """)
        #expect(problems.isEmpty)
        guard case .policy(let rules, _) = ast.statements[0] else { Issue.record("no policy"); return }
        #expect(rules.count == 6)
        if case .forbidAttribute(let attribute, let except, _) = rules[2] {
            #expect(attribute.text == "superuser")
            #expect(except.map(\.text) == ["dba"])
        } else { Issue.record("forbid attribute") }
        guard case .test(let block) = ast.statements[1] else { Issue.record("no test"); return }
        #expect(block.title.value == "read-only")
        #expect(block.expectations.count == 4)
    }

    @Test func recoversAndReportsEveryError() {
        let (ast, problems) = parse("""
        role a {
          member of
          grant select on tabel s.t
          login
        }
        usr b
        role c
        grant on table s.t to c
        role d { bogus }
        user e
        """)
        #expect(problems.map(\.code) == ["E0110", "E0110", "E0110", "E0110", "E0110"])
        let names = ast.statements.compactMap { statement -> String? in
            if case .principal(let decl) = statement { return decl.names.first?.text }
            return nil
        }
        #expect(names == ["a", "c", "d", "e"])
    }

    @Test func unclosedBlockIsReportedAtEndOfFile() {
        let (_, problems) = parse("role a {\n  login\n")
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("'}'") == true)
    }

    @Test func everyLoopTerminatesOnGarbage() {
        let garbage = "{ } ( ) , . ; = [ ] role { grant on to from with } user 'x' \"y\" 42 policy { forbid } test 'x' { expect }"
        let (_, problems) = parse(garbage)
        #expect(!problems.isEmpty)
    }
}
