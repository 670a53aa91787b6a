import Foundation
import Testing
@testable import Rolec
@testable import RolecCLI

/// Golden files for the explanations: `rolec test` on every case with test blocks
/// (`test.txt`), and `rolec explain --principal` for every user of a few cases
/// (`explain.txt`), both with PostgreSQL semantics.
@Suite("Explanation goldens")
struct ExplanationGoldenTests {
    func rolec(_ arguments: [String]) -> String {
        let out = CapturedSink(), err = CapturedSink()
        let code = run(arguments: arguments, stdin: { [] }, stdout: out, stderr: err)
        return "exit \(code)\n" + out.text
    }

    static var casesWithTests: [String] {
        Golden.caseNames.filter { name in
            let url = Golden.examples.appendingPathComponent(name).appendingPathComponent("policy.roles")
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").contains { $0.hasPrefix("test '") }
        }
    }

    @Test("test blocks", arguments: casesWithTests)
    func testOutput(_ name: String) {
        Golden.check(rolec(["test", Golden.examples.appendingPathComponent(name).path]), file: "test.txt", in: name)
    }

    @Test("explain every user", arguments: ["portable", "rules-violated", "shop"])
    func explainUsers(_ name: String) throws {
        let compilation = try Golden.load(name)
        let (ir, _) = compilation.lower(for: Target(dialect: PostgresDialect(), version: "15"))
        var text = ""
        for user in ir.principals where user.kind == .user {
            text += "== \(user.name)\n" + rolec(["explain", Golden.examples.appendingPathComponent(name).path, "--principal", user.name])
        }
        Golden.check(text, file: "explain.txt", in: name)
    }

    @Test func thereAreCasesWithTests() {
        #expect(Self.casesWithTests.count >= 2)
    }
}
