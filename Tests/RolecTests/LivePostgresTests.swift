// Live proof that a compiled script yields exactly the declared state on real
// PostgreSQL 15 and 18, for every golden case in dialects/examples that compiles
// for that version (the list is read at run time).
//
// Per case and version (the IR and the scripts come from `Compilation`; the
// expected state is computed from the IR alone by CatalogExpectation.swift and
// compared row by row, both directions, with what CatalogSnapshot.swift reads):
//
//  A. Fresh cluster: roles reset; every database the policy names (plus a
//     primary and a secondary one) created; external principals created; every
//     schema, table (with the columns of column grants), view, sequence,
//     function and procedure (argument types as written; unknown types become
//     domains) the policy names created, plus a table, view, sequence, function
//     and procedure in every schema a bulk grant targets; principals declared
//     `absent` created owning a table, holding privileges (with grant option) and
//     default privileges. The script is applied (psql, ON_ERROR_STOP, a WARNING
//     fails the test) and the catalog must equal the declared state: roles
//     (attributes, VALID UNTIL, comment, password verifier), memberships (16+:
//     inherit/set options) and their grantor, per-role settings, owners and ACLs
//     of databases, schemas, relations, columns and routines (PUBLIC's built-in
//     defaults included, owners' own entries left out), pg_default_acl.
//     Then the script is applied again: the snapshot must not change. Then one
//     object per default-privilege entry is created as its creator (rolled back)
//     and must carry exactly the declared default privileges.
//  B. Two databases of one cluster, the absent principals owning objects in
//     both: the script applied to each; both databases must match.
//  C. Half the managed roles exist already with other attributes (every flag
//     flipped, CONNECTION LIMIT 3, VALID UNTIL 2030, a comment, a password).
//  D. `--phase principals` before any schema exists, then each schema and its
//     objects created by the schema's declared owner, then `--phase privileges`.

import Foundation
import Testing
@testable import Rolec

extension LiveServerTests {
    @Suite("Live PostgreSQL: scripts yield the declared state")
    struct LivePostgresTests {
        @Test("golden case on PostgreSQL 15", .requiresPostgres(15), arguments: Golden.caseNames)
        func postgres15(_ name: String) throws {
            guard let server = liveServerOrSkip(15) else { return }
            try LiveCaseRun(name: name, server: server)?.run()
        }

        @Test("golden case on PostgreSQL 18", .requiresPostgres(18), arguments: Golden.caseNames)
        func postgres18(_ name: String) throws {
            guard let server = liveServerOrSkip(18) else { return }
            try LiveCaseRun(name: name, server: server)?.run()
        }

        /// Guards against a vacuous pass: the corpus must give the live tests work.
        @Test("golden cases compile for PostgreSQL 15 and 18")
        func corpusCompiles() throws {
            for version in ["15", "18"] {
                let compiling = try Golden.caseNames.filter { name in
                    try Golden.load(name).compile(for: Target(dialect: PostgresDialect(), version: version)).script != nil
                }
                #expect(!compiling.isEmpty, "no golden case compiles for PostgreSQL \(version)")
            }
        }

        /// The model itself must be able to fail: a catalog that lacks a declared
        /// grant, or holds one more, is reported.
        @Test("a wrong catalog is reported", .requiresPostgres(15))
        func detectsDifferences() throws {
            guard let server = liveServerOrSkip(15) else { return }
            try server.resetRoles()
            try server.createDatabase("rolec_live_selftest")
            defer { try? server.dropDatabase("rolec_live_selftest") }
            try server.psql("""
                CREATE ROLE rolec_selftest_reader;
                """)
            try server.psql("""
                CREATE SCHEMA s; CREATE TABLE s.t (id integer);
                GRANT SELECT, INSERT ON s.t TO rolec_selftest_reader;
                """, database: "rolec_live_selftest")
            let rows = try CatalogReader.snapshot(server, databases: ["rolec_live_selftest"], clusterDatabases: ["rolec_live_selftest"])
            var declared = rows
            declared.remove(CatalogRow(["acl", "rolec_live_selftest", "table", "s.t", "", "rolec_selftest_reader", "INSERT",
                                        "grantable=false", "grantor=postgres"]))
            declared.insert(CatalogRow(["acl", "rolec_live_selftest", "table", "s.t", "", "rolec_selftest_reader", "DELETE",
                                        "grantable=false", "grantor=postgres"]))
            let diff = CatalogDiff(expected: declared, actual: rows)
            #expect(diff.missing.map(\.description) == ["acl | rolec_live_selftest | table | s.t |  | rolec_selftest_reader | DELETE | grantable=false | grantor=postgres"])
            #expect(diff.unexpected.map(\.description) == ["acl | rolec_live_selftest | table | s.t |  | rolec_selftest_reader | INSERT | grantable=false | grantor=postgres"])
            #expect(rows.contains(CatalogRow(["acl", "", "database", "rolec_live_selftest", "", "PUBLIC", "CONNECT", "grantable=false", "grantor=postgres"])))
            try server.resetRoles()
        }
    }
}

