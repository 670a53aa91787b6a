// MySQL/MariaDB migrations: one test per change kind in both flavours, the step order
// (Change.step: everything added before anything is taken away, so every prefix keeps
// what both policies give and holds nothing neither declares), and golden files for the shop
// series (dialects/migrations/shop/expected/{mysql,mariadb}/). MariaDB's are also
// applied to a real server by LiveMariaDBMigrationTests.

import Foundation
import Testing
@testable import Rolec

/// Compiling policies and rendering migrations as text, shared with the live tests.
enum MySQLMigrationSupport {
    static let shop: URL = Golden.examples.deletingLastPathComponent().appendingPathComponent("migrations/shop")

    static func dialect(_ flavour: MySQLDialect.Flavour) -> MySQLDialect { MySQLDialect(flavour: flavour) }

    static func ir(_ text: String, _ flavour: MySQLDialect.Flavour) -> PolicyIR? {
        let dialect = dialect(flavour)
        let output = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
            .compile(for: Target(dialect: dialect, version: dialect.defaultVersion))
        return output.ir
    }

    /// The IR of a version of the shop series (`v1`, `v2`, `v3`).
    static func shopIR(_ version: String, _ flavour: MySQLDialect.Flavour) throws -> PolicyIR {
        let directory = shop.appendingPathComponent(version)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".roles") }.sorted()
        let sources = try files.enumerated().map { index, file in
            SourceFile(id: index, path: "\(version)/\(file)", bytes: [UInt8](try Data(contentsOf: directory.appendingPathComponent(file))))
        }
        let dialect = dialect(flavour)
        let output = Compilation(files: sources).compile(for: Target(dialect: dialect, version: dialect.defaultVersion))
        return try #require(output.ir, "shop \(version) does not compile for \(flavour): \(output.diagnostics.map(\.code))")
    }

    static func empty(_ flavour: MySQLDialect.Flavour) -> PolicyIR {
        let dialect = dialect(flavour)
        return PolicyIR(dialect: dialect.name, serverVersion: dialect.defaultVersion)
    }

    /// Up and down of `old -> new` as sections.
    static func migration(_ old: PolicyIR, _ new: PolicyIR, _ flavour: MySQLDialect.Flavour,
                          phase: RenderOptions.Phase? = nil) -> (up: [MigrationSection], down: [MigrationSection]) {
        let set = Diff.changes(from: old, to: new).restricted(to: phase)
        let dialect = dialect(flavour)
        return (dialect.renderMigration(set.up, context: MigrationContext(before: old, after: new)),
                dialect.renderMigration(set.down, context: MigrationContext(before: new, after: old)))
    }

    /// Sections as the mysql/mariadb client reads them: `-- title`, then the statements,
    /// compound ones between DELIMITER lines.
    static func text(_ sections: [MigrationSection]) -> String {
        var writer = ScriptWriter()
        for section in sections { writer.section(section.title, MySQLRenderer.clientText(section.statements)) }
        return writer.text
    }

    /// Every statement in order, for the client (prefix tests cut between them).
    static func statements(_ sections: [MigrationSection]) -> [MigrationStatement] {
        sections.flatMap(\.statements)
    }
}

@Suite("MySQL and MariaDB migrations")
struct MySQLMigrationTests {
    typealias S = MySQLMigrationSupport

    /// Up and down of two inline policies as client text.
    func migrate(_ old: String, _ new: String, _ flavour: MySQLDialect.Flavour) throws -> (up: String, down: String) {
        let before = try #require(old.isEmpty ? S.empty(flavour) : S.ir(old, flavour), "old policy does not compile")
        let after = try #require(S.ir(new, flavour), "new policy does not compile")
        let (up, down) = S.migration(before, after, flavour)
        return (S.text(up), S.text(down))
    }

    func sections(_ old: String, _ new: String, _ flavour: MySQLDialect.Flavour) throws -> [MigrationSection] {
        let before = try #require(old.isEmpty ? S.empty(flavour) : S.ir(old, flavour))
        let after = try #require(S.ir(new, flavour))
        return S.migration(before, after, flavour).up
    }

