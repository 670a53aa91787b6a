// Proof on a real SQLite library that every golden case that compiles for SQLite
// yields exactly the declared catalog: the script is applied to a fresh file and
// the catalog read back must equal what the IR says, computed here independently
// of the renderer; applied again, nothing changes; applied over a catalog left by
// another policy, the leftovers are gone; applied by phases, the result is the
// same; and `rolec_effective_grant` agrees with the closure over memberships
// computed here (noinherit stops it, PUBLIC reaches everyone).

import Foundation
import Testing
@testable import Rolec
@testable import RolecSQLite

/// The catalog a policy must leave, from its IR alone.
enum SQLiteExpectation {
    typealias Row = SQLiteCatalog.Grant

    static func place(_ object: IRObject) -> (String, String, String)? {
        switch object {
        case .database(let d): return ("database", "", d)
        case .schema(let s): return ("schema", s, "")
        case .relation(.table, let s, let n): return ("table", s ?? "main", n)
        case .relation(.view, let s, let n): return ("view", s ?? "main", n)
        case .allInSchema(.tables, let s): return ("all tables", s, "")
        default: return nil
        }
    }

    static func revoked(_ row: Row, by fact: IRGrant) -> Bool {
        guard row.grantee == (fact.grantee.name ?? "public"), row.privilege == fact.privilege else { return false }
        switch fact.object {
        case .database(let d): return row.objectKind == "database" && row.objectName == d
        case .schema(let s): return row.objectKind == "schema" && row.schemaName == s
        case .relation(let kind, let s, let n) where kind != .sequence:
            return ["table", "view"].contains(row.objectKind) && row.schemaName == (s ?? "main") && row.objectName == n
                && (fact.column == nil || fact.column == row.columnName)
        case .allInSchema(.tables, let s): return ["all tables", "table", "view"].contains(row.objectKind) && row.schemaName == s
        default: return false
        }
    }

    static func catalog(_ ir: PolicyIR) -> SQLiteCatalog {
        var grants: [String: Row] = [:]
        for fact in ir.grants {
            guard let (kind, schema, name) = place(fact.object) else {
                Issue.record("a fact SQLite cannot hold reached rendering: \(fact)")
                continue
            }
            let row = Row(grantee: fact.grantee.name ?? "public", privilege: fact.privilege, objectKind: kind, schemaName: schema,
                          objectName: name, columnName: fact.column ?? "", grantable: fact.grantable)
            let key = row.key.joined(separator: "\u{0}")
            grants[key] = Row(grantee: row.grantee, privilege: row.privilege, objectKind: kind, schemaName: schema, objectName: name,
                              columnName: row.columnName, grantable: row.grantable || (grants[key]?.grantable ?? false))
        }
        let kept = grants.values.filter { row in !ir.revokes.contains { revoked(row, by: $0) } }
        return SQLiteCatalog(
            principals: ir.principals.map {
                SQLiteCatalog.Principal(name: $0.name, kind: $0.kind.rawValue, external: $0.external, login: $0.login,
                                        inherit: $0.inherit, validUntil: $0.validUntil, comment: $0.comment)
            },
            memberships: ir.memberships.map { SQLiteCatalog.Membership(role: $0.role, member: $0.member, admin: $0.admin) },
            grants: Array(kept))
    }

    /// Per principal: the grantees whose rows it holds (itself, the roles it inherits, public).
    static func holders(_ ir: PolicyIR, of principal: String) -> Set<String> {
        var held: Set<String> = [principal, "public"]
        var frontier = [principal]
        while let next = frontier.popLast() {
            guard ir.principal(named: next)?.inherit ?? true else { continue }
            for m in ir.memberships where m.member == next && held.insert(m.role).inserted { frontier.append(m.role) }
        }
        return held
    }
}

@Suite("SQLite: golden scripts applied to a real database")
struct SQLiteGoldenApplyTests {
    static let target = Target(dialect: SQLiteDialect(), version: "3.40")

    static var compilingCases: [String] {
        Golden.caseNames.filter { (try? Golden.load($0).compile(for: target).script) != nil }
    }

    @Test("enough golden cases compile for SQLite")
    func corpusCompiles() {
        #expect(Self.compilingCases.count >= 10)
    }

