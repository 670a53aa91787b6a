// Live proof that PostgreSQL migrations (PostgresMigration.swift) lead a real
// PostgreSQL 15 and 18 cluster from one declared state to the next, and back.
// Each migration is applied with psql (ON_ERROR_STOP) inside BEGIN/COMMIT; the
// catalog is read back (CatalogSnapshot.swift) and compared, row by row, with the
// state computed from the IR alone (CatalogExpectation.swift).
//
//  a. Every golden case of dialects/examples that compiles for the version: the
//     objects it names are created (as LivePostgresTests does), the catalog is
//     snapshotted (baseline), the up migration from nothing is applied (catalog =
//     the case's declared state), then the down migration (catalog = baseline, but
//     for what a migration cannot know and so does not undo: the attributes of
//     external principals, the owner before a policy named one, and absent
//     principals, which stay dropped).
//  b. The series dialects/migrations/shop v1 -> v2 -> v3 (and small series for
//     what it does not reach): each up, compared with that version; then each down
//     in reverse, compared with the previous version and finally the baseline.
//     Every migration runs twice in a row: the second run succeeds and changes nothing.
//  c. A dropped principal that owns a table: the table goes to the successor
//     (`Diff.Options.successor`), or to the role running the migration.
//  d. The same migrations applied to two databases of one cluster: both runs
//     succeed, the dropped principal (owning a table in each) is dropped by the run
//     in the second database, and both databases hold each version's state.

import Foundation
import Testing
@testable import Rolec

extension LiveServerTests {
    @Suite("Live PostgreSQL: migrations lead from each declared state to the next")
    struct LivePostgresMigrationTests {
        @Test("golden case up from nothing and down again on PostgreSQL 15", .requiresPostgres(15), arguments: Golden.caseNames)
        func case15(_ name: String) throws {
            guard let server = liveServerOrSkip(15) else { return }
            try LiveMigrationCase(name: name, server: server)?.upAndDown()
        }

        @Test("golden case up from nothing and down again on PostgreSQL 18", .requiresPostgres(18), arguments: Golden.caseNames)
        func case18(_ name: String) throws {
            guard let server = liveServerOrSkip(18) else { return }
            try LiveMigrationCase(name: name, server: server)?.upAndDown()
        }

        @Test("shop series up and down on PostgreSQL 15", .requiresPostgres(15))
        func series15() throws {
            guard let server = liveServerOrSkip(15) else { return }
            try LiveSeries.shop(server: server).upAndDown()
        }

        @Test("shop series up and down on PostgreSQL 18", .requiresPostgres(18))
        func series18() throws {
            guard let server = liveServerOrSkip(18) else { return }
            try LiveSeries.shop(server: server).upAndDown()
        }

        @Test("policy series up and down on PostgreSQL 15", .requiresPostgres(15), arguments: PolicySeries.all)
        func policySeries15(_ series: PolicySeries) throws {
            guard let server = liveServerOrSkip(15) else { return }
            try series.live(on: server)?.upAndDown()
        }

        @Test("policy series up and down on PostgreSQL 18", .requiresPostgres(18), arguments: PolicySeries.all)
        func policySeries18(_ series: PolicySeries) throws {
            guard let server = liveServerOrSkip(18) else { return }
            try series.live(on: server)?.upAndDown()
        }

        @Test("a dropped principal's table goes to the successor on PostgreSQL 15", .requiresPostgres(15), arguments: [nil, "app_owner"])
        func successor15(_ successor: String?) throws {
            guard let server = liveServerOrSkip(15) else { return }
            try LiveSeries.shop(server: server, successor: successor).droppedOwnerHandsOver()
        }

        @Test("a dropped principal's table goes to the successor on PostgreSQL 18", .requiresPostgres(18), arguments: [nil, "app_owner"])
        func successor18(_ successor: String?) throws {
            guard let server = liveServerOrSkip(18) else { return }
            try LiveSeries.shop(server: server, successor: successor).droppedOwnerHandsOver()
        }

        @Test("the series applied to two databases of one cluster on PostgreSQL 15", .requiresPostgres(15))
        func twoDatabases15() throws {
            guard let server = liveServerOrSkip(15) else { return }
            try LiveSeries.shop(server: server, successor: "app_owner").twoDatabases()
        }