    /// Where `needle` starts in `text` (fails the test when absent).
    func position(_ needle: String, in text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        guard let range = text.range(of: needle) else {
            Issue.record("'\(needle)' not in:\n\(text)", sourceLocation: sourceLocation)
            return -1
        }
        return text.distance(from: text.startIndex, to: range.lowerBound)
    }

    // MARK: principals

    @Test func createAndDropPrincipals() throws {
        let policy = "role r\nuser u { host 'a', 'B'\nmember of r }\nuser p { password hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' }"
        let mysql = try migrate("", policy, .mysql)
        #expect(mysql.up.contains("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';"))
        #expect(mysql.up.contains("CREATE ROLE IF NOT EXISTS 'r'@'%';"))
        #expect(mysql.up.contains("CREATE USER IF NOT EXISTS 'u'@'a' ACCOUNT LOCK;"))
        #expect(mysql.up.contains("CREATE USER IF NOT EXISTS 'u'@'b' ACCOUNT LOCK;"))
        #expect(mysql.up.contains("CREATE USER IF NOT EXISTS 'p'@'%' IDENTIFIED WITH mysql_native_password AS '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';"))
        #expect(mysql.up.contains("GRANT 'r'@'%' TO 'u'@'a', 'u'@'b';"))
        #expect(mysql.up.contains("SET DEFAULT ROLE ALL TO 'u'@'a', 'u'@'b';"))
        #expect(mysql.down.contains("DROP USER IF EXISTS 'u'@'a';") && mysql.down.contains("DROP USER IF EXISTS 'u'@'b';"))
        #expect(mysql.down.contains("DROP ROLE IF EXISTS 'r'@'%';"))
        #expect(!mysql.down.contains("REVOKE"), "DROP takes the memberships with it:\n\(mysql.down)")
        #expect(!mysql.down.contains("CREATE"))

        let maria = try migrate("", policy, .mariadb)
        #expect(maria.up.contains("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER';"))
        #expect(maria.up.contains("CREATE ROLE IF NOT EXISTS `r` WITH ADMIN CURRENT_USER;"))
        #expect(maria.up.contains("CREATE USER IF NOT EXISTS 'p'@'%' IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';"))
        #expect(maria.up.contains("ALTER USER 'p'@'%' IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' WITH MAX_USER_CONNECTIONS 0 ACCOUNT UNLOCK;"))
        #expect(maria.up.contains("SET DEFAULT ROLE `r` FOR 'u'@'a';"))
        #expect(maria.down.contains("DROP ROLE IF EXISTS `r`;"))
        #expect(!maria.down.contains("REVOKE"))
        // A membership taken from a user who stays: tolerant of a membership that is not there.
        let left = try migrate(policy, "role r\nuser u { host 'a', 'B' }\nuser p { password hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' }", .mariadb).up
        #expect(left.contains("DECLARE CONTINUE HANDLER FOR 1959, 1962 BEGIN END;"))
        #expect(left.contains("  REVOKE `r` FROM 'u'@'a';") && left.contains("  REVOKE `r` FROM 'u'@'b';"))
        #expect(left.contains("SET DEFAULT ROLE NONE FOR 'u'@'a';"))
    }

    @Test func absentPrincipalsAreDroppedAndSuccessorsNoted() throws {
        for flavour in [MySQLDialect.Flavour.mysql, .mariadb] {
            let up = try migrate("", "absent user gone\nabsent role old_role", flavour).up
            #expect(up.contains("DROP USER IF EXISTS 'gone'@'%';"))
            #expect(up.contains(flavour == .mysql ? "DROP ROLE IF EXISTS 'old_role'@'%';" : "DROP ROLE IF EXISTS `old_role`;"))
            let before = try #require(S.ir("role r", flavour)), after = try #require(S.ir("", flavour))
            let set = Diff.changes(from: before, to: after, options: Diff.Options(successor: "heir"))
            let text = S.text(S.dialect(flavour).renderMigration(set.up, context: MigrationContext(before: before, after: after)))
            #expect(text.contains("-- r owns nothing in \(flavour == .mysql ? "MySQL" : "MariaDB"): nothing to reassign to heir"))
        }
    }

