import Foundation
import Testing
@testable import Rolec

/// Lowering hands the PostgreSQL renderer its facts as ranks (`GrantRanks`), and the
/// renderer groups them as integers (`rankedObjectStatements`). These tests hold that
/// shortcut to the plain definitions: the ranks are the facts, ordered like the values,
/// and the statements are exactly those of `objectStatements`.
@Suite("Grant ranks: lowering's interned facts and the renderer's fast grouping")
struct GrantRanksTests {
    typealias Rendered = (key: [String], text: String)

    func sorted(_ list: [Rendered]) -> [String] {
        list.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.text)
    }

    /// Equal lists, or an issue naming the first statements only one side has.
    func expectSame(_ actual: [String], _ expected: [String], _ label: String) {
        guard actual != expected else { return }
        let extra = actual.filter { !expected.contains($0) }.prefix(3)
        let missing = expected.filter { !actual.contains($0) }.prefix(3)
        Issue.record("\(label): \(actual.count) statements, expected \(expected.count); only in the fast form: \(Array(extra)); only in the plain form: \(Array(missing))")
    }

    /// Every check of this suite on one lowered IR; returns whether ranks were there.
    @discardableResult
    func checkRanks(_ ir: PolicyIR, _ label: String) -> Bool {
        guard let ranks = ir.grantRanks.ranks else { return false }
        #expect(ranks.facts.count == ir.grants.count, "\(label)")
        guard ranks.facts.count == ir.grants.count else { return true }
        for k in ir.grants.indices where ranks.grant(k) != ir.grants[k] {
            Issue.record("\(label): fact \(k) is \(ranks.grant(k)), the IR has \(ir.grants[k])")
            return true
        }
        // Ranks order like the values: strictly increasing tables.
        for k in ranks.objects.indices.dropFirst() where !(ranks.objects[k - 1] < ranks.objects[k]) {
            Issue.record("\(label): objects out of order at \(k): \(ranks.objects[k - 1]) then \(ranks.objects[k])")
        }
        for k in ranks.grantees.indices.dropFirst() where !(ranks.grantees[k - 1] < ranks.grantees[k]) {
            Issue.record("\(label): grantees out of order at \(k)")
        }
        for k in ranks.columns.indices.dropFirst() where !(ranks.columns[k - 1] < ranks.columns[k]) {
            Issue.record("\(label): columns out of order at \(k)")
        }
        for k in ranks.privileges.indices.dropFirst() where !(ranks.privileges[k - 1] < ranks.privileges[k]) {
            Issue.record("\(label): privileges out of order at \(k)")
        }
        let renderer = PostgresRenderer(ir: ir, options: RenderOptions(), dialect: PostgresDialect())
        for verb in [PostgresRenderer.Verb.grant, .revoke] {
            let fast = renderer.rankedObjectStatements(ranks, verb)
            #expect(fast != nil, "\(label)")
            let plain = renderer.objectStatements(ir.grants, verb)
            expectSame(sorted(fast ?? []), sorted(plain), "\(label) (\(verb))")
            let grouped = renderer.groupedObjectStatements(ir.grants, verb)
            expectSame(sorted(grouped ?? plain), sorted(plain), "\(label) (\(verb), grouped)")
        }
        return true
    }

    @Test("every golden case on PostgreSQL 15 and 18", arguments: Golden.caseNames)
    func goldenCases(_ name: String) throws {
        let compilation = try Golden.load(name)
        guard !compilation.parseDiagnostics.contains(where: \.isError) else { return }
        for version in ["15", "18"] {
            let (ir, problems) = compilation.lower(for: Target(dialect: PostgresDialect(), version: version))
            if problems.contains(where: \.isError) { continue }
            let hadRanks = checkRanks(ir, "\(name) on \(version)")
            // Ranks are made whenever there are facts (no golden case needs the fallback).
            #expect(hadRanks || ir.grants.isEmpty, "\(name) on \(version): no ranks for \(ir.grants.count) facts")
        }
    }

    /// A policy with everything the grouping distinguishes: shared and distinct privilege
    /// sets, grant options beside plain grants on one object, PUBLIC, column grants
    /// between column-less facts, several object kinds (one group per `ALL ... IN SCHEMA`
    /// kind), and grantees whose names sort differently from their first appearance.
    static func mixedPolicy(roles: Int, tables: Int) -> String {
        var text = "schema s\nschema t\n"
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let privileges = ["select", "insert", "update", "delete", "truncate", "references", "trigger"]
        for r in (0..<roles).reversed() {
            text += "role r\(r) {\n  grant usage on schema s\n"
            for _ in 0..<6 {
                let table = "\(next(2) == 0 ? "s" : "t").x\(next(tables))"
                let chosen = privileges.filter { _ in next(3) == 0 }
                let list = chosen.isEmpty ? "select" : chosen.joined(separator: ", ")
                text += "  grant \(list) on table \(table)\(next(4) == 0 ? " with grant option" : "")\n"
                if next(5) == 0 { text += "  grant select (c\(next(3)), c\(next(3) + 3)) on table \(table)\n" }
            }
            if next(3) == 0 { text += "  grant usage, select on sequence s.q\(next(5))\n" }
            if next(3) == 0 { text += "  grant execute on function s.f\(next(4))(integer)\n" }
            if next(4) == 0 { text += "  grant select on all tables in schema t\n" }
            if next(4) == 0 { text += "  grant usage on all sequences in schema s\n" }
            text += "}\n"
        }
        text += "grant select on table s.x0, s.x1 to public\n"
        text += "grant connect, temporary on database shop to r0, r1\n"
        return text
    }

    @Test func mixedPolicyOnEveryVersion() throws {
        let text = GrantRanksTests.mixedPolicy(roles: 60, tables: 25)
        let compilation = Compilation(files: [SourceFile(id: 0, path: "mixed.roles", text: text)])
        let parsed = !compilation.parseDiagnostics.contains { $0.isError }
        #expect(parsed)
        for version in ["15", "16", "17", "18"] {
            let (ir, problems) = compilation.lower(for: Target(dialect: PostgresDialect(), version: version))
            let lowered = !problems.contains { $0.isError }
            #expect(lowered, "\(problems.map(\.code))")
            let kinds = (grantable: ir.grants.contains { $0.grantable }, plain: ir.grants.contains { !$0.grantable },
                         column: ir.grants.contains { $0.column != nil }, publicRole: ir.grants.contains { $0.grantee.name == nil })
            #expect(kinds.grantable && kinds.plain && kinds.column && kinds.publicRole)
            #expect(checkRanks(ir, "mixed on \(version)"))
        }
    }

    /// The script is the same with and without the ranks (the renderer's other path).
    @Test func scriptIsTheSameWithoutRanks() throws {
        let text = GrantRanksTests.mixedPolicy(roles: 40, tables: 15)
        let compilation = Compilation(files: [SourceFile(id: 0, path: "mixed.roles", text: text)])
        let (ir, _) = compilation.lower(for: Target(dialect: PostgresDialect(), version: "16"))
        #expect(ir.grantRanks.ranks != nil)
        var without = ir
        without.grantRanks.ranks = nil
        let withRanks = PostgresDialect().render(ir, options: RenderOptions())
        let plain = PostgresDialect().render(without, options: RenderOptions())
        #expect(withRanks == plain)
        #expect(withRanks.contains("WITH GRANT OPTION") && withRanks.contains("SELECT (c"))
    }

    /// Any change to `grants` drops the ranks, so no consumer can render stale facts; the
    /// ranks are not part of the IR's value (equality, hashing, JSON).
    @Test func changingGrantsDropsTheRanks() throws {
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: "role a { grant select on table s.t }")])
        let (ir, _) = compilation.lower(for: Target(dialect: PostgresDialect(), version: "15"))
        #expect(ir.grantRanks.ranks != nil)
        var changed = ir
        changed.grants.append(IRGrant(grantee: PrincipalRef(name: "a"), privilege: "INSERT",
                                      object: .relation(.table, schema: "s", name: "u"), column: nil, grantable: false))
        #expect(changed.grantRanks.ranks == nil)
        let script = PostgresDialect().render(changed, options: RenderOptions())
        #expect(script.contains("GRANT INSERT ON TABLE s.u TO a;"))
        #expect(script.contains("GRANT SELECT ON TABLE s.t TO a;"))
        var sorted = ir
        sorted.grants.sort()
        #expect(sorted.grantRanks.ranks == nil)

        var stripped = ir
        stripped.grantRanks.ranks = nil
        #expect(stripped == ir && stripped.hashValue == ir.hashValue)
        let json = String(decoding: try JSONEncoder().encode(ir), as: UTF8.self)
        #expect(!json.contains("grantRanks") && json.contains("\"grants\""))
        let decoded = try JSONDecoder().decode(PolicyIR.self, from: Data(json.utf8))
        #expect(decoded == ir && decoded.grantRanks.ranks == nil)
    }

    /// Ranks that do not describe the facts handed to the renderer are ignored.
    @Test func ranksOfOtherFactsAreIgnored() throws {
        let one = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: "role a { grant select on table s.t }")])
        let two = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: "role b { grant delete on table s.u }")])
        let (irA, _) = one.lower(for: Target(dialect: PostgresDialect(), version: "15"))
        let (irB, _) = two.lower(for: Target(dialect: PostgresDialect(), version: "15"))
        let renderer = PostgresRenderer(ir: irB, options: RenderOptions(), dialect: PostgresDialect())
        let statements = renderer.grantStatements(irB.grants, .grant, ranks: irA.grantRanks.ranks)
        #expect(statements == ["GRANT DELETE ON TABLE s.u TO b;"])
    }
}
