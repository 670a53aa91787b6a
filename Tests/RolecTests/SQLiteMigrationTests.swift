// SQLite migrations: the catalog rows each change adds or removes. Unit tests per
// change kind (the statements, and each migration applied to a real file: up gives
// the catalog the full script gives for the new policy, down the old one's, twice
// changes nothing); golden files for the shop series (dialects/migrations/shop,
// expected/sqlite); every golden case that compiles for SQLite migrated up from
// nothing and down again; the series up and down with the authorizer enforcing
// each step; and the series through the real dbmate and the real Sqitch.

import Foundation
import Testing
@testable import Rolec
@testable import RolecSQLite
@testable import RolecCLI

/// Policies, migrations and catalogs of SQLite migration tests.
enum SQLiteMigrationSupport {
    static let dialect = SQLiteDialect()
    static let target = Target(dialect: dialect, version: dialect.defaultVersion)

    struct PolicyError: Error, CustomStringConvertible { var description: String }

    static var empty: PolicyIR { PolicyIR(dialect: dialect.name, serverVersion: dialect.defaultVersion) }

    static func ir(_ compilation: Compilation) throws -> PolicyIR {
        let output = compilation.compile(for: target)
        guard let ir = output.ir, !output.hasErrors else {
            throw PolicyError(description: DiagnosticRenderer(files: compilation.files).text(output.diagnostics))
        }
        return ir
    }

    static func ir(_ policy: String) throws -> PolicyIR {
        try ir(Compilation(files: [SourceFile(id: 0, path: "t.roles", text: policy)]))
    }

    // MARK: the shop series

    static let seriesDirectory = Golden.examples.deletingLastPathComponent().appendingPathComponent("migrations/shop")
    static let versions = ["v1", "v2", "v3"]
    /// Where the expected migrations live, relative to `Golden.examples` (for `Golden.check`).
    static let expectedDirectory = "../migrations/shop/expected/sqlite"

    static func series(_ version: String) throws -> PolicyIR {
        let directory = seriesDirectory.appendingPathComponent(version)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".roles") }.sorted()
        let sources = try files.enumerated().map { index, file in
            SourceFile(id: index, path: "shop/\(version)/\(file)", bytes: [UInt8](try Data(contentsOf: directory.appendingPathComponent(file))))
        }
        return try ir(Compilation(files: sources))
    }

    /// The series with the empty policy first: `steps[i]` -> `steps[i + 1]` is migration i + 1.
    static func seriesSteps() throws -> [PolicyIR] { [empty] + (try versions.map(series)) }

    // MARK: migrations

    struct Migration {
        var up: [MigrationSection]
        var down: [MigrationSection]
    }

    static func migration(from old: PolicyIR, to new: PolicyIR) -> Migration {
        let changes = Diff.changes(from: old, to: new)
        return Migration(up: dialect.renderMigration(changes.up, context: MigrationContext(before: old, after: new)),
                         down: dialect.renderMigration(changes.down, context: MigrationContext(before: new, after: old)))
    }

    /// One direction as a file shows it: `-- title`, its statements, a blank line between sections.
    static func text(_ sections: [MigrationSection]) -> String {
        sections.map { section in
            (["-- " + section.title] + section.statements.map(\.sql)).joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
    }

    /// Runs one direction in a transaction, as a migration tool does.
    static func apply(_ sections: [MigrationSection], to db: SQLiteConnection) throws {
        try db.apply(script: "BEGIN;\n" + text(sections) + "COMMIT;\n")
    }

    /// The catalog the full script (`rolec compile`) leaves for `ir` in a fresh file.
    static func fullScriptCatalog(_ ir: PolicyIR) throws -> SQLiteCatalog {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        let db = try SQLiteConnection(path: scratch.path)
        try db.apply(script: dialect.render(ir, options: RenderOptions()))
        return try db.readCatalog()
    }

    static func isEmpty(_ catalog: SQLiteCatalog) -> Bool {
        catalog.principals.isEmpty && catalog.memberships.isEmpty && catalog.grants.isEmpty
    }

    /// Lines only one side has, for a readable failure.
    static func difference(_ actual: SQLiteCatalog, _ expected: SQLiteCatalog) -> String {
        SQLiteGoldenApplyTests().difference(actual, expected)
    }
}

@Suite("SQLite migrations: statements per change")
struct SQLiteMigrationTests {
    typealias S = SQLiteMigrationSupport