    @Test func hostsAddedGetMembershipsAndGrantsHostsRemovedAreDropped() throws {
        let old = "role r\nuser u { host 'a', 'b'\nmember of r }\ngrant select on table s.t to u"
        let new = "role r\nuser u { host 'b', 'c'\nmember of r }\ngrant select on table s.t to u"
        for flavour in [MySQLDialect.Flavour.mysql, .mariadb] {
            let (up, down) = try migrate(old, new, flavour)
            let role = flavour == .mysql ? "'r'@'%'" : "`r`"
            #expect(up.contains("CREATE USER IF NOT EXISTS 'u'@'c' ACCOUNT LOCK;"))
            #expect(!up.contains("'u'@'b' ACCOUNT LOCK"), "an existing account is not created again:\n\(up)")
            #expect(up.contains("GRANT \(role) TO 'u'@'c';"))
            #expect(up.contains("GRANT SELECT ON `s`.`t` TO 'u'@'c';"))
            #expect(!up.contains("`s`.`t` TO 'u'@'b'") && !up.contains("\(role) TO 'u'@'b'"), "the kept account holds everything already:\n\(up)")
            #expect(up.contains("DROP USER IF EXISTS 'u'@'a';"))
            #expect(down.contains("CREATE USER IF NOT EXISTS 'u'@'a' ACCOUNT LOCK;") && down.contains("DROP USER IF EXISTS 'u'@'c';"))
            // The new account is created and given everything before the old one goes.
            #expect(position("CREATE USER IF NOT EXISTS 'u'@'c'", in: up) < position("GRANT SELECT ON `s`.`t` TO 'u'@'c';", in: up))
            #expect(position("GRANT SELECT ON `s`.`t` TO 'u'@'c';", in: up) < position("DROP USER IF EXISTS 'u'@'a';", in: up))
        }
        let maria = try migrate(old, new, .mariadb).up
        #expect(maria.contains("SET DEFAULT ROLE `r` FOR 'u'@'c';"))
        #expect(!maria.contains("SET DEFAULT ROLE `r` FOR 'u'@'b';"))
        #expect(try migrate(old, new, .mysql).up.contains("SET DEFAULT ROLE ALL TO 'u'@'b', 'u'@'c';"))
    }

    @Test func attributesConverge() throws {
        let hash = "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"
        let other = "*0D3CED9BEC10A777AEC23CCC353A8C08A633045E"
        for flavour in [MySQLDialect.Flavour.mysql, .mariadb] {
            let auth = flavour == .mysql ? "IDENTIFIED WITH mysql_native_password AS" : "IDENTIFIED BY PASSWORD"
            let changed = try migrate("user u { password hash '\(hash)' }", "user u { password hash '\(other)'\nconnection limit 5 }", flavour)
            #expect(changed.up.contains("ALTER USER 'u'@'%' \(auth) '\(other)' WITH MAX_USER_CONNECTIONS 5 ACCOUNT UNLOCK;"))
            #expect(!changed.up.contains("CREATE USER"))
            #expect(changed.down.contains("ALTER USER 'u'@'%' \(auth) '\(hash)' WITH MAX_USER_CONNECTIONS 0 ACCOUNT UNLOCK;"), "\(changed.down)")
            // A managed user whose verifier goes is locked, as a new one would be created.
            let removed = try migrate("user u { password hash '\(hash)' }", "user u", flavour)
            #expect(removed.up.contains(flavour == .mysql ? "ALTER USER 'u'@'%' ACCOUNT LOCK;" : "ALTER USER 'u'@'%' IDENTIFIED BY PASSWORD '' ACCOUNT LOCK;"))
            #expect(removed.down.contains("ALTER USER 'u'@'%' \(auth) '\(hash)' ACCOUNT UNLOCK;"))
            let comment = try migrate("user u { comment 'a' }", "user u { comment 'b' }", flavour).up
            #expect(comment.contains("-- comment of u changed: it stays in the policy"))
            #expect(!comment.contains("sql_mode"), "a migration of notes only needs no session setup:\n\(comment)")
        }
        // MariaDB loads the ed25519 plugin before an account needs it.
        let ed = try migrate("user u", "user u { password hash 'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY' }", .mariadb).up
        #expect(position("INSTALL SONAME 'auth_ed25519';", in: ed) < position("IDENTIFIED VIA ed25519", in: ed))
    }

