import Foundation
import Testing
@testable import Rolec
@testable import RolecCLI

/// Every lint of `rolec check` (W0701-W0709): it fires where it should, at the source
/// it is about, and `allow CODE for NAME` silences it.
@Suite("Lints")
struct LintTests {
    func lint(_ text: String, dialect: any Dialect = PostgresDialect()) -> (diagnostics: [Diagnostic], file: SourceFile) {
        let file = SourceFile(id: 0, path: "t.roles", text: text)
        let compilation = Compilation(files: [file])
        let (ir, problems) = compilation.lower(for: Target(dialect: dialect, version: dialect.defaultVersion))
        #expect(!(compilation.parseDiagnostics + problems).contains { $0.isError }, "\(compilation.parseDiagnostics + problems)")
        return (Lints.check(compilation.syntax.map(\.1), ir: ir), file)
    }

    /// The codes found, and the source text each points at.
    func found(_ text: String, _ code: String, dialect: any Dialect = PostgresDialect()) -> [String] {
        let (diagnostics, file) = lint(text, dialect: dialect)
        return diagnostics.filter { $0.code == code }.map { file.text($0.range) }
    }

    /// Fires on `text`; silenced by appending `allow CODE for NAME`.
    func firesAndIsAllowed(_ text: String, _ code: String, at source: String, allowFor name: String) {
        #expect(found(text, code).contains(source), "\(code) should point at '\(source)': \(found(text, code))")
        let allowed = text + "\npolicy { allow \(code) for \(name) }\n"
        #expect(found(allowed, code).isEmpty, "\(code) should be silenced for \(name)")
    }

    @Test func publicGrant() {
        firesAndIsAllowed("""
        schema s
        role r { grant usage on schema s }
        user u { member of r }
        grant select on table s.t to public
        """, "W0701", at: "public", allowFor: "public")
        #expect(found("schema s\nrevoke create on schema public from public", "W0701").isEmpty)
    }

    @Test func allPrivileges() {
        let text = """
        schema s
        role r { grant usage on schema s
          grant all privileges on table s.t }
        role q { grant usage on schema s }
        user u { member of r, q }
        grant all on table s.x to q
        """
        #expect(found(text, "W0702") == ["all privileges", "all"])
        #expect(found(text + "\npolicy { allow W0702 for r }", "W0702") == ["all"])
        #expect(found(text + "\npolicy { allow W0702 for r, q }", "W0702").isEmpty)
    }

    @Test func grantOption() {
        firesAndIsAllowed("""
        schema s
        role r { grant usage on schema s
          grant select on table s.t with grant option }
        user u { member of r }
        """, "W0703", at: "grant select on table s.t with grant option", allowFor: "r")
        let (diagnostics, _) = lint("schema s\nrole a { grant usage on schema s }\nrole b { grant usage on schema s }\nuser u { member of a, b }\ngrant select on table s.t to a, b with grant option\npolicy { allow W0703 for a }")
        #expect(diagnostics.filter { $0.code == "W0703" }.map(\.message) == ["grant with grant option: 'b' may pass it on to anyone"])
    }

    @Test func dangerousAttributes() {
        for attribute in ["superuser", "bypassrls", "createrole", "replication"] {
            firesAndIsAllowed("user u { \(attribute) }", "W0704", at: attribute, allowFor: "u")
        }
        #expect(found("user u { createdb\n login }", "W0704").isEmpty)
    }

    @Test func directUserGrants() {
        let text = """
        schema s
        role r { grant usage on schema s }
        user u { member of r
          grant select on table s.t }
        user v { member of r }
        grant select on table s.x to v, r
        user w { profile readonly on schema s }
        """
        #expect(found(text, "W0705") == ["grant select on table s.t", "v", "profile readonly on schema s"])
        #expect(found(text + "\npolicy { allow W0705 for u, v, w }", "W0705").isEmpty)
        #expect(found("schema s\nrole r { grant usage on schema s }\nuser u { member of r }", "W0705").isEmpty)
    }

    @Test func redundantGrants() {
        let text = """
        schema s
        role reader { grant usage on schema s
          grant select on all tables in schema s }
        role writer { member of reader
          grant select, insert on table s.t }
        user u { member of writer }
        """
        let (diagnostics, file) = lint(text)
        let redundant = diagnostics.filter { $0.code == "W0706" }
        #expect(redundant.map { file.text($0.range) } == ["grant select, insert on table s.t"])
        #expect(redundant.first?.message == "redundant grant: 'writer' already holds select on table s.t as a member of reader")
        #expect(found(text + "\npolicy { allow W0706 for writer }", "W0706").isEmpty)
        // Not inherited: not redundant.
        #expect(found(text.replacingOccurrences(of: "role writer {", with: "role writer { noinherit\n"), "W0706").isEmpty)
    }