    /// Migrates `old` -> `new` and back on a real file that holds `old`'s catalog (from
    /// the full script): each direction must leave what the full script leaves, and
    /// twice changes nothing. Returns the migration for assertions on its statements.
    @discardableResult
    func roundTrip(_ old: String, _ new: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> S.Migration {
        let before = try S.ir(old), after = try S.ir(new)
        let migration = S.migration(from: before, to: after)
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return migration }
        try db.apply(script: S.dialect.render(before, options: RenderOptions()))
        let oldCatalog = try S.fullScriptCatalog(before), newCatalog = try S.fullScriptCatalog(after)
        #expect(try db.readCatalog() == oldCatalog, sourceLocation: sourceLocation)
        for _ in 0..<2 {
            try S.apply(migration.up, to: db)
            let catalog = try db.readCatalog()
            #expect(catalog == newCatalog, "up:\n\(S.difference(catalog, newCatalog))", sourceLocation: sourceLocation)
        }
        for _ in 0..<2 {
            try S.apply(migration.down, to: db)
            let catalog = try db.readCatalog()
            #expect(catalog == oldCatalog, "down:\n\(S.difference(catalog, oldCatalog))", sourceLocation: sourceLocation)
        }
        return migration
    }

    func sql(_ sections: [MigrationSection]) -> String { S.text(sections) }

    func section(_ title: String, in sections: [MigrationSection]) -> [String]? {
        sections.first { $0.title == title }?.statements.map(\.sql)
    }

    @Test func firstMigrationCreatesTheCatalogLaterOnesDoNot() throws {
        let m1 = try roundTrip("", "role r")
        #expect(m1.up.first?.title == SQLiteRenderer.catalogTitle)
        #expect(m1.up.first?.statements.map(\.sql) == SQLiteRenderer.catalogDDL)
        // The down of the first migration leaves the (empty) catalog: nothing to create.
        #expect(!m1.down.contains { $0.title == SQLiteRenderer.catalogTitle })
        let m2 = try roundTrip("role r", "role r\nrole s")
        #expect(!m2.up.contains { $0.title == SQLiteRenderer.catalogTitle })
        #expect(!m2.down.contains { $0.title == SQLiteRenderer.catalogTitle })
        // Nothing changed: no statement at all, not even the catalog.
        #expect(S.migration(from: try S.ir("role r"), to: try S.ir("role r")).up.isEmpty)
        #expect(S.migration(from: S.empty, to: S.empty).up.isEmpty)
    }

    @Test func noTransactionControl() throws {
        let m = try roundTrip("", "role r { grant select on table main.t }")
        for statement in (m.up + m.down).flatMap(\.statements) {
            #expect(!statement.sql.hasPrefix("BEGIN") && !statement.sql.hasPrefix("COMMIT") && !statement.compound)
        }
    }