    @Test func kindChangeReplacesTheAccountAtItsStep() throws {
        let old = "role app { grant select on table s.t }\nrole base\nrole x { member of app }"
        let new = "role base\nuser app { member of base\ngrant select on table s.t }\nrole x"
        // MySQL: a role is a locked account 'app'@'%': it becomes the user in place and
        // keeps what it holds (no moment without SELECT); only the membership of x goes.
        let mysql = try migrate(old, new, .mysql)
        #expect(!mysql.up.contains("DROP") && !mysql.up.contains("CREATE USER"), "\(mysql.up)")
        #expect(mysql.up.contains("ALTER USER 'app'@'%' WITH MAX_USER_CONNECTIONS 0;"))
        #expect(!mysql.up.contains("GRANT SELECT"), "the account keeps SELECT:\n\(mysql.up)")
        #expect(mysql.up.contains("GRANT 'base'@'%' TO 'app'@'%';"))
        #expect(position("GRANT 'base'@'%' TO 'app'@'%';", in: mysql.up) < position("REVOKE IF EXISTS 'app'@'%' FROM 'x'@'%'", in: mysql.up))
        #expect(mysql.down.contains("ALTER USER 'app'@'%' ACCOUNT LOCK;"), "back to a role:\n\(mysql.down)")
        #expect(!mysql.down.contains("DROP"))
        // A user with other hosts than '%': those accounts are created, the role goes last.
        let hosts = try migrate(old, "role base\nuser app { host 'localhost'\nmember of base\ngrant select on table s.t }\nrole x", .mysql).up
        #expect(position("CREATE USER IF NOT EXISTS 'app'@'localhost' ACCOUNT LOCK;", in: hosts) < position("GRANT SELECT ON `s`.`t` TO 'app'@'localhost';", in: hosts))
        #expect(position("GRANT SELECT ON `s`.`t` TO 'app'@'localhost';", in: hosts) < position("DROP ROLE IF EXISTS 'app'@'%';", in: hosts))
        // MariaDB: the role `app` and the user 'app'@'%' coexist: the user is created and
        // given everything, the role is dropped at the end.
        let maria = try migrate(old, new, .mariadb)
        #expect(position("CREATE USER IF NOT EXISTS 'app'@'%' ACCOUNT LOCK;", in: maria.up) < position("GRANT SELECT ON `s`.`t` TO 'app'@'%';", in: maria.up))
        #expect(position("GRANT `base` TO 'app'@'%';", in: maria.up) < position("DROP ROLE IF EXISTS `app`;", in: maria.up))
        #expect(position("GRANT SELECT ON `s`.`t` TO 'app'@'%';", in: maria.up) < position("DROP ROLE IF EXISTS `app`;", in: maria.up))
        #expect(!maria.up.contains("REVOKE `app` FROM `x`"), "DROP ROLE takes the membership with it:\n\(maria.up)")
        #expect(position("CREATE ROLE IF NOT EXISTS `app`", in: maria.down) < position("GRANT `app` TO `x`;", in: maria.down))
        #expect(position("GRANT SELECT ON `s`.`t` TO `app`;", in: maria.down) < position("DROP USER IF EXISTS 'app'@'%';", in: maria.down))
    }

    // MARK: memberships and default roles