/// One golden case on one server: setup, apply, compare, re-apply, probe,
/// second database, pre-existing roles, phases.
struct LiveCaseRun {
    let name: String
    let server: PostgresServer
    let script: String
    /// `--phase principals` and `--phase privileges` of the same policy.
    let principalsPhase: String
    let privilegesPhase: String
    let ir: PolicyIR
    let fixture: LiveFixture
    var label: String { "case \(name) on PostgreSQL \(server.version)" }

    typealias Q = PostgresServer

    /// nil when the case does not compile for this version (it is then not a
    /// live case here: its diagnostics are the golden tests' business).
    init?(name: String, server: PostgresServer) throws {
        try self.init(name: name, server: server, compilation: try Golden.load(name))
    }

    init?(name: String, server: PostgresServer, compilation: Compilation) throws {
        let target = Target(dialect: PostgresDialect(), version: String(server.version))
        let output = compilation.compile(for: target)
        guard let script = output.script, let ir = output.ir else {
            print("live: \(name) does not compile for PostgreSQL \(server.version); nothing to apply")
            return nil
        }
        self.name = name
        self.server = server
        self.script = script
        self.principalsPhase = compilation.compile(for: target, options: RenderOptions(phase: .principals)).script ?? ""
        self.privilegesPhase = compilation.compile(for: target, options: RenderOptions(phase: .privileges)).script ?? ""
        self.ir = ir
        self.fixture = LiveFixture(ir: ir)
    }