    @Test func unusedRoles() {
        firesAndIsAllowed("role ghost\nschema s\nrole r { grant usage on schema s }\nuser u { member of r }", "W0707", at: "ghost", allowFor: "ghost")
        #expect(found("role owner\nschema s owned by owner\nrole base\nrole r { member of base\n grant usage on schema s }\nuser u { member of r }", "W0707").isEmpty)
    }

    @Test func readOnlyWithWrites() {
        firesAndIsAllowed("schema s\nrole app_ro { grant usage on schema s\n grant select, delete on table s.t }\nuser u { member of app_ro }",
                          "W0708", at: "grant select, delete on table s.t", allowFor: "app_ro")
        firesAndIsAllowed("schema s owned by o\nrole o\nrole w { grant truncate on table s.t }\nrole reporting { profile readonly on schema s\n member of w }\nuser u { member of reporting }",
                          "W0708", at: "reporting", allowFor: "reporting")
        #expect(found("schema s\nrole readers { grant usage on schema s\n grant select on table s.t }\nuser u { member of readers }", "W0708").isEmpty)
        #expect(found("schema s\nrole rollout { grant usage on schema s\n grant insert on table s.t }\nuser u { member of rollout }", "W0708").isEmpty)
        #expect(Lints.soundsReadOnly("appReader") && Lints.soundsReadOnly("sales-ro") && !Lints.soundsReadOnly("readwrite"))
        #expect(!Lints.soundsReadOnly("app_read_write") && !Lints.soundsReadOnly("readerRW") && !Lints.soundsReadOnly("rollout"))
    }

    @Test func inertWithoutSchemaUsage() {
        let text = "role r { grant select on table s.t }\nuser u { member of r }"
        firesAndIsAllowed(text, "W0709", at: "grant select on table s.t", allowFor: "r")
        // Usage held by a member through another role makes it usable.
        #expect(found("role r { grant select on table s.t }\nrole use { grant usage on schema s }\nuser u { member of r, use }", "W0709").isEmpty)
        // Only PostgreSQL needs usage on the schema.
        #expect(found(text, "W0709", dialect: MySQLDialect(flavour: .mysql)).isEmpty)
    }

    @Test func inertWithoutConnect() {
        let text = """
        schema s
        role r { grant usage on schema s }
        user u { member of r }
        revoke connect on database app from public
        """
        firesAndIsAllowed(text, "W0709", at: "u", allowFor: "u")
        #expect(found(text + "\ngrant connect on database app to r", "W0709").isEmpty)
    }

    @Test func inertWithoutLogin() {
        firesAndIsAllowed("schema s\nrole r { grant usage on schema s }", "W0709", at: "r", allowFor: "r")
        #expect(found("schema s\nrole r { grant usage on schema s }\nrole mid { member of r }\nuser u { member of mid }", "W0709").isEmpty)
    }

    @Test func everyLintIsInTheCatalog() {
        #expect(Diagnostic.lintCatalog.map(\.code) == (1...9).map { "W070\($0)" })
    }