    @Test func membershipsAndAdminOption() throws {
        let mysql = try migrate("role r\nuser u { member of r with admin option }", "role r\nuser u { member of r }", .mysql)
        // MySQL has no REVOKE ADMIN OPTION: the membership goes and comes back without it.
        #expect(mysql.up.contains("REVOKE IF EXISTS 'r'@'%' FROM 'u'@'%' IGNORE UNKNOWN USER;"))
        #expect(position("REVOKE IF EXISTS 'r'@'%'", in: mysql.up) < position("GRANT 'r'@'%' TO 'u'@'%';", in: mysql.up))
        // The GRANT comes right after the REVOKE (before it, it would change nothing), the
        // default roles are set again after both.
        #expect(position("GRANT 'r'@'%' TO 'u'@'%';", in: mysql.up) < position("-- Default roles again (after the revokes)\nSET DEFAULT ROLE ALL TO 'u'@'%';", in: mysql.up))
        #expect(mysql.down.contains("GRANT 'r'@'%' TO 'u'@'%' WITH ADMIN OPTION;"))
        let maria = try migrate("role r\nuser u { member of r with admin option }", "role r\nuser u { member of r }", .mariadb)
        #expect(maria.up.contains("  REVOKE ADMIN OPTION FOR `r` FROM 'u'@'%';"))
        #expect(maria.down.contains("GRANT `r` TO 'u'@'%' WITH ADMIN OPTION;"))
        // Role-to-role memberships.
        let nested = try migrate("role a\nrole b", "role a\nrole b { member of a }", .mariadb)
        #expect(nested.up.contains("GRANT `a` TO `b`;"))
        #expect(nested.down.contains("  REVOKE `a` FROM `b`;"))
    }

    @Test func defaultRolesFollowMemberships() throws {
        // MySQL: DEFAULT ROLE ALL means the roles granted when it runs: set again after a change.
        let mysql = try migrate("role a\nrole b\nuser u { member of a }", "role a\nrole b\nuser u { member of a, b }", .mysql)
        #expect(position("GRANT 'b'@'%' TO 'u'@'%';", in: mysql.up) < position("SET DEFAULT ROLE ALL TO 'u'@'%';", in: mysql.up))
        #expect(mysql.down.contains("SET DEFAULT ROLE ALL TO 'u'@'%';"))
        // MariaDB: one role -> an umbrella role, and back.
        let maria = try migrate("role a\nrole b\nuser u { member of a }", "role a\nrole b\nuser u { member of a, b }", .mariadb)
        #expect(maria.up.contains("CREATE ROLE IF NOT EXISTS `rolec_default_u` WITH ADMIN CURRENT_USER;"))
        #expect(maria.up.contains("GRANT `a` TO `rolec_default_u`;") && maria.up.contains("GRANT `b` TO `rolec_default_u`;"))
        #expect(maria.up.contains("GRANT `rolec_default_u` TO 'u'@'%';"))
        #expect(maria.up.contains("SET DEFAULT ROLE `rolec_default_u` FOR 'u'@'%';"))
        #expect(maria.down.contains("DROP ROLE IF EXISTS `rolec_default_u`;"))
        #expect(maria.down.contains("SET DEFAULT ROLE `a` FOR 'u'@'%';"))
        // Umbrella to umbrella: only its memberships change.
        let wider = try migrate("role a\nrole b\nrole c\nuser u { member of a, b }", "role a\nrole b\nrole c\nuser u { member of a, c }", .mariadb)
        #expect(wider.up.contains("  REVOKE `b` FROM `rolec_default_u`;"))
        #expect(wider.up.contains("GRANT `c` TO `rolec_default_u`;"))
        #expect(!wider.up.contains("SET DEFAULT ROLE"), "the default role stays the umbrella:\n\(wider.up)")
        // An explicit default role list.
        let explicit = try migrate("role a\nrole b\nuser u { member of a, b }", "role a\nrole b\nuser u { member of a, b\ndefault role b }", .mysql)
        #expect(explicit.up.contains("SET DEFAULT ROLE 'b'@'%' TO 'u'@'%';"))
    }

    // MARK: privileges