    @Test("golden case on SQLite", arguments: Golden.caseNames)
    func goldenCase(_ name: String) throws {
        let compilation = try Golden.load(name)
        let output = compilation.compile(for: Self.target)
        guard let script = output.script, let ir = output.ir else { return }   // its errors are in expected.txt
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        let expected = SQLiteExpectation.catalog(ir)

        try db.apply(script: script)
        let first = try db.readCatalog()
        #expect(first == expected, "\(name): catalog differs from the IR\n\(difference(first, expected))")
        #expect(first == SQLiteCatalog.expected(ir), "\(name): the renderer's own expectation disagrees")

        try db.apply(script: script)
        #expect(try db.readCatalog() == first, "\(name): applying twice changed the catalog")

        // rolec_effective_grant = the closure over memberships, principal by principal.
        let viewRows = try db.query("""
            SELECT "principal", "privilege", "object_kind", coalesce("schema_name", ''), coalesce("object_name", ''), coalesce("column_name", '')
            FROM "rolec_effective_grant"
            """).map { $0.map { $0.text ?? "" }.joined(separator: "|") }
        var closure: Set<String> = []
        for p in ir.principals {
            let holders = SQLiteExpectation.holders(ir, of: p.name)
            for g in expected.grants where holders.contains(g.grantee) {
                closure.insert([p.name, g.privilege, g.objectKind, g.schemaName, g.objectName, g.columnName].joined(separator: "|"))
            }
        }
        #expect(Set(viewRows) == closure, "\(name): rolec_effective_grant differs from the closure")

        // By phases, into a fresh file: the same catalog.
        let phased = try SQLiteScratch()
        defer { phased.remove() }
        if let other = phased.open() {
            for phase in [RenderOptions.Phase.principals, .privileges] {
                try other.apply(script: try #require(compilation.compile(for: Self.target, options: RenderOptions(phase: phase)).script))
            }
            #expect(try other.readCatalog() == first, "\(name): principals then privileges differs from the full script")
        }
    }

    @Test("a script replaces whatever another policy left")
    func leftoversAreRemoved() throws {
        let cases = Self.compilingCases
        try #require(cases.count >= 2)
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        // Every case applied over the previous one's catalog (plus a hand-made row) ends equal to its own.
        for name in cases {
            try db.execute("""
                INSERT OR IGNORE INTO "rolec_principal" VALUES ('stray', 'user', 0, 1, 1, NULL, NULL);
                INSERT OR IGNORE INTO "rolec_grant" VALUES ('stray', 'DELETE', 'all tables', 'main', '', '', 0);
                INSERT OR IGNORE INTO "rolec_membership" VALUES ('stray', 'stray2', 0);
                """.replacingOccurrences(of: "INSERT", with: try db.hasCatalog() ? "INSERT" : "-- INSERT"))
            let output = try Golden.load(name).compile(for: Self.target)
            try db.apply(script: try #require(output.script))
            let ir = try #require(output.ir)
            #expect(try db.readCatalog() == SQLiteExpectation.catalog(ir), "\(name) over leftovers")
        }
    }

    @Test("a failing script leaves the catalog as it was")
    func failureRollsBack() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        let script = try #require(Compilation(files: [SourceFile(id: 0, path: "t.roles", text: "role r { grant select on table main.t }")])
            .compile(for: Self.target).script)
        try db.apply(script: script)
        let before = try db.readCatalog()
        let broken = script.replacingOccurrences(of: "COMMIT;", with: "INSERT INTO no_such_table VALUES (1);\nCOMMIT;")
            .replacingOccurrences(of: "('r', 'SELECT'", with: "('r2', 'SELECT'")
        #expect(throws: SQLiteError.self) { try db.apply(script: broken) }
        #expect(!db.inTransaction)
        #expect(try db.readCatalog() == before)
    }

    func difference(_ actual: SQLiteCatalog, _ expected: SQLiteCatalog) -> String {
        var lines: [String] = []
        for p in Set(actual.principals).symmetricDifference(expected.principals) {
            lines.append((actual.principals.contains(p) ? "+ " : "- ") + "\(p)")
        }
        for m in Set(actual.memberships).symmetricDifference(expected.memberships) {
            lines.append((actual.memberships.contains(m) ? "+ " : "- ") + "\(m)")
        }
        for g in Set(actual.grants).symmetricDifference(expected.grants) {
            lines.append((actual.grants.contains(g) ? "+ " : "- ") + "\(g)")
        }
        return lines.sorted().joined(separator: "\n")
    }
}