        @Test("the series applied to two databases of one cluster on PostgreSQL 18", .requiresPostgres(18))
        func twoDatabases18() throws {
            guard let server = liveServerOrSkip(18) else { return }
            try LiveSeries.shop(server: server, successor: "app_owner").twoDatabases()
        }

        /// Guards against a vacuous pass: the golden corpus gives the case tests work,
        /// and the series changes something at every step in both directions.
        @Test("the corpus and the series give the live migration tests work")
        func notVacuous() throws {
            let compiling = try Golden.caseNames.filter { try Golden.load($0).compile(for: Target(dialect: PostgresDialect(), version: "15")).ir != nil }
            #expect(compiling.count >= 20)
            for m in try PostgresMigrationTests.shopMigrations(server: "18") {
                #expect(!m.changes.up.isEmpty && !m.changes.down.isEmpty, "shop \(m.version)")
            }
        }
    }
}

/// One direction of a migration as psql runs it: in a transaction of its own.
fileprivate func psqlMigration(_ changes: [Change], before: PolicyIR, after: PolicyIR) -> String {
    let sections = PostgresDialect().renderMigration(changes, context: MigrationContext(before: before, after: after))
    return "BEGIN;\n\n" + PostgresMigrationTests.text(sections) + "\nCOMMIT;\n"
}

extension LiveCaseRun {
    /// A run over a fixture of the caller's choice (the series needs the objects of
    /// every version); `script` is what a failure saves (the migrations), the phases
    /// are unused.
    init(name: String, server: PostgresServer, ir: PolicyIR, fixture: LiveFixture, script: String) {
        self.name = name
        self.server = server
        self.script = script
        self.principalsPhase = ""
        self.privilegesPhase = ""
        self.ir = ir
        self.fixture = fixture
    }

    /// Rows of the declared state of `ir` over this run's fixture, the migrations
    /// having run in `applied`.
    func expected(_ ir: PolicyIR, applied: [String]) throws -> Set<CatalogRow> {
        let normalization = try LiveNormalization.load(server, ir: ir, fixture: fixture, database: fixture.primary)
        var model = ExpectedCatalog(ir: ir, version: server.version, fixture: fixture, normalization: normalization)
        let rows = model.rows(applied: applied, clusterDatabases: fixture.databases, absentIn: Set(applied))
        for problem in Set(model.problems).sorted() { Issue.record("\(label): test model: \(problem)") }
        return rows
    }

    /// Applies a migration again where it ran already (another database of the
    /// cluster, or the same one again): role-level statements find their work done,
    /// and PostgreSQL warns on a REVOKE of a membership that is gone; no other warning
    /// is accepted.
    func applyAgain(_ sql: String, to database: String, step: String) -> Bool {
        do {
            let run = try server.run(sql, database: database)
            let warnings = run.warnings.filter {
                !$0.contains("is not a member of role") && !$0.contains("has not been granted membership in role")
            }
            if !warnings.isEmpty {
                fail("\(step) in \(database) printed warnings", warnings.map { "  WARNING: \($0)" }.joined(separator: "\n"), sql: sql)
            }
            return true
        } catch {
            fail("\(step) in \(database) failed", (error as? PsqlError)?.stderr ?? "\(error)", sql: sql)
            return false
        }
    }

    /// Leaves a clean cluster for the other live tests.
    func cleanUp() {
        for database in fixture.createdDatabases { try? server.dropDatabase(database) }
        try? server.resetRoles()
        try? resetBuiltinDatabases()
    }
}

/// Small series for what the shop series does not reach: a REVOKE reaching facts
/// still held, grants reaching declared revokes, attributes and settings, membership
/// options, grant options, default privileges, declared revokes and their undo, and a
/// dropped role that held something of every kind.
struct PolicySeries: Sendable, CustomTestStringConvertible {
    var name: String
    var policies: [String]
    /// Series that need a newer server (membership options: 16).
    var minimumVersion = 15
    var testDescription: String { name }

    func live(on server: PostgresServer) throws -> LiveSeries? {
        guard server.version >= minimumVersion else {
            print("live: policy series \(name) needs PostgreSQL \(minimumVersion)+; not run on \(server.version)")
            return nil
        }
        let versions = try policies.enumerated().map { ("v\($0.offset + 1)", try PostgresMigrationTests.ir($0.element, version: String(server.version))) }
        return LiveSeries(server: server, name: "policy series \(name)", versions: versions, successor: nil)
    }

