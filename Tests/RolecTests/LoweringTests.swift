import Testing
@testable import Rolec

@Suite("Lowering")
struct LoweringTests {
    func lower(_ text: String, version: String = "15") -> (PolicyIR, [Diagnostic]) {
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
        let (ir, problems) = compilation.lower(for: Target(dialect: PostgresDialect(), version: version))
        return (ir, compilation.parseDiagnostics + problems)
    }

    func codes(_ text: String, version: String = "15") -> [String] { lower(text, version: version).1.map(\.code) }

    @Test func principalsGetEveryAttributeConverged() throws {
        let (ir, problems) = lower("role r\nuser u { createdb connection limit 3 noinherit }\nexternal role x { createrole }")
        #expect(problems.isEmpty)
        let r = try #require(ir.principal(named: "r"))
        #expect(r.login == false && r.superuser == false && r.inherit == true && r.connectionLimit == -1 && r.validUntil == "infinity")
        let u = try #require(ir.principal(named: "u"))
        #expect(u.login == true && u.createdb == true && u.inherit == false && u.connectionLimit == 3)
        let x = try #require(ir.principal(named: "x"))
        #expect(x.external && x.createrole == true && x.login == nil && x.superuser == nil && x.comment == nil)
    }

    @Test func grantsBecomeSortedAtomicFacts() {
        let (ir, problems) = lower("""
        role a { grant select, insert on table s.t }
        role b
        grant select on table s.t to a, b
        grant update (x) on table s.t to b
        """)
        #expect(problems.isEmpty)
        #expect(ir.grants.count == 4)
        #expect(ir.grants == ir.grants.sorted())
        #expect(ir.grants.contains(IRGrant(grantee: PrincipalRef(name: "b"), privilege: "UPDATE", object: .relation(.table, schema: "s", name: "t"), column: "x", grantable: false)))
    }

    @Test func bulkObjectsMeanExistingAndFuture() {
        let (ir, _) = lower("""
        schema s owned by o created by c1, c2
        role o
        role c1
        role c2
        role r { grant select on all tables in schema s }
        """)
        #expect(ir.grants == [IRGrant(grantee: PrincipalRef(name: "r"), privilege: "SELECT", object: .allInSchema(.tables, schema: "s"), column: nil, grantable: false)])
        #expect(ir.defaultGrants.map(\.creator) == ["c1", "c2"])
        #expect(ir.ownerships == [IROwnership(scope: .schema, name: "s", owner: "o")])
    }

    @Test func existingAndFutureAreSeparable() {
        let (existing, _) = lower("role r { grant select on all existing tables in schema s }")
        #expect(existing.grants.count == 1 && existing.defaultGrants.isEmpty)
        let (future, problems) = lower("role r { grant select on all future tables in schema s }")
        #expect(future.grants.isEmpty && future.defaultGrants.count == 1)
        #expect(future.defaultGrants.first?.creator == nil)
        #expect(problems.map(\.code) == ["W0502"])
    }

    @Test func profilesExpandPerVersion() {
        let (ir15, problems15) = lower("role m { profile maintenance on schema s }", version: "15")
        #expect(problems15.map(\.code).contains("W0501"))
        #expect(!ir15.grants.contains { $0.privilege == "MAINTAIN" })
        let (ir17, problems17) = lower("role m { profile maintenance on schema s }", version: "17")
        #expect(!problems17.map(\.code).contains("W0501"))
        #expect(ir17.grants.contains { $0.privilege == "MAINTAIN" })
        #expect(codes("role m { profile superuser on schema s }") == ["E0112"])
        #expect(codes("role m { profile readonly on table s.t }") == ["E0308"])
    }

    @Test func namesAreResolvedWithHints() {
        let (_, problems) = lower("role reporting\nuser u { member of reportng }")
        #expect(problems.map(\.code) == ["E0201"])
        #expect(problems.first?.help?.contains("did you mean 'reporting'?") == true)
        #expect(codes("role a\nrole a") == ["E0202"])
        #expect(codes("user u { member of pg_monitor }").isEmpty)
        #expect(codes("user u { member of pg_maintain }", version: "15") == ["E0207"])
        #expect(codes("user u { member of public }") == ["E0209"])
        #expect(codes("user u { member of pg_maintain }", version: "17").isEmpty)
        #expect(codes("role pg_mine") == ["E0203"])
        #expect(codes("role \"Public\"") == ["E0203"])
        #expect(codes("role none") == ["E0203"])
        #expect(codes("role " + String(repeating: "x", count: 64)) == ["E0204"])
        #expect(codes("role " + String(repeating: "x", count: 63)).isEmpty)
        #expect(codes("role Abc\nrole abc") == ["W0201"])
    }