    @Test func sarifHasTheRequiredStructure() throws {
        let text = "schema s\nrole ghost\nrole r { grant usage on schema s }\nuser u { member of r }\ngrant select on table s.t to public\n"
        let file = SourceFile(id: 0, path: "dir/my policy.roles", text: text)
        let (diagnostics, _) = lint(text)
        var all = diagnostics
        all.append(Diagnostic(.error, "E0201", "unknown role 'x'", at: SourceRange(file: 0, start: 0, end: 6)))
        all.append(Diagnostic(.note, "N0001", "outside any file", at: .none))
        let document = DiagnosticRenderer(files: [file]).sarif(all, toolVersion: "0.1.0")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        #expect(json["version"] as? String == "2.1.0")
        #expect((json["$schema"] as? String)?.contains("sarif-schema-2.1.0") == true)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "rolec")
        #expect(DiagnosticRenderer.uri("/abs/a b.roles") == "file:///abs/a%20b.roles")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let ruleIds = rules.compactMap { $0["id"] as? String }
        #expect(Set(ruleIds) == Set(all.map(\.code)) && ruleIds.count == Set(ruleIds).count)
        for rule in rules { #expect(((rule["shortDescription"] as? [String: Any])?["text"] as? String)?.isEmpty == false) }
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == all.count)
        for (result, diagnostic) in zip(results, all) {
            #expect(result["ruleId"] as? String == diagnostic.code)
            #expect(["error", "warning", "note"].contains(result["level"] as? String ?? ""))
            #expect(result["level"] as? String == diagnostic.severity.rawValue)
            #expect(((result["message"] as? [String: Any])?["text"] as? String)?.hasPrefix(diagnostic.message) == true)
            if let index = result["ruleIndex"] as? Int { #expect(ruleIds[index] == diagnostic.code) }
            let locations = try #require(result["locations"] as? [[String: Any]])
            if diagnostic.range == .none { #expect(locations.isEmpty); continue }
            let physical = try #require(locations.first?["physicalLocation"] as? [String: Any])
            #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "dir/my%20policy.roles")
            let region = try #require(physical["region"] as? [String: Int])
            let start = file.location(of: diagnostic.range.start), end = file.location(of: diagnostic.range.end)
            #expect(region["startLine"] == start.line && region["startColumn"] == start.column)
            #expect(region["endLine"] == end.line && region["endColumn"] == end.column)
            #expect((region["startColumn"] ?? 0) >= 1)
        }
        // The lint's region covers 'public' on line 5 (columns 1-based, end exclusive).
        let publicResult = try #require(results.first { $0["ruleId"] as? String == "W0701" })
        let region = ((publicResult["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Int]
        #expect(region == ["startLine": 5, "startColumn": 30, "endLine": 5, "endColumn": 36])
    }

    @Test func sarifColumnsCountUTF16() throws {
        let text = "role \"é\u{1F600}x\"\n"
        let file = SourceFile(id: 0, path: "t.roles", text: text)
        let start = Array("role \"é\u{1F600}".utf8).count
        let d = Diagnostic(.warning, "W0707", "m", at: SourceRange(file: 0, start: start, end: start + 1))
        let document = DiagnosticRenderer(files: [file]).sarif([d])
        // 'role "' is 6 units, é 1, the emoji 2: x starts at column 10.
        #expect(document.contains("\"startColumn\" : 10"))
        #expect(document.contains("\"endColumn\" : 11"))
    }

    @Test func bigPolicyStaysFast() {
        var text = "schema s\nrole base { grant usage on schema s\n grant select on all tables in schema s }\n"
        for i in 0..<400 { text += "role r\(i) { member of base\n grant select, insert on table s.t\(i) }\nuser u\(i) { member of r\(i) }\n" }
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = lint(text) }
        #expect(elapsed < .seconds(10))
        #expect(found(text, "W0706").count == 400)
    }
}

/// `rolec check` runs the lints: warnings (exit 0, 1 with --strict), allow, and SARIF on stdout.
@Suite("CLI: rolec check lints")
struct LintCLITests {
    func rolec(_ arguments: [String], stdin: String) -> (code: Int32, out: String, err: String) {
        let out = CapturedSink(), err = CapturedSink()
        let code = RolecCLI.run(arguments: arguments, stdin: { Array(stdin.utf8) }, stdout: out, stderr: err)
        return (code, out.text, err.text)
    }

    let policy = "schema s\nrole r { grant usage on schema s }\nuser u { member of r }\nrole ghost\n"

    @Test func lintsAreWarnings() {
        let plain = rolec(["check", "-", "--dialect", "postgres"], stdin: policy)
        #expect(plain.code == 0)
        #expect(plain.err.contains("warning[W0707]: role 'ghost' is unused"))
        #expect(rolec(["check", "-", "--dialect", "postgres", "--strict"], stdin: policy).code == 1)
        let allowed = rolec(["check", "-", "--dialect", "postgres", "--strict"], stdin: policy + "policy { allow W0707 for ghost }\n")
        #expect(allowed.code == 0)
        #expect(!allowed.err.contains("W0707"))
    }

    @Test func sarifOnStdout() throws {
        let result = rolec(["check", "-", "--dialect", "postgres", "--format", "sarif"], stdin: policy)
        #expect(result.code == 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        #expect(json?["version"] as? String == "2.1.0")
        let results = (json?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]
        #expect(results?.first?["ruleId"] as? String == "W0707")
        #expect(rolec(["check", "-", "--format", "xml"], stdin: policy).code == 2)
    }
}