    static let scram = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$5U2oGo7wZzEzGkzOi/sxqVYxM2Su+7ByNiHvGvfq6fg=:5DWW81SH8RM6rVKSz2pyk8S1Pzh2ExDx0BMjYdeHmbY="
    static let hardeningBase = "external role m\ndatabase app owned by m created by m\nschema s owned by m\nrole a\ngrant connect on database app to a\n"

    static let all: [PolicySeries] = [
        PolicySeries(name: "a bulk revoke keeps the named grants", policies: [
            "role a\ngrant select on all existing tables in schema s to a\ngrant select on table s.t to a\ngrant update on table s.u to a\ngrant update (c) on table s.u to a",
            "role a\ngrant select on table s.t to a\ngrant update (c) on table s.u to a",
        ]),
        PolicySeries(name: "grants reach a declared revoke", policies: [
            "role a\nrevoke select on table s.secret from public",
            "role a\nrevoke select on table s.secret from public\ngrant select on all existing tables in schema s to public",
        ]),
        PolicySeries(name: "attributes, passwords and settings", policies: [
            "user u {\n comment 'old'\n set work_mem = '16MB'\n set statement_timeout = '3s'\n}\nrole r\n"
                + "user p { password hash '\(scram)' }",
            "user u {\n noinherit\n connection limit 5\n valid until '2030-01-01 00:00:00+00'\n comment ''\n set work_mem = '32MB'\n"
                + " set search_path = '$user', public in database app\n}\nuser r\n"
                + "user p { password hash '\(scram.replacingOccurrences(of: "5U2oGo7wZ", with: "5U2oGo7wY"))' }",
        ]),
        PolicySeries(name: "admin option", policies: [
            "role g\nrole h\nuser a { member of g }\nuser b { member of g with admin option }\nuser c { member of h }",
            "role g\nrole h\nuser a { member of g with admin option }\nuser b { member of g }\nuser c { member of g }",
        ]),
        PolicySeries(name: "membership options", policies: [
            "role g\nuser a { member of g with admin option, inherit false }\nuser b { member of g }",
            "role g\nuser a { member of g with set false }\nuser b { member of g with admin option, inherit false }",
        ], minimumVersion: 16),
        PolicySeries(name: "inherit attribute", policies: [
            "role g\nuser a { member of g }",
            "role g\nuser a {\n noinherit\n member of g\n}",
        ]),
        PolicySeries(name: "grant options and default privileges", policies: [
            "external role o\nschema s owned by o\nrole a\ngrant select on table s.t to a\ngrant update (c) on table s.t to a\n"
                + "grant select on all future tables in schema s to a with grant option",
            "external role o\nschema s owned by o\nrole a\ngrant select on table s.t to a with grant option\n"
                + "grant update (c) on table s.t to a with grant option\ngrant select on all future tables in schema s to a\n"
                + "grant usage on all future sequences in schema s to a",
        ]),
        PolicySeries(name: "declared revokes and their undo", policies: [
            hardeningBase,
            hardeningBase + "revoke execute on all functions from public\nrevoke create on schema public from public\n"
                + "revoke temp on database app from public\nrevoke select on table s.secrets from a\nrevoke all on database app from public",
        ]),
        PolicySeries(name: "a dropped role held something of every kind", policies: [
            "external role o\nschema s owned by o\nrole a\nuser u {\n member of a\n set work_mem = '1MB'\n grant select on table s.t\n"
                + " grant select on all future tables in schema s\n grant usage on schema s\n grant connect on database app\n}\n"
                + "role g { member of u }\ngrant usage on schema s to a",
            "external role o\nschema s owned by o\nrole a\nrole g\ngrant usage on schema s to a",
        ]),
    ]
}

/// (a) One golden case: up from nothing, then down.
struct LiveMigrationCase {
    let run: LiveCaseRun
    let changes: ChangeSet
    let up: String
    let down: String

    init?(name: String, server: PostgresServer) throws {
        guard let compiled = try LiveCaseRun(name: name, server: server) else { return nil }
        let ir = compiled.ir
        let empty = PolicyIR(dialect: ir.dialect, serverVersion: ir.serverVersion)
        changes = Diff.changes(from: empty, to: ir)
        up = psqlMigration(changes.up, before: empty, after: ir)
        down = psqlMigration(changes.down, before: ir, after: empty)
        run = LiveCaseRun(name: name, server: server, ir: ir, fixture: compiled.fixture, script: "-- up\n\(up)\n-- down\n\(down)")
    }