    @Test func grantsRevokesAndGrantOptions() throws {
        let old = "role r { grant select, insert on table s.t\ngrant update on table s.u with grant option }"
        let new = "role r { grant select on table s.t with grant option\ngrant update on table s.u }"
        let mysql = try migrate(old, new, .mysql)
        #expect(mysql.up.contains("REVOKE IF EXISTS INSERT ON `s`.`t` FROM 'r'@'%' IGNORE UNKNOWN USER;"))
        #expect(mysql.up.contains("REVOKE IF EXISTS GRANT OPTION ON `s`.`u` FROM 'r'@'%' IGNORE UNKNOWN USER;"))
        #expect(mysql.up.contains("GRANT SELECT ON `s`.`t` TO 'r'@'%' WITH GRANT OPTION;"))
        #expect(!mysql.up.contains("REVOKE IF EXISTS UPDATE"), "the privilege stays, only its grant option goes:\n\(mysql.up)")
        #expect(mysql.down.contains("GRANT INSERT ON `s`.`t` TO 'r'@'%';"))
        #expect(mysql.down.contains("GRANT UPDATE ON `s`.`u` TO 'r'@'%' WITH GRANT OPTION;"))
        #expect(mysql.down.contains("REVOKE IF EXISTS GRANT OPTION ON `s`.`t` FROM 'r'@'%' IGNORE UNKNOWN USER;"))
        let maria = try sections(old, new, .mariadb)
        let revokes = try #require(maria.first { $0.title == "Revoke privileges" })
        #expect(revokes.statements.count == 1)
        let block = try #require(revokes.statements.first)
        #expect(block.compound && block.sql.hasPrefix("BEGIN NOT ATOMIC\n") && block.sql.hasSuffix("\nEND;"))
        #expect(!block.sql.contains("DELIMITER"), "a driver sends the block as it is")
        #expect(block.sql.contains("  DECLARE CONTINUE HANDLER FOR 1141, 1147, 1403, 1959 BEGIN END;"))
        #expect(block.sql.contains("  REVOKE GRANT OPTION ON `s`.`u` FROM `r`;"))
        #expect(block.sql.contains("  REVOKE INSERT ON `s`.`t` FROM `r`;"))
    }

    @Test func privilegesStillGivenByAnotherFactStay() throws {
        // `select on all tables in schema s` and the readonly profile are the same `s.*` grant.
        let old = "role r { profile readonly on schema s_1\ngrant select on all tables in schema s_1 }"
        let new = "role r { profile readonly on schema s_1 }"
        for flavour in [MySQLDialect.Flavour.mysql, .mariadb] {
            let up = try migrate(old, new, flavour).up
            #expect(!up.contains("REVOKE"), "\(up)")
        }
        // A table-level REVOKE also takes the column privilege: it is given back.
        let columns = try migrate("role r { grant select on table s.t\ngrant select (a) on table s.t }", "role r { grant select (a) on table s.t }", .mysql).up
        #expect(columns.contains("REVOKE IF EXISTS SELECT ON `s`.`t` FROM 'r'@'%' IGNORE UNKNOWN USER;"))
        #expect(columns.contains("GRANT SELECT (`a`) ON `s`.`t` TO 'r'@'%';"))
        #expect(position("REVOKE IF EXISTS SELECT", in: columns) < position("GRANT SELECT (`a`)", in: columns))
        #expect(columns.components(separatedBy: "GRANT SELECT (`a`)").count == 2, "granted once, after the revoke:\n\(columns)")
        // A new column grant next to a table-level revoke: granted after the revoke (before, it would be revoked too);
        // MariaDB: in the same compound statement, so no prefix lacks it.
        let maria = try sections("role r { grant select on table s.t }", "role r { grant select (a) on table s.t }", .mariadb)
        #expect(maria.map(\.title) == ["Session", "Revoke privileges"], "\(maria.map(\.title))")
        let block = try #require(maria.last?.statements.first?.sql)
        #expect(position("  REVOKE SELECT ON `s`.`t` FROM `r`;", in: block) < position("  GRANT SELECT (`a`) ON `s`.`t` TO `r`;", in: block))
    }

    @Test func schemaPatternsAreEscaped() throws {
        let up = try migrate("role r", "role r { grant select on all tables in schema my_db }", .mysql)
        #expect(up.up.contains("GRANT SELECT ON `my\\_db`.* TO 'r'@'%';"))
        #expect(up.down.contains("REVOKE IF EXISTS SELECT ON `my\\_db`.* FROM 'r'@'%' IGNORE UNKNOWN USER;"))
    }

