import Foundation
import Testing
@testable import Rolec

/// The privilege-loss report and guard (dialects/migrations.md, "Privilege-loss guard"):
/// what each login principal loses and gains between two policies, in plain words, and
/// why `migrate` refuses a change without --accept-loss.
@Suite("Access change")
struct AccessChangeTests {
    struct Policy {
        var ir: PolicyIR
        var syntax: [PolicyAST]
    }

    func policy(_ text: String, dialect: any Dialect = PostgresDialect(), version: String? = nil) throws -> Policy {
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
        let (ir, diagnostics) = compilation.lower(for: Target(dialect: dialect, version: version ?? dialect.defaultVersion))
        let errors = (compilation.parseDiagnostics + diagnostics).filter(\.isError)
        #expect(errors.isEmpty, "\(errors.map(\.message))")
        return Policy(ir: ir, syntax: compilation.syntax.map(\.1))
    }

    func analyse(_ old: String, _ new: String, dialect: any Dialect = PostgresDialect(), version: String? = nil) throws -> AccessChange {
        let a = try policy(old, dialect: dialect, version: version), b = try policy(new, dialect: dialect, version: version)
        return AccessChange.analyse(old: a.ir, new: b.ir, changes: Diff.changes(from: a.ir, to: b.ir), newSyntax: b.syntax)
    }

    // MARK: losses and gains

    static let base = """
    schema sales
    role reader { grant usage on schema sales
      grant select on all tables in schema sales }
    role orders_rw { member of reader
      grant insert, delete on table sales.orders }
    user svc_orders { member of orders_rw }
    """

    @Test func aLostGrantIsExplainedByTheOldPath() throws {
        let change = try analyse(Self.base, Self.base.replacingOccurrences(of: "insert, delete", with: "delete"))
        #expect(change.losses.map(\.text) == ["svc_orders loses INSERT on table sales.orders, was via orders_rw"])
        let loss = try #require(change.losses.first)
        #expect(loss.principal == "svc_orders" && loss.privilege == "INSERT" && loss.via == "via orders_rw")
        #expect(loss.object == .relation(.table, schema: "sales", name: "orders") && loss.column == nil && !loss.grantOption)
        #expect(change.gains.isEmpty)
        #expect(change.refusals.isEmpty)
    }