    func upAndDown() throws {
        defer { run.cleanUp() }
        let ir = run.ir, primary = run.fixture.primary

        try run.prepareCluster(preExisting: [])
        try run.createObjects(in: [primary: true])
        let baseline = try run.snapshot([primary])
        guard run.apply(up, to: primary, step: "migration up from nothing") else { return }
        let afterUp = try run.snapshot([primary])
        run.compare(expected: try run.expected(ir, applied: [primary]), actual: afterUp, step: "after the up migration")
        guard run.apply(down, to: primary, step: "migration down to nothing") else { return }
        let expected = Irreversible(ir: ir).expectedAfterDown(baseline: baseline, afterUp: afterUp)
        let diff = CatalogDiff(expected: expected, actual: try run.snapshot([primary]))
        if !diff.isEmpty {
            run.fail("catalog after the down migration differs from the one before the up migration",
                     diff.render(expectedName: "before up", actualName: "after down"), sql: down)
        }
        print("live: migration of case \(run.name) on PostgreSQL \(run.server.version): \(changes.up.count) changes up, \(changes.down.count) down")
    }
}

/// What a down migration from a policy to nothing leaves as the up migration made it,
/// because the Change model does not know the state before: the attributes of
/// external principals (converged, never created), the owner of a schema or database
/// the policy named for the first time when the owner survives the down (a role the
/// policy created is dropped, and REASSIGN OWNED gives its objects to the migrating
/// role, which is the baseline's owner), and absent principals (dropped, with what
/// they owned handed to the migrating role).
struct Irreversible {
    var external: Set<String> = []
    /// [kind, name] -> the owner the up migration gave it.
    var owned: [[String]: String] = [:]
    var absent: Set<String> = []

    init(ir: PolicyIR) {
        external = Set(ir.principals.filter(\.external).map(\.name))
        let created = Set(ir.principals.filter { !$0.external }.map(\.name))
        for o in ir.ownerships where !created.contains(o.owner) {
            owned[[o.scope.rawValue, o.name]] = o.owner
        }
        absent = Set(ir.absent.map(\.name))
    }

    /// The catalog expected after the down migration: `baseline`, but for the rows the
    /// down leaves as the up migration made them (taken from `afterUp`). A new owner
    /// also becomes the grantor of the object's remaining ACL entries (ALTER ... OWNER
    /// rewrites them), such as PUBLIC's built-in CONNECT on a database.
    func expectedAfterDown(baseline: Set<CatalogRow>, afterUp: Set<CatalogRow>) -> Set<CatalogRow> {
        var rows = baseline.filter { !contains($0) }.union(afterUp.filter(contains))
        for row in rows {
            // acl | database | kind | identity | column | grantee | privilege | grantable | grantor
            let f = row.fields
            guard f.first == "acl", f.count == 9, let owner = owned[[f[2], f[3]]] else { continue }
            var moved = f
            moved[8] = "grantor=" + owner
            rows.remove(row)
            rows.insert(CatalogRow(moved))
        }
        return rows
    }

    func contains(_ row: CatalogRow) -> Bool {
        let f = row.fields
        if f.first == "role", f.count > 1, external.contains(f[1]) { return true }
        // owner | kind | database | identity | owner
        if f.first == "owner", f.count == 5, owned[[f[1], f[3]]] != nil { return true }
        return f.contains { field in
            absent.contains(field) || absent.contains { field.hasSuffix("." + LiveFixture.absentOwned($0)) }
        }
    }
}

/// (b), (c), (d): the series dialects/migrations/shop on one server.
struct LiveSeries {
    let server: PostgresServer
    let successor: String?
    let versions: [(name: String, ir: PolicyIR)]
    /// (up, down) of each migration of the series, in order.
    let migrations: [(version: String, before: PolicyIR, after: PolicyIR, up: String, down: String)]
    /// Every version's objects: one fixture serves the whole series.
    let run: LiveCaseRun
    let empty: PolicyIR