    @Test func cyclesAreFound() {
        let (_, problems) = lower("role a { member of b }\nrole b { member of c }\nrole c { member of a }")
        #expect(problems.map(\.code) == ["E0205"])
        #expect(problems.first?.message.contains("'a' -> 'b' -> 'c' -> 'a'") == true)
        #expect(codes("role a { member of a }") == ["E0205"])
    }

    @Test func privilegesAreValidatedPerObjectKind() {
        #expect(codes("role r { grant execute on table s.t }") == ["E0301"])
        #expect(codes("role r { grant maintain on table s.t }", version: "15") == ["E0302"])
        #expect(codes("role r { grant maintain on table s.t }", version: "17").isEmpty)
        #expect(codes("role r { grant process on server }") == ["E0302"])
        #expect(codes("role r { grant usage (x) on sequence s.q }") == ["E0306"])
        #expect(codes("role r { grant delete (x) on table s.t }") == ["E0307"])
        #expect(codes("role r { grant temp on database d }").isEmpty)
        #expect(codes("role r { grant execute on all future procedures in schema s }") == ["E0302"])
        #expect(codes("role r { grant execute on all future functions in schema s }") == ["W0504", "W0502"])
        #expect(codes("role r { grant execute on all future routines in schema s }") == ["W0502"])
    }

    @Test func databaseWideExistingObjectsNeedDeclaredSchemas() {
        #expect(codes("role r { grant select on all existing tables }") == ["E0310"])
        #expect(codes("role r { grant select on all tables }") == ["W0503", "W0502"])
        let (ir, problems) = lower("schema a\nschema b\nrole r { grant select on all existing tables }")
        #expect(problems.isEmpty)
        #expect(ir.grants.map(\.object) == [.allInSchema(.tables, schema: "a"), .allInSchema(.tables, schema: "b")])
    }

    @Test func contradictionsAndAbsentAreErrors() {
        #expect(codes("role r\ngrant select on table s.t to r\nrevoke select on table s.t from r") == ["E0303"])
        #expect(codes("role r\nabsent role r") == ["E0206"])
        #expect(codes("absent role gone\nrole r { member of gone }") == ["E0206"])
        #expect(codes("revoke execute on all functions in schema s from public").contains("E0305"))
        #expect(!codes("database d owned by o\nrole o\nrevoke execute on all functions from public").contains("E0305"))
        #expect(codes("role r\ngrant select on table s.t to public with grant option") == ["E0304"])
    }

    @Test func passwordsAreVerifiersOnly() {
        let key = "5U2oGo7wZzEzGkzOi/sxqVYxM2Su+7ByNiHvGvfq6fg="
        let scram = "SCRAM-SHA-256$4096:c2FsdHNhbHQ=$\(key):\(key)"
        #expect(codes("user u { password hash '\(scram)' }").isEmpty)
        #expect(codes("user u { password hash 'hunter2' }") == ["E0401"])
        #expect(codes("user u { password hash 'md5" + String(repeating: "a", count: 32) + "' }") == ["W0401"])
        #expect(codes("user u { password hash '*" + String(repeating: "A", count: 40) + "' }") == ["E0402"])
        #expect(codes("role r { password hash '\(scram)' }") == ["E0403"])
        // Malformed verifiers would be stored as the hash of their own text: plaintext errors.
        #expect(codes("user u { password hash 'SCRAM-SHA-256$4096:abc$def:ghi' }") == ["E0401"])
        #expect(codes("user u { password hash 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy' }") == ["E0401"])
        #expect(codes("user u { password hash 'md5" + String(repeating: "A", count: 32) + "' }") == ["E0401"])
    }

    @Test func membershipOptionsNeedVersion16() {
        #expect(codes("role g\nuser u { member of g with inherit false, set false }", version: "15") == ["E0502", "E0502"])
        let (ir, problems) = lower("role g\nuser u { member of g with admin option, inherit false }", version: "16")
        #expect(problems.isEmpty)
        #expect(ir.memberships == [IRMembership(role: "g", member: "u", admin: true, inherit: false, set: nil)])
    }