    func run() throws {
        let started = Date()
        defer {
            // Leave a clean cluster for the other live tests.
            for database in fixture.createdDatabases { try? server.dropDatabase(database) }
            try? server.resetRoles()
            try? resetBuiltinDatabases()
        }
        let primary = fixture.primary, secondary = fixture.secondary

        // A. Fresh cluster with every object the script refers to; first apply.
        try prepareCluster(preExisting: [])
        try createObjects(in: [primary: true, secondary: false])
        let normalization = try LiveNormalization.load(server, ir: ir, fixture: fixture, database: primary)
        var model = ExpectedCatalog(ir: ir, version: server.version, fixture: fixture, normalization: normalization)
        let expected = model.rows(applied: [primary], clusterDatabases: fixture.databases, absentIn: [primary])
        let expectedBoth = model.rows(applied: [primary, secondary], clusterDatabases: fixture.databases,
                                      absentIn: [primary, secondary])
        let expectedOwned = model.rows(applied: [primary], clusterDatabases: fixture.databases, absentIn: [primary],
                                       bySchemaOwners: true)
        for problem in Set(model.problems).sorted() { Issue.record("\(label): test model: \(problem)") }
        var summary = "\(expected.count) rows"
        defer { print("live: \(label): \(summary), \(String(format: "%.1f", Date().timeIntervalSince(started)))s") }

        if apply(script, to: primary, step: "first apply") {
            let first = try snapshot([primary])
            compare(expected: expected, actual: first, step: "after the first apply")

            // A'. Idempotency: the same script again changes nothing.
            if apply(script, to: primary, step: "second apply") {
                let rerun = CatalogDiff(expected: first, actual: try snapshot([primary]))
                if !rerun.isEmpty {
                    fail("the second apply changed the catalog",
                         rerun.render(expectedName: "after the first apply", actualName: "after the second"))
                }
            }
            // A''. New objects get the declared default privileges.
            summary += ", \(try probeDefaultPrivileges(model)) new objects probed"
        }

        // B. Two databases of one cluster (the absent principals own objects in both).
        try prepareCluster(preExisting: [])
        try createObjects(in: [primary: true, secondary: true])
        if apply(script, to: primary, step: "apply to the first of two databases"),
           apply(script, to: secondary, step: "apply to the second of two databases") {
            compare(expected: expectedBoth, actual: try snapshot([primary, secondary]),
                    step: "after applying to \(primary) and \(secondary)")
        }

        // C. Some managed roles exist already, with other attributes.
        let preExisting = ir.principals.filter { !$0.external }.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        if !preExisting.isEmpty {
            try prepareCluster(preExisting: preExisting)
            try createObjects(in: [primary: true])
            if apply(script, to: primary, step: "apply over pre-existing roles") {
                compare(expected: expected, actual: try snapshot([primary]),
                        step: "after applying over pre-existing roles \(preExisting.map(\.name).joined(separator: ", "))")
            }
            summary += ", \(preExisting.count) roles pre-existing"
        }

        // D. Phases, as a deployment runs them: principals before the application's
        // schemas exist; then each schema and its objects are created by the
        // schema's declared owner; then the privileges.
        try prepareCluster(preExisting: [])
        if apply(principalsPhase, to: primary, step: "--phase principals before any object exists") {
            try createObjects(in: [primary: true], bySchemaOwners: true)
            if apply(privilegesPhase, to: primary, step: "--phase privileges") {
                compare(expected: expectedOwned, actual: try snapshot([primary]),
                        step: "after --phase principals, objects created by the schema owners, --phase privileges")
            }
        }
    }

    // MARK: steps

    /// Resets the roles and databases and creates the principals that must exist
    /// before the script: external ones, absent ones (to be dropped), and
    /// `preExisting` managed ones with other attributes than declared.
    func prepareCluster(preExisting: [IRPrincipal]) throws {
        try server.resetRoles()
        for database in fixture.createdDatabases { try server.createDatabase(database) }
        try resetBuiltinDatabases()
        var roles: [String] = []
        for p in ir.principals where p.external {
            roles.append("CREATE ROLE \(Q.quoteIdentifier(p.name))\(p.kind == .user ? " LOGIN" : "");")
        }
        for a in fixture.absent {
            roles.append("CREATE ROLE \(Q.quoteIdentifier(a.name))\(a.kind == .user ? " LOGIN" : "");")
        }
        for p in preExisting {
            func flip(_ value: Bool?, _ word: String) -> String { (value ?? false) ? "NO" + word : word }
            var options = [flip(p.login, "LOGIN"), flip(p.superuser, "SUPERUSER"), flip(p.createdb, "CREATEDB"),
                           flip(p.createrole, "CREATEROLE"), flip(p.replication, "REPLICATION"), flip(p.bypassrls, "BYPASSRLS"),
                           (p.inherit ?? true) ? "NOINHERIT" : "INHERIT", "CONNECTION LIMIT 3", "VALID UNTIL '2030-01-01'"]
            if !p.passwordHashes.isEmpty { options.append("PASSWORD 'stale password'") }
            roles.append("CREATE ROLE \(Q.quoteIdentifier(p.name)) WITH \(options.joined(separator: " "));")
            roles.append("COMMENT ON ROLE \(Q.quoteIdentifier(p.name)) IS 'stale comment';")
        }
        if !roles.isEmpty { try setup(roles.joined(separator: "\n"), database: "postgres", what: "creating roles") }
    }

    /// Gives `postgres`, `template0` and `template1` back their built-in ACL when the
    /// policy names one of them (after a role reset, no role is left in their ACL).
    func resetBuiltinDatabases() throws {
        let builtins = fixture.databases.filter { LiveFixture.builtinDatabases.contains($0) }
        guard !builtins.isEmpty else { return }
        try server.psql("UPDATE pg_catalog.pg_database SET datacl = NULL WHERE datname = ANY(\(CatalogReader.literalArray(builtins)));")
    }