    init(server: PostgresServer, name: String, versions: [(name: String, ir: PolicyIR)], successor: String? = nil) {
        self.server = server
        self.successor = successor
        self.versions = versions
        empty = PolicyIR(dialect: "postgres", serverVersion: String(server.version))
        var merged = empty
        var principals: [String: IRPrincipal] = [:]
        for (_, ir) in versions { for p in ir.principals { principals[p.name] = p } }
        merged.principals = principals.values.sorted()
        merged.grants = versions.flatMap(\.ir.grants)
        merged.revokes = versions.flatMap(\.ir.revokes)
        merged.ownerships = Array(Set(versions.flatMap(\.ir.ownerships))).sorted()
        merged.defaultGrants = versions.flatMap(\.ir.defaultGrants)
        merged.defaultRevokes = versions.flatMap(\.ir.defaultRevokes)
        merged.settings = versions.flatMap(\.ir.settings)
        var previous = empty
        migrations = versions.map { version in
            defer { previous = version.ir }
            let changes = Diff.changes(from: previous, to: version.ir, options: Diff.Options(successor: successor))
            return (version.name, previous, version.ir,
                    psqlMigration(changes.up, before: previous, after: version.ir),
                    psqlMigration(changes.down, before: version.ir, after: previous))
        }
        let all = migrations.map { "-- \($0.version) up\n\($0.up)\n-- \($0.version) down\n\($0.down)" }.joined(separator: "\n")
        // No absent principals: the fixture would create them before versions that do not name them.
        run = LiveCaseRun(name: name, server: server, ir: merged, fixture: LiveFixture(ir: merged), script: all)
    }

    /// dialects/migrations/shop v1, v2, v3.
    static func shop(server: PostgresServer, successor: String? = nil) throws -> LiveSeries {
        let versions = try PostgresMigrationTests.series.map { ($0, try PostgresMigrationTests.shop($0, server: String(server.version))) }
        return LiveSeries(server: server, name: "shop series", versions: versions, successor: successor)
    }

    /// (b) Every version up from the one before, then down to nothing, compared each time.
    func upAndDown() throws {
        defer { run.cleanUp() }
        let primary = run.fixture.primary
        try run.prepareCluster(preExisting: [])
        try run.createObjects(in: [primary: true])
        let baseline = try run.snapshot([primary])
        let steps = migrations
        for m in steps {
            guard run.apply(m.up, to: primary, step: "\(m.version) up") else { return }
            let expected = try run.expected(m.after, applied: [primary])
            run.compare(expected: expected, actual: try run.snapshot([primary]), step: "after \(m.version) up")
            // Re-runnable: the same migration again (as after a failure) succeeds and changes nothing.
            guard run.applyAgain(m.up, to: primary, step: "\(m.version) up again") else { return }
            run.compare(expected: expected, actual: try run.snapshot([primary]), step: "after \(m.version) up ran twice")
        }
        for (index, m) in steps.enumerated().reversed() {
            guard run.apply(m.down, to: primary, step: "\(m.version) down"),
                  run.applyAgain(m.down, to: primary, step: "\(m.version) down again") else { return }
            let actual = try run.snapshot([primary])
            if index == 0 {
                let expected = Irreversible(ir: m.after).expectedAfterDown(baseline: baseline,
                                                                           afterUp: try run.expected(m.after, applied: [primary]))
                let diff = CatalogDiff(expected: expected, actual: actual)
                if !diff.isEmpty {
                    run.fail("catalog after \(run.name) \(m.version) down differs from the one before the first up",
                             diff.render(expectedName: "before the first up", actualName: "after down"), sql: m.down)
                }
            } else {
                run.compare(expected: try run.expected(m.before, applied: [primary]), actual: actual,
                            step: "after \(m.version) down")
            }
        }
    }

    /// The table the principal dropped by v3 (analyst) owns.
    static let ownedTable = "analyst_notes"
    static let dropped = "analyst"

    func createOwnedTable(in database: String) throws {
        try run.setup("""
            CREATE TABLE shop_app.\(LiveSeries.ownedTable) (id integer);
            ALTER TABLE shop_app.\(LiveSeries.ownedTable) OWNER TO \(LiveSeries.dropped);
            """, database: database, what: "a table owned by \(LiveSeries.dropped)")
    }

    func ownerOfOwnedTable(in database: String) throws -> String {
        try server.psql("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'shop_app.\(LiveSeries.ownedTable)'::regclass;",
                        database: database)
    }