    @Test func dialectBlocksKeepOnlyTheirTarget() {
        let (ir, problems) = lower("""
        dialect postgres { role only_pg }
        dialect mysql, mariadb { role only_mysql }
        dialect oracle { role nope }
        """)
        #expect(ir.principals.map(\.name) == ["only_pg"])
        #expect(problems.map(\.code) == ["E0113"])
        #expect(ir.notes.count == 2)
    }

    @Test func settingsAreLoweredAndCheckedForDuplicates() {
        let (ir, problems) = lower("role r { set search_path = '$user', public\nset work_mem = '64MB' in database d }")
        #expect(problems.isEmpty)
        #expect(ir.settings.map(\.values) == [["$user", "public"], ["64MB"]])
        #expect(codes("role r { set a = 1\nset A = 2 }") == ["E0505"])
    }
}

@Suite("Lowering for MySQL and MariaDB")
struct MySQLLoweringTests {
    func codes(_ text: String, _ flavour: MySQLDialect.Flavour) -> [String] {
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
        let dialect = MySQLDialect(flavour: flavour)
        return (compilation.parseDiagnostics + compilation.lower(for: Target(dialect: dialect, version: dialect.defaultVersion)).1).map(\.code)
    }

    @Test func unsupportedConstructsAreErrorsNamingTheDialect() {
        for flavour in [MySQLDialect.Flavour.mysql, .mariadb] {
            #expect(codes("role r { set search_path = 'x' }", flavour) == ["E0302"])
            #expect(codes("role r { grant select on all future tables in schema s }", flavour) == ["E0302"])
            #expect(codes("role r { grant select on all existing tables in schema s }", flavour) == ["E0302"])
            #expect(codes("role r { grant execute on all functions in schema s }", flavour) == ["E0302"])
            #expect(codes("role r { grant select on all tables }", flavour) == ["E0302"])
            #expect(codes("role r { grant select on table t }", flavour) == ["E0302"])
            #expect(codes("role r { superuser }", flavour) == ["E0302"])
            #expect(codes("role r { connection limit 3 }", flavour) == ["E0302"])
            #expect(codes("user u { valid until '2030-01-01' }", flavour) == ["E0302"])
            #expect(codes("role g\nuser u { member of g with inherit false }", flavour) == ["E0502"])
            #expect(codes("role r { grant truncate on table s.t }", flavour) == ["E0302"])
            #expect(codes("user u { host '" + String(repeating: "h", count: 256) + "' }", flavour) == ["E0204"])
            #expect(codes("role g\nuser u { default role g }", flavour) == ["E0507"])
        }
        #expect(codes("role r\ngrant select on table s.t to public", .mysql) == ["E0302"])
        #expect(codes("role r\ngrant select on table s.t to public", .mariadb).isEmpty)
        #expect(codes("role r\nrevoke select on table s.t from public", .mysql).isEmpty)
    }

    @Test func namesFollowTheFlavourLimits() {
        let long = String(repeating: "u", count: 33)
        #expect(codes("user \(long)", .mysql) == ["E0204"])
        #expect(codes("user \(long)", .mariadb).isEmpty)
        #expect(codes("user " + String(repeating: "u", count: 129), .mariadb) == ["E0204"])
        #expect(codes("role none", .mariadb) == ["E0203"])
        #expect(codes("role rolec_default_x", .mariadb) == ["E0203"])
        #expect(codes("role r { grant select on table s." + String(repeating: "t", count: 65) + " }", .mysql) == ["E0204"])
    }

    @Test func verifiersFitTheFlavour() {
        let native = "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"
        #expect(codes("user u { password hash '\(native)' }", .mysql).isEmpty)
        #expect(codes("user u { password hash '\(native)' }", .mariadb).isEmpty)
        #expect(codes("user u { password hash '*14e65567abdb5135d0cfd9a70b3032c179a49ee7' }", .mariadb) == ["E0401"])
        #expect(codes("user u { password hash '*ZZZZ5567ABDB5135D0CFD9A70B3032C179A49EE7' }", .mariadb) == ["E0401"])
        let sha2 = "0x" + String(repeating: "24412430303524", count: 1) + String(repeating: "AB", count: 63)
        #expect(codes("user u { password hash '\(sha2)' }", .mysql).isEmpty)
        #expect(codes("user u { password hash '\(sha2)' }", .mariadb) == ["E0402"])
    }
}