    @Test func createPrincipalIsAnUpsertAndItsDownDeletesTheRow() throws {
        let m = try roundTrip("role r", "role r\nuser u { comment 'it''s me' }")
        #expect(section("Principals", in: m.up) == ["""
            INSERT INTO "rolec_principal" ("name", "kind", "external", "login", "inherit", "valid_until", "comment") VALUES
              ('u', 'user', 0, 1, 1, 'infinity', 'it''s me')
            ON CONFLICT ("name") DO UPDATE SET "kind" = "excluded"."kind", "external" = "excluded"."external", "login" = "excluded"."login", "inherit" = "excluded"."inherit", "valid_until" = "excluded"."valid_until", "comment" = "excluded"."comment";
            """])
        #expect(m.up.map(\.title) == ["Principals"])
        #expect(section("Principals dropped (with their memberships and grants)", in: m.down) == [
            "DELETE FROM \"rolec_grant\" WHERE \"grantee\" IN (\n  'u');",
            "DELETE FROM \"rolec_membership\" WHERE \"member\" IN (\n  'u');",
            "DELETE FROM \"rolec_membership\" WHERE \"role\" IN (\n  'u');",
            "DELETE FROM \"rolec_principal\" WHERE \"name\" IN (\n  'u');",
        ])
    }

    @Test func alterPrincipalConvergesTheRow() throws {
        let m = try roundTrip("user u { comment 'a' }\nrole r", "user u { comment 'b'\nnoinherit\nvalid until '2030-01-01' }\nrole r")
        #expect(m.up.map(\.title) == ["Principal attributes"])
        #expect(sql(m.up).contains("('u', 'user', 0, 1, 0, '2030-01-01', 'b')"))
        #expect(sql(m.down).contains("('u', 'user', 0, 1, 1, 'infinity', 'a')"))
        // A role becomes a user: one row, its kind and login change.
        let k = try roundTrip("role x", "user x")
        #expect(sql(k.up).contains("('x', 'user', 0, 1, 1, 'infinity', '')") && !sql(k.up).contains("DELETE"))
    }

    @Test func partsTheCatalogDoesNotHoldAreNotesOnly() throws {
        let m = try roundTrip("user u", "user u { host '10.%'\npassword hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' }")
        #expect(m.up.map(\.title) == ["Principal attributes"])
        let notes = (section("Principal attributes", in: m.up) ?? []).filter { $0.hasPrefix("-- note: ") }
        #expect(notes.count == 2)
        #expect(notes.contains { $0.contains("hosts of u apply to MySQL/MariaDB accounts only") })
        #expect(notes.contains { $0.contains("password of u") && $0.contains("not stored") })
    }

    @Test func externalPrincipalsGetARowWhileThePolicyNamesThem() throws {
        let m = try roundTrip("", "external role owner\nrole r { member of owner }")
        #expect(sql(m.up).contains("('owner', 'role', 1, NULL, NULL, NULL, NULL)"))
        #expect(sql(m.down).contains("DELETE FROM \"rolec_principal\" WHERE \"name\" IN (\n  'owner',\n  'r');"))
        // Named no longer: the Diff has no change for it (rolec never drops an external
        // principal), the catalog row goes all the same, as with the full script.
        let gone = try roundTrip("external role owner\nrole r { member of owner }", "role r")
        #expect(sql(gone.up).contains("DELETE FROM \"rolec_principal\" WHERE \"name\" IN (\n  'owner');"))
        #expect(sql(gone.down).contains("('owner', 'role', 1, NULL, NULL, NULL, NULL)"))
        // Managed now: the row converges, also when only its `external` column changes.
        try roundTrip("external role owner\nrole r { member of owner }", "role owner\nrole r { member of owner }")
        let flip = try roundTrip("external user x { login\ninherit\nvalid until 'infinity'\ncomment '' }", "user x")
        #expect(sql(flip.up).contains("('x', 'user', 0, 1, 1, 'infinity', '')"))
        #expect(sql(flip.down).contains("('x', 'user', 1, 1, 1, 'infinity', '')"))
    }

    @Test func membershipsAndTheirAdminOption() throws {
        let m = try roundTrip("role a\nrole b\nuser u { member of a }", "role a\nrole b\nuser u { member of a with admin option\nmember of b }")
        #expect(section("Memberships", in: m.up)?.contains("""
            INSERT INTO "rolec_membership" ("role", "member", "admin") VALUES
              ('a', 'u', 1),
              ('b', 'u', 0)
            ON CONFLICT ("role", "member") DO UPDATE SET "admin" = "excluded"."admin";
            """) == true)
        #expect(section("Memberships", in: m.up)?.contains("-- note: " + SQLiteRenderer.optionsNote) == true)
        #expect(section("Memberships revoked", in: m.down) == ["DELETE FROM \"rolec_membership\" WHERE (\"role\", \"member\") IN (VALUES\n  ('b', 'u'));"])
        #expect(sql(m.down).contains("('a', 'u', 0)"))
    }

    @Test func grantsAndRevokedGrants() throws {
        let m = try roundTrip("role r { grant select on table main.t }",
                              "role r { grant select, insert on table main.t\ngrant update (c) on table main.t\ngrant create on schema main }")
        #expect(m.up.map(\.title) == ["Privileges"])
        #expect(section("Privileges", in: m.up) == ["""
            INSERT INTO "rolec_grant" ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name", "grantable") VALUES
              ('r', 'CREATE', 'schema', 'main', '', '', 0),
              ('r', 'INSERT', 'table', 'main', 't', '', 0),
              ('r', 'UPDATE', 'table', 'main', 't', 'c', 0)
            ON CONFLICT ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name") DO UPDATE SET "grantable" = "excluded"."grantable";
            """])
        #expect(section("Privileges revoked", in: m.down) == ["""
            DELETE FROM "rolec_grant" WHERE ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name") IN (VALUES
              ('r', 'CREATE', 'schema', 'main', '', ''),
              ('r', 'INSERT', 'table', 'main', 't', ''),
              ('r', 'UPDATE', 'table', 'main', 't', 'c'));
            """])
    }

    @Test func grantOptionAddedAndRevoked() throws {
        let m = try roundTrip("role r { grant select on table main.t }", "role r { grant select on table main.t with grant option }")
        #expect(section("Privileges", in: m.up)?.last?.contains("('r', 'SELECT', 'table', 'main', 't', '', 1)") == true)
        #expect(section("Grant options revoked", in: m.down)?.last?.contains("('r', 'SELECT', 'table', 'main', 't', '', 0)") == true)
        #expect(!sql(m.up).contains("DELETE") && !sql(m.down).contains("DELETE"))
    }

    @Test func oneRowForTwoSpellingsOfAnObject() throws {
        // `table t` and `table main.t` are one row: dropping one spelling keeps the row.
        let m = try roundTrip("role r { grant select on table t\ngrant select on table main.t }", "role r { grant select on table main.t }")
        #expect(!sql(m.up).contains("DELETE"))
        try roundTrip("role r { grant select on table t with grant option\ngrant select on table main.t }", "role r { grant select on table main.t }")
        try roundTrip("role r { grant select on table t }", "role r { grant select on table main.t with grant option }")
    }

    @Test func aRevokeIsItsDeleteAndItsDownRestoresWhatItTook() throws {
        let old = "role r { grant select, insert on table aux.t\ngrant select (c) on table aux.u }"
        let m = try roundTrip(old, old + "\nrevoke select on all tables in schema aux from r\nrevoke insert on table aux.t from public")
        #expect(section("Revokes", in: m.up) == [
            "DELETE FROM \"rolec_grant\" WHERE \"grantee\" = 'r' AND \"privilege\" = 'SELECT' AND \"object_kind\" IN ('all tables', 'table', 'view') AND \"schema_name\" = 'aux';",
            "DELETE FROM \"rolec_grant\" WHERE \"grantee\" = 'public' AND \"privilege\" = 'INSERT' AND \"object_kind\" IN ('table', 'view') AND \"schema_name\" = 'aux' AND \"object_name\" = 't';",
        ])
        // Down: the rows the revoke took are declared by the old policy: they come back.
        // (Whether the Diff undoes the revoke with a change or leaves it to the two policies.)
        #expect(sql(m.down).contains("('r', 'SELECT', 'table', 'aux', 't', '', 0),\n  ('r', 'SELECT', 'table', 'aux', 'u', 'c', 0)"))
        #expect(!sql(m.down).contains("DELETE"))
    }

    @Test func aGrantTurnedIntoARevoke() throws {
        let m = try roundTrip("role r { grant select on table main.t }\nrole s", "role r\nrole s\nrevoke select on table main.t from r, s")
        #expect(section("Revokes", in: m.up) == [
            "DELETE FROM \"rolec_grant\" WHERE \"grantee\" IN ('r', 's') AND \"privilege\" = 'SELECT' AND \"object_kind\" IN ('table', 'view') AND \"schema_name\" = 'main' AND \"object_name\" = 't';",
        ])
    }

    @Test func aRevokeNoLongerDeclaredIsANoteAndGivesBackOnlyDeclaredRows() throws {
        let m = try roundTrip("role r\nrevoke create on schema main from public", "role r")
        #expect(section("Revokes", in: m.up) == ["-- note: revoke of create on schema main for public is no longer declared: nothing is granted back"])
        // The down goes back to a policy that declares the revoke: its DELETE again
        // (stopEnforcing has no inverse; the policy before the down says what to do).
        #expect(section("Revokes", in: m.down) == ["DELETE FROM \"rolec_grant\" WHERE \"grantee\" = 'public' AND \"privilege\" = 'CREATE' AND \"object_kind\" = 'schema' AND \"schema_name\" = 'main';"])
        // A broad revoke kept a declared grant out of the catalog: without the revoke it
        // comes in, and the down (stopEnforcing has no inverse) takes it out again.
        let grant = "role r { grant select on table aux.t }"
        let s = try roundTrip(grant + "\nrevoke select on all tables in schema aux from r", grant)
        #expect(sql(s.up).contains("('r', 'SELECT', 'table', 'aux', 't', '', 0)"))
        #expect(sql(s.down).contains("DELETE FROM \"rolec_grant\" WHERE \"grantee\" = 'r' AND \"privilege\" = 'SELECT' AND \"object_kind\" IN ('all tables', 'table', 'view') AND \"schema_name\" = 'aux';"))
    }

    @Test func droppedPrincipalsTakeTheirRowsLast() throws {
        let old = "role a { grant select on table main.t }\nuser u { member of a\ngrant insert on table main.t }"
        let m = try roundTrip(old, "role a { grant select on table main.t }")
        #expect(m.up.map(\.title) == ["Privileges revoked", "Memberships revoked", "Principals dropped (with their memberships and grants)"])
        #expect(section("Principals dropped (with their memberships and grants)", in: m.up)?.last == "DELETE FROM \"rolec_principal\" WHERE \"name\" IN (\n  'u');")
        // Down: the principal first, then its membership and grant.
        #expect(m.down.map(\.title) == ["Principals", "Memberships", "Privileges"])
    }

    @Test func absentPrincipalsAreDeletedIfTheyExist() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        let old = try S.ir("role r"), new = try S.ir("role r\nabsent role legacy")
        try db.apply(script: S.dialect.render(old, options: RenderOptions()))
        try db.execute("INSERT INTO \"rolec_principal\" VALUES ('legacy', 'role', 0, 0, 1, 'infinity', '');"
                       + "INSERT INTO \"rolec_grant\" VALUES ('legacy', 'SELECT', 'table', 'main', 't', '', 0);")
        let m = S.migration(from: old, to: new)
        #expect(m.up.map(\.title) == ["Principals dropped (with their memberships and grants)"])
        try S.apply(m.up, to: db)
        try S.apply(m.up, to: db)
        #expect(try db.readCatalog() == S.fullScriptCatalog(new))
        #expect(m.down.isEmpty)   // what it was is unknown
    }

    @Test func ownersAreNotes() throws {
        let m = try roundTrip("role a\nrole b\nschema s owned by a", "role a\nrole b\nschema s owned by b")
        #expect(m.up.map(\.title) == ["Owners"])
        #expect(section("Owners", in: m.up) == ["-- note: schema s owned by b: SQLite has no owners; creating, altering and dropping objects of a schema is its CREATE privilege"])
    }

    @Test func changesTheDiffCannotProduceForSQLiteAreSaidNotDropped() {
        let context = MigrationContext(before: S.empty, after: S.empty)
        let sections = S.dialect.renderMigration([
            .setSetting(IRSetting(role: "r", database: nil, name: "work_mem", values: ["64MB"]), previous: nil),
            .grantDefault(IRDefaultGrant(creator: nil, schema: "s", kind: .tables, grantee: PrincipalRef(name: "r"), privilege: "SELECT", grantable: false)),
        ], context: context)
        #expect(sections.map(\.title) == [SQLiteRenderer.catalogTitle, "Role settings", "Privileges"])
        #expect(sections.dropFirst().flatMap(\.statements).allSatisfy { $0.sql.hasPrefix("-- note: ") })
    }

    @Test func namesAreQuoted() throws {
        let m = try roundTrip("", "role \"it's \"\"x\"\"\" { grant select on table \"a b\".\"c'd\" }")
        #expect(sql(m.up).contains("('it''s \"x\"', 'SELECT', 'table', 'a b', 'c''d', '', 0)"))
    }

    @Test func manyRowsAreSplitIntoStatementsOf500() throws {
        let roles = (0..<1203).map { "role r\($0)" }.joined(separator: "\n")
        let m = try roundTrip("", roles)
        #expect(section("Principals", in: m.up)?.count == 3)
        #expect(section("Principals dropped (with their memberships and grants)", in: m.down)?.count == 12)
    }

    @Test func shopSeriesGolden() throws {
        let steps = try S.seriesSteps()
        for (index, version) in S.versions.enumerated() {
            let m = S.migration(from: steps[index], to: steps[index + 1])
            Golden.check(S.text(m.up), file: "\(version).up.sql", in: S.expectedDirectory)
            Golden.check(S.text(m.down), file: "\(version).down.sql", in: S.expectedDirectory)
        }
    }

    @Test("the shop series by phases (rolec migrate --phase): principals, then privileges")
    func seriesByPhases() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        var snapshot = S.empty
        var plans: [Migrator.Plan] = []
        for version in S.versions {
            let ir = try S.series(version)
            for phase in [RenderOptions.Phase.principals, .privileges] {
                let plan = Migrator.plan(from: snapshot, to: ir, dialect: S.dialect, phase: phase, successor: nil, newSyntax: [])
                for _ in 0..<2 { try S.apply(plan.up, to: db) }
                let catalog = try db.readCatalog(), expected = try S.fullScriptCatalog(plan.migrated)
                #expect(catalog == expected, "\(version) \(phase):\n\(S.difference(catalog, expected))")
                if phase == .principals {
                    #expect(plan.up.allSatisfy { !["Privileges", "Revokes", "Privileges revoked"].contains($0.title) }, "\(version): privileges in the principals phase")
                }
                plans.append(plan)
                snapshot = plan.migrated
            }
            #expect(try db.readCatalog() == S.fullScriptCatalog(ir), "\(version): both phases differ from the full script")
        }
        for plan in plans.reversed() {
            for _ in 0..<2 { try S.apply(plan.down, to: db) }
            let catalog = try db.readCatalog(), expected = try S.fullScriptCatalog(plan.old)
            #expect(catalog == expected, "down to \(plan.old.principals.map(\.name)):\n\(S.difference(catalog, expected))")
        }
        #expect(S.isEmpty(try db.readCatalog()))
    }
}

/// Migrations applied to real database files: every golden case up from nothing and
/// down again, consecutive cases into each other, and the shop series up and down with
/// the authorizer enforcing every step. SQLite is a library, not a server: these run
/// everywhere (a file that cannot be opened prints `SKIP:`).
@Suite("SQLite migrations: applied to real databases")
struct SQLiteMigrationApplyTests {
    typealias S = SQLiteMigrationSupport

    static var compilingCases: [(name: String, ir: PolicyIR)] {
        Golden.caseNames.compactMap { name in
            guard let compilation = try? Golden.load(name), let ir = try? S.ir(compilation) else { return nil }
            return (name, ir)
        }
    }

    @Test("enough golden cases compile for SQLite")
    func corpus() {
        #expect(Self.compilingCases.count >= 10)
    }

    @Test("golden case migrated up from nothing and down again", arguments: Golden.caseNames)
    func goldenCase(_ name: String) throws {
        guard let ir = try? S.ir(try Golden.load(name)) else { return }   // does not compile for SQLite
        let migration = S.migration(from: S.empty, to: ir)
        guard !migration.up.isEmpty else {
            // Nothing for SQLite in this policy (dialect blocks for others): no migration.
            #expect(S.isEmpty(SQLiteCatalog.expected(ir)) && migration.down.isEmpty, "\(name): rows but no migration")
            return
        }
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        let full = try S.fullScriptCatalog(ir)
        #expect(full == SQLiteExpectation.catalog(ir), "\(name): the full script differs from the IR")
        for _ in 0..<2 {
            try S.apply(migration.up, to: db)
            let catalog = try db.readCatalog()
            #expect(catalog == full, "\(name) up:\n\(S.difference(catalog, full))")
        }
        // `rolec verify` agrees: the migrated catalog is the policy.
        try db.apply(script: S.dialect.renderVerification(ir, options: RenderOptions()))
        for _ in 0..<2 {
            try S.apply(migration.down, to: db)
            let catalog = try db.readCatalog()
            #expect(S.isEmpty(catalog), "\(name) down left rows:\n\(S.difference(catalog, SQLiteCatalog()))")
        }
        #expect(try db.hasCatalog(), "\(name): the down of the first migration keeps the (empty) catalog")
    }

    @Test("each golden case migrated into the next and back")
    func casesIntoEachOther() throws {
        let cases = Self.compilingCases
        try #require(cases.count >= 2)
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        try S.apply(S.migration(from: S.empty, to: cases[0].ir).up, to: db)
        for (old, new) in zip(cases, cases.dropFirst()) {
            let migration = S.migration(from: old.ir, to: new.ir)
            let oldCatalog = try S.fullScriptCatalog(old.ir), newCatalog = try S.fullScriptCatalog(new.ir)
            try S.apply(migration.up, to: db)
            var catalog = try db.readCatalog()
            #expect(catalog == newCatalog, "\(old.name) -> \(new.name):\n\(S.difference(catalog, newCatalog))")
            try S.apply(migration.down, to: db)
            catalog = try db.readCatalog()
            #expect(catalog == oldCatalog, "\(new.name) -> \(old.name) (down):\n\(S.difference(catalog, oldCatalog))")
            try S.apply(migration.up, to: db)
        }
    }

    /// What a principal may do, through the authorizer.
    enum Outcome: Equatable { case allowed, denied, refused }

    static func attempt(_ db: SQLiteConnection, as principal: String, _ sql: String) -> Outcome {
        let session: SQLitePrincipalConnection
        do {
            session = try SQLitePrincipalConnection(connection: db, principal: principal)
        } catch {
            return .refused
        }
        defer { session.close() }
        do {
            try db.execute("SAVEPOINT attempt")
            defer { try? db.execute("ROLLBACK TO attempt; RELEASE attempt") }
            try session.execute(sql)
            return .allowed
        } catch let error as SQLiteError where error.isDenied {
            return .denied
        } catch {
            Issue.record("\(principal): \(sql): \(error)")
            return .denied
        }
    }

    @Test("the shop series up and down, enforced by the authorizer at every step")
    func seriesEnforced() throws {
        let steps = try S.seriesSteps()
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = scratch.open() else { return }
        let shop = scratch.directory.appendingPathComponent("shop_app.db").path
        try db.execute("""
            ATTACH DATABASE \(SQLiteQuoting.literal(shop)) AS "shop_app";
            CREATE TABLE "shop_app"."orders" ("id" INTEGER PRIMARY KEY, "status" TEXT);
            CREATE TABLE "shop_app"."order_items" ("id" INTEGER PRIMARY KEY, "order_id" INTEGER);
            CREATE TABLE "shop_app"."customers" ("id" INTEGER PRIMARY KEY, "email" TEXT, "status" TEXT, "secret" TEXT);
            INSERT INTO "shop_app"."orders" VALUES (1, 'new');
            """)
        let catalogs = try steps.map(S.fullScriptCatalog)

        let insertOrder = "INSERT INTO \"shop_app\".\"orders\" (\"status\") VALUES ('paid')"
        let readOrders = "SELECT count(*) FROM \"shop_app\".\"orders\""
        let deleteItems = "DELETE FROM \"shop_app\".\"order_items\""
        let updateOrder = "UPDATE \"shop_app\".\"orders\" SET \"status\" = 'sent'"
        // Per version (0 = nothing migrated): what each principal gets.
        let expectations: [(principal: String, sql: String, outcomes: [Outcome])] = [
            ("analyst", insertOrder, [.refused, .allowed, .denied, .refused]),      // app_write in v1 only; dropped in v3
            ("analyst", readOrders, [.refused, .allowed, .allowed, .refused]),
            ("bi_user", readOrders, [.refused, .refused, .allowed, .allowed]),      // through auditor, then app_read too
            ("bi_user", insertOrder, [.refused, .refused, .denied, .denied]),
            ("svc_orders", updateOrder, [.refused, .allowed, .allowed, .allowed]),
            ("svc_orders", deleteItems, [.refused, .allowed, .allowed, .allowed]),
            ("app_read", readOrders, [.refused, .refused, .refused, .refused]),     // a role cannot log in
        ]
        func check(_ version: Int, _ direction: String) throws {
            if try db.hasCatalog() || direction != "start" {
                let catalog = try db.readCatalog()
                #expect(catalog == catalogs[version], "v\(version) (\(direction)):\n\(S.difference(catalog, catalogs[version]))")
            }
            for e in expectations {
                #expect(Self.attempt(db, as: e.principal, e.sql) == e.outcomes[version], "v\(version) (\(direction)): \(e.principal): \(e.sql)")
            }
        }
        let migrations = (0..<S.versions.count).map { S.migration(from: steps[$0], to: steps[$0 + 1]) }
        try check(0, "start")
        for (index, migration) in migrations.enumerated() {
            try S.apply(migration.up, to: db)
            try check(index + 1, "up")
            try S.apply(migration.up, to: db)
            try check(index + 1, "up twice")
        }
        for (index, migration) in migrations.enumerated().reversed() {
            try S.apply(migration.down, to: db)
            try check(index, "down")
            try S.apply(migration.down, to: db)
            try check(index, "down twice")
        }
        #expect(S.isEmpty(try db.readCatalog()))
    }
}

/// The shop series end to end: `rolec migrate --format dbmate` (in-process) writes the
/// migrations, the real dbmate (ROLEC_DBMATE, installed by scripts/test) applies them to
/// an SQLite file and rolls them back one by one; the catalog is compared with the full
/// script's at every step. dbmate is a tool, not a server: without it the test says so.
@Suite("SQLite migrations: dbmate and Sqitch end to end")
struct SQLiteMigrationDbmateTests {
    typealias S = SQLiteMigrationSupport

    static var dbmate: String? {
        guard let path = ProcessInfo.processInfo.environment["ROLEC_DBMATE"], !path.isEmpty,
              FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return path
    }

    /// The file's catalog is the full script's of series step `version` (0: empty).
    static func expectCatalog(_ scratch: SQLiteScratch, _ catalogs: [SQLiteCatalog], _ version: Int, _ step: String) throws {
        let db = try SQLiteConnection(path: scratch.path, readOnly: true)
        let catalog = try db.readCatalog()
        #expect(catalog == catalogs[version], "\(step): expected v\(version)\n\(S.difference(catalog, catalogs[version]))")
    }

    func rolec(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let out = CapturedSink(), err = CapturedSink()
        let code = run(arguments: arguments, stdin: { [] }, stdout: out, stderr: err)
        return (code, out.text, err.text)
    }

    @Test("dbmate up, then rollback three times")
    func upAndRollback() throws {
        guard let dbmate = Self.dbmate else {
            let reason = "ROLEC_DBMATE is not set or not executable (scripts/test installs dbmate)"
            if PostgresServer.requireLive { Issue.record("dbmate required: \(reason)") } else { print("SKIP: dbmate end to end: \(reason)") }
            return
        }
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        let migrations = scratch.directory.appendingPathComponent("migrations").path
        for (index, version) in S.versions.enumerated() {
            let result = rolec(["migrate", S.seriesDirectory.appendingPathComponent(version).path, "--dir", migrations, "--dialect", "sqlite",
                                "--format", "dbmate", "--name", "shop_\(version)", "--version", String(index + 1)])
            try #require(result.code == 0, "rolec migrate \(version): \(result.err)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: migrations).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == ["1_shop_v1.sql", "2_shop_v2.sql", "3_shop_v3.sql"])
        for file in files {
            let text = try String(contentsOfFile: migrations + "/" + file, encoding: .utf8)
            #expect(text.contains("-- migrate:up\n") && text.contains("-- migrate:down\n"), "\(file)")
            // dbmate runs each migration in a transaction of its own.
            #expect(!text.contains("\nBEGIN;") && !text.contains("\nCOMMIT;"), "\(file)")
        }

        let url = "sqlite:" + scratch.path
        func dbmateRun(_ command: String) throws {
            let result = try ClientProcess.run(dbmate, ["--url", url, "--migrations-dir", migrations, "--no-dump-schema", command], input: "",
                                               removing: ["DATABASE_URL", "DBMATE_MIGRATIONS_DIR", "DBMATE_SCHEMA_FILE", "DBMATE_MIGRATIONS_TABLE"],
                                               setting: [:])
            try #require(result.status == 0, "dbmate \(command): \(result.stdout)\(result.stderr)")
        }
        let catalogs = try S.seriesSteps().map(S.fullScriptCatalog)
        func expectCatalog(_ version: Int, _ step: String) throws { try Self.expectCatalog(scratch, catalogs, version, step) }

        try dbmateRun("up")
        try expectCatalog(3, "dbmate up")
        for version in [2, 1, 0] {
            try dbmateRun("rollback")
            try expectCatalog(version, "dbmate rollback to v\(version)")
        }
        try dbmateRun("up")
        try expectCatalog(3, "dbmate up again")
    }
    /// The same series through the real Sqitch (ROLEC_SQITCH; its SQLite engine runs the
    /// scripts with the sqlite3 client): `sqitch deploy --verify` per version, whose
    /// verify scripts are `rolec verify`; a row deleted by hand makes `sqitch verify`
    /// fail naming it; `sqitch revert` goes back to each version and to nothing.
    @Test("sqitch deploy, verify and revert")
    func sqitchDeployVerifyRevert() throws {
        guard let sqitch = MigrationTools.sqitch() else { return }
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        let project = scratch.directory.appendingPathComponent("sqitch")
        let target = "db:sqlite:" + scratch.path
        let environment = MigrationTools.sqitchEnvironment()
        func sqitchRun(_ arguments: [String], expectFailure: Bool = false) throws -> ClientProcess.Result {
            try MigrationTools.tool(sqitch, arguments, environment: environment, in: project, expectFailure: expectFailure)
        }
        let catalogs = try S.seriesSteps().map(S.fullScriptCatalog)
        func expectCatalog(_ version: Int, _ step: String) throws { try Self.expectCatalog(scratch, catalogs, version, step) }
        for (index, version) in S.versions.enumerated() {
            let result = rolec(["migrate", S.seriesDirectory.appendingPathComponent(version).path, "--dir", project.path, "--dialect", "sqlite",
                                "--format", "sqitch", "--name", "shop_\(version)", "--version", String(format: "202601010000%02d", index + 1)])
            try #require(result.code == 0, "rolec migrate \(version): \(result.err)")
            if index == 0 { try Data("[core]\n\tengine = sqlite\n".utf8).write(to: project.appendingPathComponent("sqitch.conf")) }
            try sqitchRun(["deploy", "--verify", target])
            try expectCatalog(index + 1, "sqitch deploy of \(version)")
        }
        try sqitchRun(["verify", "--from", "@HEAD", target])
        // A grant row deleted by hand: the verify script of the last change fails, naming it.
        do {
            let db = try SQLiteConnection(path: scratch.path)
            try db.execute("DELETE FROM \"rolec_grant\" WHERE \"grantee\" = 'app_write' AND \"privilege\" = 'INSERT' AND \"object_name\" = 'orders'")
        }
        let failed = try sqitchRun(["verify", "--from", "@HEAD", target], expectFailure: true)
        #expect((failed.stdout + failed.stderr).contains("missing grant: INSERT on table shop_app.orders to app_write"), "\(failed.stdout)\n\(failed.stderr)")
        do {
            let db = try SQLiteConnection(path: scratch.path)
            try db.execute("INSERT INTO \"rolec_grant\" VALUES ('app_write', 'INSERT', 'table', 'shop_app', 'orders', '', 0)")
        }
        try sqitchRun(["verify", "--from", "@HEAD", target])
        for version in [2, 1] {
            try sqitchRun(["revert", "-y", "--to", "@HEAD^", target])
            try expectCatalog(version, "sqitch revert to v\(version)")
        }
        try sqitchRun(["revert", "-y", target])
        try expectCatalog(0, "sqitch revert of everything")
    }
}