    func roleExists(_ name: String) throws -> Bool {
        try server.psql("SELECT count(*) FROM pg_roles WHERE rolname = \(PostgresServer.quoteLiteral(name));") == "1"
    }

    /// The declared state of `ir` plus the owned table (its owner row only: nothing is granted on it).
    func expectedWithOwnedTable(_ ir: PolicyIR, owner: String, applied: [String]) throws -> Set<CatalogRow> {
        var rows = try run.expected(ir, applied: applied)
        for database in applied {
            rows.insert(CatalogRow(["owner", "table", database, "shop_app." + LiveSeries.ownedTable, owner]))
        }
        return rows
    }

    /// (c) v3 drops analyst, which owns a table: the successor (or the migrating role) gets it.
    func droppedOwnerHandsOver() throws {
        defer { run.cleanUp() }
        let primary = run.fixture.primary
        try run.prepareCluster(preExisting: [])
        try run.createObjects(in: [primary: true])
        let steps = migrations
        for m in steps {
            if m.version == "v3" { try createOwnedTable(in: primary) }
            guard run.apply(m.up, to: primary, step: "shop \(m.version) up") else { return }
        }
        let heir = successor ?? "postgres"
        #expect(try !roleExists(LiveSeries.dropped), "\(run.label): \(LiveSeries.dropped) still exists after v3 up")
        #expect(try ownerOfOwnedTable(in: primary) == heir)
        run.compare(expected: try expectedWithOwnedTable(versions[2].ir, owner: heir, applied: [primary]),
                    actual: try run.snapshot([primary]), step: "after v3 up dropped \(LiveSeries.dropped) (successor \(heir))")
    }

    /// (d) Every migration applied to two databases, up and down; v3 drops analyst,
    /// which owns a table in both: the first run leaves it (a NOTICE), the second drops it.
    func twoDatabases() throws {
        defer { run.cleanUp() }
        let primary = run.fixture.primary, secondary = run.fixture.secondary
        try run.prepareCluster(preExisting: [])
        try run.createObjects(in: [primary: true, secondary: true])
        let both = [primary, secondary]
        let heir = successor ?? "postgres"
        let steps = migrations
        for m in steps {
            if m.version == "v3" {
                try createOwnedTable(in: primary)
                try createOwnedTable(in: secondary)
            }
            guard run.apply(m.up, to: primary, step: "shop \(m.version) up") else { return }
            if m.version == "v3" {
                // Still owns a table in the second database: left there, with a NOTICE.
                #expect(try roleExists(LiveSeries.dropped), "\(run.label): \(LiveSeries.dropped) dropped while it owns a table in \(secondary)")
                #expect(try ownerOfOwnedTable(in: primary) == heir && ownerOfOwnedTable(in: secondary) == LiveSeries.dropped)
            }
            guard run.applyAgain(m.up, to: secondary, step: "shop \(m.version) up, second database") else { return }
            if m.version == "v3" {
                #expect(try ownerOfOwnedTable(in: primary) == heir && ownerOfOwnedTable(in: secondary) == heir)
            }
        }
        #expect(try !roleExists(LiveSeries.dropped), "\(run.label): \(LiveSeries.dropped) still exists after v3 up in both databases")
        run.compare(expected: try expectedWithOwnedTable(versions[2].ir, owner: heir, applied: both),
                    actual: try run.snapshot(both), step: "after v3 up in \(primary) and \(secondary)")
        for (index, m) in steps.enumerated().reversed() {
            guard run.apply(m.down, to: primary, step: "shop \(m.version) down"),
                  run.applyAgain(m.down, to: secondary, step: "shop \(m.version) down, second database") else { return }
            if index == 0 {
                // Every role the series created held privileges in both databases: the
                // run in the first left them (a NOTICE), the run in the second dropped them.
                let left = try server.psql("SELECT string_agg(rolname, ', ' ORDER BY rolname) FROM pg_roles WHERE rolname = ANY(\(CatalogReader.literalArray(m.after.principals.filter { !$0.external }.map(\.name))));")
                #expect(left.isEmpty, "\(run.label): roles left after v1 down in both databases: \(left)")
            } else {
                run.compare(expected: try expectedWithOwnedTable(m.before, owner: heir, applied: both), actual: try run.snapshot(both),
                            step: "after shop \(m.version) down in \(primary) and \(secondary)")
            }
        }
    }
}
