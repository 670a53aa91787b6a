import Foundation
import Testing
@testable import Rolec

/// `EffectiveAccess.privileges(on:)` (what `rolec explain --object` prints) works from the
/// object; it must list exactly what `privileges(of:)` lists on that object for each
/// principal, in `ir.principals` order.
@Suite("Explain by object")
struct ExplainObjectTests {
    struct Entry: Equatable, CustomStringConvertible {
        var principal: String, privilege: String, column: String?, paths: [EffectiveAccess.Path]
        var description: String { "\(principal) \(privilege) \(column ?? "-"): \(paths.map { $0.explain(principal) })" }
    }

    /// Every principal's `privileges(of:)`, kept for `object`.
    func byPrincipal(_ access: EffectiveAccess, _ ir: PolicyIR, _ object: IRObject) -> [Entry] {
        ir.principals.flatMap { p in
            access.privileges(of: p.name).filter { $0.object == object }.map {
                Entry(principal: p.name, privilege: $0.privilege, column: $0.column, paths: $0.paths)
            }
        }
    }

    func byObject(_ access: EffectiveAccess, _ object: IRObject) -> [Entry] {
        access.privileges(on: object).map { Entry(principal: $0.principal, privilege: $0.privilege, column: $0.column, paths: $0.paths) }
    }

    @Test("every named object of every case and dialect", arguments: Golden.caseNames)
    func sameAsByPrincipal(_ name: String) throws {
        let compilation = try Golden.load(name)
        guard !compilation.parseDiagnostics.contains(where: \.isError) else { return }
        for dialect in DialectRegistry.all {
            let (ir, problems) = compilation.lower(for: Target(dialect: dialect, version: dialect.defaultVersion))
            if problems.contains(where: \.isError) { continue }
            let access = EffectiveAccess(ir: ir)
            for object in access.namedObjects {
                let expected = byPrincipal(access, ir, object)
                let actual = byObject(access, object)
                #expect(actual == expected, "\(name), \(dialect.name), \(object.display)")
            }
        }
    }

    @Test func coversBulkGrantsOwnersSuperusersAndPublicDefaults() throws {
        let text = """
        role owner_role
        schema app owned by owner_role
        role reader { grant select on all tables in schema app }
        role one { grant select (id) on table app.t }
        user u { member of reader }
        user boss { superuser }
        user o { member of owner_role }
        role fan { grant execute on function app.f(integer) }
        role user_of { grant usage on schema app }
        """
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
        let (ir, problems) = compilation.lower(for: Target(dialect: PostgresDialect(), version: "15"))
        #expect(!(compilation.parseDiagnostics + problems).contains { $0.isError })
        let access = EffectiveAccess(ir: ir)
        let table = IRObject.relation(.table, schema: "app", name: "t")
        let onTable = byObject(access, table)
        #expect(onTable == byPrincipal(access, ir, table))
        #expect(onTable.contains { $0.principal == "u" && $0.privilege == "SELECT" })
        #expect(onTable.contains { $0.principal == "one" && $0.column == "id" })
        #expect(onTable.contains { $0.principal == "boss" })
        let function = IRObject.routine(.function, schema: "app", name: "f", arguments: ["integer"])
        let onFunction = byObject(access, function)
        #expect(onFunction == byPrincipal(access, ir, function))
        #expect(Set(onFunction.map(\.principal)) == Set(ir.principals.map(\.name)))   // PUBLIC's EXECUTE
        let schema = IRObject.schema("app")
        #expect(byObject(access, schema) == byPrincipal(access, ir, schema))
        #expect(byObject(access, schema).contains { $0.principal == "o" })
    }
}