    @Test func pathsThroughSeveralRolesDirectGrantsAndPublic() throws {
        let old = """
        schema sales
        role reader { grant select on table sales.orders }
        role writer { member of reader }
        user u { member of writer
          grant update on table sales.orders }
        grant delete on table sales.orders to public
        """
        let new = """
        schema sales
        role reader
        role writer { member of reader }
        user u { member of writer }
        """
        let change = try analyse(old, new)
        #expect(change.losses.map(\.text) == [
            "u loses DELETE on table sales.orders, was via public",
            "u loses SELECT on table sales.orders, was via writer -> reader",
            "u loses UPDATE on table sales.orders, was granted directly",
        ])
        #expect(change.losses.map(\.via) == ["via public", "via writer -> reader", "granted directly"])
    }

    @Test func bulkGrantsApplyToTheNamedObjectsOfEitherPolicy() throws {
        // Only the new policy names sales.items; the old bulk grant covered it too.
        let old = """
        schema sales
        role reader { grant select on all existing tables in schema sales }
        user u { member of reader }
        role other { grant insert on table sales.orders }
        user w { member of other }
        """
        let new = """
        schema sales
        role reader { grant select on table sales.orders }
        user u { member of reader }
        role other { grant insert on table sales.orders, sales.items }
        user w { member of other }
        """
        let change = try analyse(old, new)
        #expect(change.losses.map(\.text) == [
            "u loses SELECT on table sales.items, was via reader",
            "u loses SELECT on all existing tables in schema sales, was via reader",
        ])
        #expect(change.gains.map(\.text) == ["w gains INSERT on table sales.items, via other"])
    }

    @Test func columnPrivilegesAreComparedWithTheWholeObject() throws {
        let old = """
        schema s
        role r { grant select (id, email) on table s.customers
          grant update on table s.customers }
        user u { member of r }
        """
        let new = """
        schema s
        role r { grant select (id) on table s.customers
          grant update (status) on table s.customers
          grant select on table s.orders }
        user u { member of r }
        """
        let change = try analyse(old, new)
        #expect(change.losses.map(\.text) == [
            "u loses SELECT (email) on table s.customers, was via r",
            "u loses UPDATE on table s.customers, was via r",
        ])
        #expect(change.losses.first?.column == "email")
        // The column UPDATE was held through the whole table before: not a gain.
        #expect(change.gains.map(\.text) == ["u gains SELECT on table s.orders, via r"])
    }

    @Test func theGrantOptionAloneIsALossOrAGain() throws {
        let old = "schema s\nrole a { grant select on table s.t with grant option }\nuser u { member of a }\nrole b { grant select on table s.t }\nuser v { member of b }"
        let new = "schema s\nrole a { grant select on table s.t }\nuser u { member of a }\nrole b { grant select on table s.t with grant option }\nuser v { member of b }"
        let change = try analyse(old, new)
        #expect(change.losses.map(\.text) == ["u loses the grant option of SELECT on table s.t, was via a"])
        #expect(change.losses.first?.grantOption == true)
        #expect(change.gains.map(\.text) == ["v gains the grant option of SELECT on table s.t, via b"])
    }

    @Test func membershipsAndLoginInPlainWords() throws {
        let old = """
        schema s
        role base { grant usage on schema s
          grant select on table s.t }
        role mid { member of base }
        role w { grant usage on schema s
          grant insert on table s.t }
        user analyst { member of mid, w }
        user gone { member of base }
        user kept
        """
        let new = """
        schema s
        role base { grant usage on schema s
          grant select on table s.t }
        role mid { member of base }
        role w { grant usage on schema s
          grant insert on table s.t }
        user analyst { member of w }
        role kept
        user fresh { member of mid }
        """
        let change = try analyse(old, new)
        #expect(change.losses.map(\.text) == [
            "analyst is no longer a member of base, was via mid",
            "analyst is no longer a member of mid",
            "analyst loses SELECT on table s.t, was via mid -> base",
            "gone loses LOGIN (the principal is dropped)",
            "gone is no longer a member of base",
            "gone loses USAGE on schema s, was via base",
            "gone loses SELECT on table s.t, was via base",
            "kept loses LOGIN",
        ])
        #expect(change.losses.first { $0.privilege == "MEMBER" }?.role == "base")
        #expect(change.gains.map(\.text) == [
            "fresh gains LOGIN (a new principal)",
            "fresh is now a member of base, via mid",
            "fresh is now a member of mid",
            "fresh gains USAGE on schema s, via mid -> base",
            "fresh gains SELECT on table s.t, via mid -> base",
        ])
        // Removing login from a user that stays is refused; dropping a user is not.
        #expect(change.refusals == [
            "Guard rule 'login removal': user kept loses LOGIN but stays in the policy, which locks out whatever connects as it.",
        ])
    }

    @Test func onlyLoginPrincipalsAreReported() throws {
        let change = try analyse(Self.base, Self.base.replacingOccurrences(of: "user svc_orders { member of orders_rw }", with: "role svc_orders { member of orders_rw }"))
        // The role itself is no login principal of the new policy: nothing to gain, but
        // the old login principal loses its login.
        #expect(change.losses.map(\.text) == ["svc_orders loses LOGIN"])
        #expect(change.gains.isEmpty)
    }

    @Test func postgresDefaultsOfPublicCountAndARevokeTheNewPolicyDropsStaysInForce() throws {
        let open = "role r { grant select on table s.t }\nuser u { member of r }\ngrant connect on database shop to r"
        let hardened = open + "\nrevoke connect on database shop from public"
        // Revoking PUBLIC's built-in CONNECT: u keeps it through r; v loses it.
        let change = try analyse(open + "\nuser v", hardened + "\nuser v")
        #expect(change.losses.map(\.text) == ["v loses CONNECT on database shop, was via public"])
        // Dropping the revoke from the policy grants nothing back (stopEnforcing).
        let back = try analyse(hardened + "\nuser v", open + "\nuser v")
        #expect(back.gains.isEmpty)
        #expect(back.losses.isEmpty)
    }

    @Test func postgresInheritancePerMembershipAndAttribute() throws {
        let old = "schema s\nrole r { grant select on table s.t }\nuser u { member of r }\nuser n { member of r }"
        let new = "schema s\nrole r { grant select on table s.t }\nuser u { member of r with inherit false }\nuser n { noinherit\n member of r }"
        let change = try analyse(old, new, version: "16")
        // Still members (SET ROLE works), but no longer inheriting the privileges.
        #expect(change.losses.map(\.text) == [
            "n loses SELECT on table s.t, was via r",
            "u loses SELECT on table s.t, was via r",
        ])
    }

    @Test func mariadbCountsOnlyTheRolesActiveAtLogin() throws {
        let old = """
        role reader { grant select on table shop.orders }
        role writer { grant insert on table shop.orders }
        user u { member of reader, writer }
        """
        let new = """
        role reader { grant select on table shop.orders }
        role writer { grant insert on table shop.orders }
        user u { member of reader, writer
          default role reader }
        """
        let change = try analyse(old, new, dialect: MySQLDialect(flavour: .mariadb))
        // Still a member of writer, but writer is no longer active at login.
        #expect(change.losses.map(\.text) == ["u loses INSERT on table shop.orders, was via writer"])
        #expect(change.gains.isEmpty)
        // A schema-wide grant covers the tables of that schema the policies name.
        let wide = try analyse(
            "role r { grant select on schema shop }\nrole t { grant insert on table shop.orders }\nuser u { member of r }",
            "role r\nrole t { grant insert on table shop.orders }\nuser u { member of r }",
            dialect: MySQLDialect(flavour: .mariadb))
        #expect(wide.losses.map(\.text) == [
            "u loses SELECT on schema shop, was via r",
            "u loses SELECT on table shop.orders, was via r",
        ])
    }

    @Test func predefinedRolesAndOwnersArePathsToo() throws {
        let old = """
        role keeper { grant select on table s.t }
        user u { member of pg_read_all_data }
        role owner_role
        schema s owned by owner_role
        user o { member of owner_role }
        """
        let new = """
        role keeper { grant select on table s.t }
        user u
        role owner_role
        schema s owned by owner_role
        user o
        """
        let change = try analyse(old, new, version: "17")
        #expect(change.losses.map(\.text) == [
            "o is no longer a member of owner_role",
            "o loses CREATE on schema s, was via owner_role (owner of schema s)",
            "o loses USAGE on schema s, was via owner_role (owner of schema s)",
            "u is no longer a member of pg_read_all_data",
            "u loses USAGE on schema s, was via pg_read_all_data",
            "u loses SELECT on table s.t, was via pg_read_all_data",
        ])
    }

    @Test func aSuperuserLosesItsPowerInOneLine() throws {
        let old = "schema s\nrole r { grant select on table s.t }\nuser boss { superuser\n member of r }"
        let new = "schema s\nrole r { grant insert on table s.t }\nuser boss { member of r }"
        let change = try analyse(old, new)
        #expect(change.losses.map(\.text) == ["boss loses SUPERUSER", "boss loses SELECT on table s.t, was via r"])
        // While it is a superuser on both sides, its grants change nothing.
        let still = try analyse(old, new.replacingOccurrences(of: "{ member", with: "{ superuser\n member"))
        #expect(still.losses.isEmpty && still.gains.isEmpty)
    }

    @Test func unaffectedPrincipalsAreNotReportedAndTheResultIsDeterministic() throws {
        let a = try policy(Self.base + "\nrole other { grant usage on schema sales\n grant update on table sales.items }\nuser x { member of other }")
        let b = try policy(Self.base + "\nrole other { grant usage on schema sales\n grant update on table sales.items, sales.orders }\nuser x { member of other }")
        let changes = Diff.changes(from: a.ir, to: b.ir)
        let first = AccessChange.analyse(old: a.ir, new: b.ir, changes: changes, newSyntax: b.syntax)
        let second = AccessChange.analyse(old: a.ir, new: b.ir, changes: changes, newSyntax: b.syntax)
        #expect(first.gains.map(\.text) == ["x gains UPDATE on table sales.orders, via other"])
        #expect(first.losses.isEmpty)
        #expect(first.plainWords == second.plainWords)
        // Nothing changed: nothing to report.
        let same = AccessChange.analyse(old: a.ir, new: a.ir, changes: Diff.changes(from: a.ir, to: a.ir), newSyntax: a.syntax)
        #expect(same.losses.isEmpty && same.gains.isEmpty && same.refusals.isEmpty)
    }

    @Test func aPhaseRestrictedChangeSetReportsOnlyWhatItDoes() throws {
        let a = try policy(Self.base)
        let b = try policy(Self.base.replacingOccurrences(of: "user svc_orders { member of orders_rw }", with: "user svc_orders")
                               .replacingOccurrences(of: "insert, delete", with: "delete"))
        let all = Diff.changes(from: a.ir, to: b.ir)
        func analyse(_ phase: RenderOptions.Phase) -> AccessChange {
            let changes = all.restricted(to: phase)
            return AccessChange.analyse(old: a.ir, new: a.ir.applying(changes.up, toward: b.ir), changes: changes, newSyntax: b.syntax)
        }
        let principals = analyse(.principals), privileges = analyse(.privileges)
        #expect(principals.losses.contains { $0.text == "svc_orders is no longer a member of orders_rw" })
        #expect(privileges.losses.map(\.text) == ["svc_orders loses INSERT on table sales.orders, was via orders_rw"])
    }

    // MARK: refusals

    @Test func reducingAProtectedPrincipalsAccessIsRefusedNamingTheRule() throws {
        let protected = "\nuser other\npolicy { protect svc_orders, other }"
        let change = try analyse(Self.base + protected, Self.base.replacingOccurrences(of: "insert, delete", with: "insert") + protected)
        #expect(change.refusals == [
            "Policy rule 'protect svc_orders, other' forbids reducing the access of svc_orders, but svc_orders loses DELETE on table sales.orders, was via orders_rw.",
        ])
        // The new policy's rules decide: dropping the rule with the loss is no refusal.
        let unprotected = try analyse(Self.base + protected, Self.base.replacingOccurrences(of: "insert, delete", with: "insert") + "\nuser other")
        #expect(unprotected.refusals.isEmpty)
        #expect(unprotected.losses.count == 1)
        // A gain of a protected principal is fine.
        let gain = try analyse(Self.base + protected, Self.base.replacingOccurrences(of: "insert, delete", with: "insert, delete, update") + protected)
        #expect(gain.refusals.isEmpty && gain.gains.count == 1)
    }

    @Test func aProtectedRoleWithoutLoginIsGuardedToo() throws {
        let rule = "\npolicy { protect orders_rw }"
        let change = try analyse(Self.base + rule, Self.base.replacingOccurrences(of: "insert, delete", with: "insert") + rule)
        #expect(change.losses.map(\.text) == [
            "orders_rw loses DELETE on table sales.orders, was granted directly",
            "svc_orders loses DELETE on table sales.orders, was via orders_rw",
        ])
        #expect(change.refusals.count == 1)
        #expect(change.refusals.first?.contains("access of orders_rw") == true)
    }

    @Test func removingTheLastMemberOfAnAdminRoleIsRefused() throws {
        func admin(_ body: String, members: String) -> String {
            "schema s owned by owner\nexternal role owner\nrole dba { \(body) }\n\(members)\npolicy { allow W0709 for dba }"
        }
        let profile = "profile admin on schema s"
        let refused = try analyse(admin(profile, members: "user alice { member of dba }"), admin(profile, members: "user alice"))
        #expect(refused.refusals == [
            "Guard rule 'last admin member': role dba holds admin power (the admin profile's privileges on schema s) and loses its last login member, alice, so nobody could use that power any more.",
        ])
        let twoToOne = try analyse(admin(profile, members: "user alice { member of dba }\nuser bob { member of dba }"),
                                   admin(profile, members: "user alice { member of dba }\nuser bob"))
        #expect(twoToOne.refusals.isEmpty)
        let createrole = try analyse(admin("createrole", members: "user alice { member of dba }"), admin("createrole", members: "user alice"))
        #expect(createrole.refusals.first?.contains("holds admin power (createrole)") == true)
        // Not all of the profile: no admin power.
        let partial = "grant usage, create on schema s\ngrant select on all tables in schema s"
        let notAdmin = try analyse(admin(partial, members: "user alice { member of dba }"), admin(partial, members: "user alice"))
        #expect(notAdmin.refusals.isEmpty)
        // MariaDB's admin profile is all privileges on the schema.
        let maria = try analyse("role dba { profile admin on schema s }\nuser alice { member of dba }\nuser bob",
                                "role dba { profile admin on schema s }\nuser alice\nuser bob\npolicy { allow W0709 for dba }",
                                dialect: MySQLDialect(flavour: .mariadb))
        #expect(maria.refusals.count == 1)
        #expect(maria.refusals.first?.contains("role dba holds admin power (the admin profile's privileges on schema s)") == true)
    }

    @Test func inertGrantsOfTheNewPolicyAreRefusedUnlessAllowed() throws {
        let old = "schema s\nrole r { grant usage on schema s\n grant select on table s.t }\nuser u { member of r }"
        let new = "schema s\nrole r { grant usage on schema s\n grant select on table s.t }\nuser u"
        let change = try analyse(old, new)
        #expect(change.refusals == [
            "Guard rule 'inert grants': the new policy leaves an inert grant: role 'r' has privileges but no login principal is a member of it [W0709].",
        ])
        #expect(change.inertGrants.map(\.code) == ["W0709"])
        let allowed = try analyse(old, new + "\npolicy { allow W0709 for r }")
        #expect(allowed.refusals.isEmpty)
        #expect(allowed.losses.count == 3)
    }

    @Test func everyRefusalIsASentence() throws {
        let old = Self.base + "\nuser kept\npolicy { protect svc_orders }"
        let new = "schema sales\nrole reader { grant select on table sales.x }\nrole orders_rw\nuser svc_orders\nrole kept\npolicy { protect svc_orders }"
        let change = try analyse(old, new)
        #expect(!change.refusals.isEmpty)
        for refusal in change.refusals {
            #expect(refusal.first?.isUppercase == true && refusal.hasSuffix("."), "\(refusal)")
            #expect(refusal.contains("rule '"), "\(refusal)")
        }
    }

    // MARK: the shop series (dialects/migrations/shop), PostgreSQL

    static let shop = "../migrations/shop"

    func shopPolicy(_ version: String, dialect: any Dialect = PostgresDialect()) throws -> Policy {
        let compilation = try Golden.load("\(Self.shop)/\(version)")
        #expect(!compilation.hasSyntaxErrors)
        let (ir, diagnostics) = compilation.lower(for: Target(dialect: dialect, version: dialect.defaultVersion))
        #expect(!diagnostics.contains { $0.isError }, "\(diagnostics.map(\.message))")
        return Policy(ir: ir, syntax: compilation.syntax.map(\.1))
    }

    /// `from` nil: the first migration, from an empty policy.
    func shopChange(_ from: String?, _ to: String, dialect: any Dialect = PostgresDialect()) throws -> AccessChange {
        let a = try from.map { try shopPolicy($0, dialect: dialect).ir } ?? PolicyIR(dialect: dialect.name, serverVersion: dialect.defaultVersion)
        let b = try shopPolicy(to, dialect: dialect)
        return AccessChange.analyse(old: a, new: b.ir, changes: Diff.changes(from: a, to: b.ir), newSyntax: b.syntax)
    }

    /// Every object loss is held before and not after according to `EffectiveAccess`
    /// (the analysis `explain` and `check` use), and every gain the other way round.
    @Test(arguments: DialectRegistry.names)
    func lossesAndGainsAgreeWithEffectiveAccess(_ name: String) throws {
        let dialect = try #require(DialectRegistry.named(name))
        var checked = 0
        for (from, to) in [("v1", "v2"), ("v2", "v3"), ("v3", "loss"), ("loss", "v1")] {
            let a = try shopPolicy(from, dialect: dialect).ir, b = try shopPolicy(to, dialect: dialect)
            let change = AccessChange.analyse(old: a, new: b.ir, changes: Diff.changes(from: a, to: b.ir), newSyntax: b.syntax)
            let before = EffectiveAccess(ir: a), after = EffectiveAccess(ir: b.ir)
            for (deltas, had, has) in [(change.losses, before, after), (change.gains, after, before)] {
                for delta in deltas where !delta.grantOption {
                    guard let object = delta.object else { continue }
                    #expect(had.holds(delta.principal, delta.privilege, on: object, column: delta.column), "\(name): \(delta.text)")
                    let exists = has.ir.principal(named: delta.principal) != nil
                    #expect(!exists || !has.holds(delta.principal, delta.privilege, on: object, column: delta.column), "\(name): \(delta.text)")
                    checked += 1
                }
            }
        }
        #expect(checked > 10)
    }

    @Test(arguments: DialectRegistry.names)
    func everyDialectRefusesOnlyTheLossVersion(_ name: String) throws {
        let dialect = try #require(DialectRegistry.named(name))
        for (from, to) in [(nil, "v1"), ("v1", "v2"), ("v2", "v3")] as [(String?, String)] {
            let step = try shopChange(from, to, dialect: dialect)
            #expect(step.refusals.isEmpty, "\(name) \(from ?? "empty") -> \(to): \(step.refusals)")
        }
        let first = try shopChange(nil, "v1", dialect: dialect)
        #expect(first.losses.isEmpty)
        #expect(first.gains.contains { $0.text == "svc_orders gains LOGIN (a new principal)" })
        let loss = try shopChange("v3", "loss", dialect: dialect)
        #expect(loss.losses.map(\.text).contains("svc_orders loses DELETE on table shop_app.orders, was via app_write"), "\(name): \(loss.losses.map(\.text))")
        #expect(!loss.refusals.isEmpty && loss.refusals.allSatisfy { $0.contains("svc_orders") && $0.contains("DELETE") }, "\(name): \(loss.refusals)")
    }

    @Test(arguments: [("v1", "v2"), ("v2", "v3"), ("v3", "loss")])
    func shopSeriesReport(_ from: String, _ to: String) throws {
        let change = try shopChange(from, to)
        let report = "# shop \(from) -> \(to), postgres\n" + change.plainWords
        Golden.check(report, file: "expected/access/postgres-\(from)-\(to).txt", in: Self.shop)
    }

    @Test func theShopLossVersionIsRefusedForSvcOrdersDelete() throws {
        let change = try shopChange("v3", "loss")
        #expect(change.refusals.contains { $0.contains("svc_orders") && $0.contains("DELETE") })
        #expect(change.losses.contains { $0.principal == "svc_orders" && $0.privilege == "DELETE" && $0.via == "via app_write" })
        // The earlier steps lose access too, but nothing protected.
        for (from, to) in [("v1", "v2"), ("v2", "v3")] {
            let step = try shopChange(from, to)
            #expect(!step.losses.isEmpty)
            #expect(step.refusals.isEmpty, "\(step.refusals)")
        }
    }
}