    @Test func publicAndStoppedRevokes() throws {
        // MySQL has no PUBLIC: a revoke from it is a note; a declared revoke has no inverse.
        let mysql = try migrate("role r", "role r\nrevoke select on table s.t from public", .mysql)
        #expect(mysql.up.contains("-- revoke select on table s.t from public: MySQL has no PUBLIC role"))
        #expect(!mysql.down.contains("GRANT") && !mysql.down.contains("public"), "\(mysql.down)")
        let maria = try migrate("role r", "role r\nrevoke select on table s.t from public", .mariadb)
        #expect(maria.up.contains("  REVOKE SELECT ON `s`.`t` FROM PUBLIC;"))
        #expect(!maria.down.contains("GRANT"))
        // A grant to PUBLIC (MariaDB only), and the same change for MySQL.
        let fact = IRGrant(grantee: .publicRole, privilege: "SELECT", object: .relation(.table, schema: "s", name: "t"), column: nil, grantable: false)
        let context = MigrationContext(before: S.empty(.mysql), after: S.empty(.mysql))
        #expect(S.text(S.dialect(.mariadb).renderMigration([.grant(fact)], context: context)).contains("GRANT SELECT ON `s`.`t` TO PUBLIC;"))
        #expect(S.text(S.dialect(.mysql).renderMigration([.grant(fact)], context: context))
            .contains("-- grant select on table s.t to public: MySQL has no PUBLIC role; nothing to grant"))
        // A revoke no longer declared grants nothing back.
        let stopped = try migrate("role r\nrevoke select on table s.t from r", "role r", .mariadb).up
        #expect(stopped.contains("-- revoke select on table s.t from r is no longer declared: nothing is granted back"))
        #expect(!stopped.contains("GRANT"))
    }

    @Test func ownersDefaultsAndSettingsAreNotes() throws {
        let up = try migrate("external role o", "external role o\nschema s owned by o", .mysql).up
        #expect(up.contains("-- schema s owned by o: MySQL databases have no owner; nothing to do"))
        // Default privileges and settings never come from a MySQL IR; changes made by hand still render.
        let empty = S.empty(.mariadb)
        let context = MigrationContext(before: empty, after: empty)
        let d = IRDefaultGrant(creator: nil, schema: "s", kind: .tables, grantee: PrincipalRef(name: "r"), privilege: "SELECT", grantable: false)
        let s = IRSetting(role: "r", database: nil, name: "work_mem", values: ["64MB"])
        let sections = S.dialect(.mariadb).renderMigration([.grantDefault(d), .setSetting(s, previous: nil)], context: context)
        #expect(sections.map(\.title) == ["Notes"])
        let notes = sections.flatMap(\.statements)
        #expect(notes.allSatisfy { $0.sql.hasPrefix("-- ") && !$0.compound })
        #expect(notes.count == 2)
    }

    // MARK: order and re-runs

    @Test func sectionsFollowTheStepOrder() throws {
        let old = "role a { grant select on table s.t }\nrole b\nuser u { member of a }\nuser gone"
        let new = "role a\nrole b { grant insert on table s.t }\nuser u { member of b }\nuser fresh"
        let common = ["Session", "Create principals", "Grant memberships", "Grant privileges", "Default roles (activated at login)",
                      "Revoke privileges", "Revoke memberships"]
        #expect(try sections(old, new, .mariadb).map(\.title) == common + ["Drop principals"])
        // MySQL: a revoked role leaves the default roles (and `ALL` named it): set them again.
        #expect(try sections(old, new, .mysql).map(\.title) == common + ["Default roles again (after the revokes)", "Drop principals"])
        let mysql = try migrate(old, new, .mysql).up
        #expect(mysql.components(separatedBy: "SET DEFAULT ROLE ALL TO 'u'@'%';").count == 3, "\(mysql)")
    }

    /// Access that moves from one role to another (the privilege, or the user's
    /// membership and default role) is never missing: the new path is complete, and
    /// active at login, before the old one goes.
    @Test func movedAccessIsNeverMissing() throws {
        let old = "role a { grant select on table s.t }\nrole b\nuser u { member of a }"
        let new = "role a\nrole b { grant select on table s.t }\nuser u { member of b }"
        for flavour in [MySQLDialect.Flavour.mysql, .mariadb] {
            let up = try migrate(old, new, flavour).up
            let (a, b) = flavour == .mysql ? ("'a'@'%'", "'b'@'%'") : ("`a`", "`b`")
            let grantMember = position("GRANT \(b) TO 'u'@'%';", in: up)
            let grantPrivilege = position("GRANT SELECT ON `s`.`t` TO \(b);", in: up)
            let setDefault = position(flavour == .mysql ? "SET DEFAULT ROLE ALL TO 'u'@'%';" : "SET DEFAULT ROLE \(b) FOR 'u'@'%';", in: up)
            let revokePrivilege = position(flavour == .mysql ? "REVOKE IF EXISTS SELECT ON `s`.`t` FROM \(a)" : "REVOKE SELECT ON `s`.`t` FROM \(a);", in: up)
            let revokeMember = position(flavour == .mysql ? "REVOKE IF EXISTS \(a) FROM 'u'@'%'" : "REVOKE \(a) FROM 'u'@'%';", in: up)
            #expect(grantMember < grantPrivilege && grantPrivilege < setDefault && setDefault < revokePrivilege && revokePrivilege < revokeMember, "\(up)")
        }
    }

    @Test func nothingChangedRendersNothing() throws {
        let policy = "role r { grant select on table s.t }\nuser u { member of r }"
        for flavour in [MySQLDialect.Flavour.mysql, .mariadb] {
            let (up, down) = try migrate(policy, policy, flavour)
            #expect(up.isEmpty && down.isEmpty)
        }
    }

    @Test func phasesSplitTheMigration() throws {
        let old = try #require(S.ir("role r", .mysql)), new = try #require(S.ir("role r { grant select on table s.t }\nuser u { member of r }", .mysql))
        let principals = S.text(S.migration(old, new, .mysql, phase: .principals).up)
        #expect(principals.contains("CREATE USER") && !principals.contains("GRANT SELECT"))
        let privileges = S.text(S.migration(old, new, .mysql, phase: .privileges).up)
        #expect(privileges.contains("GRANT SELECT") && !privileges.contains("CREATE USER") && !privileges.contains("DEFAULT ROLE"))
    }

    // MARK: golden files

    @Test("shop series v1 -> v2 -> v3, up and down", arguments: [MySQLDialect.Flavour.mysql, .mariadb])
    func shopSeries(_ flavour: MySQLDialect.Flavour) throws {
        let versions = ["v1", "v2", "v3"]
        var previous = S.empty(flavour)
        for version in versions {
            let current = try S.shopIR(version, flavour)
            let (up, down) = S.migration(previous, current, flavour)
            MigrationGolden.check(S.text(up), file: "\(flavour == .mysql ? "mysql" : "mariadb")/\(version).up.sql")
            MigrationGolden.check(S.text(down), file: "\(flavour == .mysql ? "mysql" : "mariadb")/\(version).down.sql")
            previous = current
        }
    }
}

/// Golden files of the migration series (dialects/migrations/shop/expected/).
enum MigrationGolden {
    static let expected = MySQLMigrationSupport.shop.appendingPathComponent("expected")

    static func check(_ actual: String, file: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = expected.appendingPathComponent(file)
        if Golden.update {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let existing = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("migrations/shop/expected/\(file) is missing; run UPDATE_GOLDEN=1 swift test and review it", sourceLocation: sourceLocation)
            return
        }
        if existing != actual {
            let diff = UnifiedDiff.diff(expected: existing, actual: actual, expectedName: "expected/\(file)", actualName: "actual")
            Issue.record("migrations/shop/expected/\(file) differs:\n\(diff)", sourceLocation: sourceLocation)
        }
    }
}