    /// Creates the fixture's schemas, argument types and objects in each database;
    /// the flag says whether the absent principals get objects there too.
    func createObjects(in databases: [String: Bool], bySchemaOwners: Bool = false) throws {
        for (database, withAbsent) in databases.sorted(by: { $0.key < $1.key }) {
            try setup(fixture.schemaSQL(bySchemaOwners: bySchemaOwners), database: database, what: "creating schemas")
            let unknownTypes = try server.jsonRows(fixture.unknownTypesQuery, database: database).map { $0[0] }
            if !unknownTypes.isEmpty {
                try setup(unknownTypes.map(LiveFixture.domainSQL(forType:)).joined(separator: "\n"), database: database,
                          what: "creating argument types")
            }
            try setup(fixture.objectSQL(withAbsent: withAbsent, bySchemaOwners: bySchemaOwners), database: database,
                      what: "creating objects")
        }
    }

    func setup(_ sql: String, database: String, what: String) throws {
        do {
            try server.psql(sql, database: database)
        } catch {
            Issue.record("\(label): test setup failed (\(what)); the fixture cannot be built:\n\(error)")
            throw error
        }
    }

    /// Applies a script; records the psql error (or any WARNING) with the script's
    /// location, and returns whether it succeeded.
    func apply(_ sql: String, to database: String, step: String) -> Bool {
        do {
            let run = try server.run(sql, database: database)
            // PostgreSQL 18 warns on every MD5 verifier; rolec warns about it too (W0401).
            let md5 = ir.principals.contains { ExpectedCatalog.verifier($0.passwordHashes)?.hasPrefix("md5") == true }
            let warnings = run.warnings.filter { !(md5 && $0.hasPrefix("setting an MD5-encrypted password")) }
            if !warnings.isEmpty {
                fail("\(step) in \(database) printed warnings", warnings.map { "  WARNING: \($0)" }.joined(separator: "\n"), sql: sql)
            }
            return true
        } catch let error as PsqlError {
            fail("\(step) in \(database) failed", error.stderr.trimmingCharacters(in: .whitespacesAndNewlines), sql: sql)
            return false
        } catch {
            fail("\(step) in \(database) failed", "\(error)", sql: sql)
            return false
        }
    }

    func snapshot(_ databases: [String]) throws -> Set<CatalogRow> {
        try CatalogReader.snapshot(server, databases: databases, clusterDatabases: fixture.databases)
    }

    func compare(expected: Set<CatalogRow>, actual: Set<CatalogRow>, step: String) {
        let diff = CatalogDiff(expected: expected, actual: actual)
        if !diff.isEmpty { fail("catalog \(step) differs from the declared state", diff.render()) }
    }

    /// Creates one object of each default-privilege entry's kind as its creator
    /// (rolled back afterwards) and compares their ACLs; returns how many.
    func probeDefaultPrivileges(_ model: ExpectedCatalog) throws -> Int {
        let probes = model.probes()
        guard !probes.isEmpty else { return 0 }
        let rows: Set<CatalogRow>
        do {
            rows = Set(try server.jsonRows(model.probeSQL(probes), database: fixture.primary).map(CatalogRow.init))
        } catch {
            fail("creating new objects as the default-privilege creators failed", "\(error)")
            return 0
        }
        let diff = CatalogDiff(expected: model.probeRows(probes), actual: rows)
        if !diff.isEmpty {
            fail("new objects did not receive the declared default privileges", diff.render())
        }
        return probes.map { ExpectedCatalog.probeObjects($0).count }.reduce(0, +)
    }

    /// Records an issue naming the case and the step, with the script saved to a file.
    func fail(_ what: String, _ details: String, sql: String? = nil) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-live-failures")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let suffix = sql == principalsPhase && sql != script ? ".principals" : sql == privilegesPhase && sql != script ? ".privileges" : ""
        let file = directory.appendingPathComponent("\(name)-pg\(server.version)\(suffix).sql")
        try? (sql ?? script).write(to: file, atomically: true, encoding: .utf8)
        Issue.record("\(label): \(what) (script: \(file.path))\n\(details)")
    }
}
