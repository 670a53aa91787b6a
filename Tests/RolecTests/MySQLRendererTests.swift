import Testing
@testable import Rolec

@Suite("MySQL and MariaDB rendering")
struct MySQLRendererTests {
    func compile(_ text: String, _ flavour: MySQLDialect.Flavour, version: String? = nil) -> String {
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
        let dialect = MySQLDialect(flavour: flavour)
        let output = compilation.compile(for: Target(dialect: dialect, version: version ?? dialect.defaultVersion))
        return output.script ?? "ERRORS: \(output.diagnostics.map(\.code))"
    }

    @Test func quotingIsOneFunctionEach() {
        #expect(MySQLQuoting.identifier("we`ird") == "`we``ird`")
        #expect(MySQLQuoting.literal("o'brien\\") == "'o''brien\\'")
        #expect(MySQLQuoting.databasePattern("my_db%") == "`my\\_db\\%`")
        #expect(MySQLQuoting.account("u", host: "LOCALHOST") == "'u'@'localhost'")
    }

    @Test func schemaGrantsEscapeWildcardsAndTablesDoNot() {
        let script = compile("role r { grant select on all tables in schema my_db\ngrant insert on table my_db.t_1 }", .mysql)
        #expect(script.contains("GRANT SELECT ON `my\\_db`.* TO 'r'@'%';"))
        #expect(script.contains("GRANT INSERT ON `my_db`.`t_1` TO 'r'@'%';"))
    }

    @Test func sqlModeIsPinnedAndThereIsNoTransaction() {
        let mysql = compile("role r", .mysql)
        #expect(mysql.contains("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';"))
        #expect(!mysql.contains("BEGIN;"))
        #expect(compile("role r", .mariadb).contains("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER';"))
    }

    @Test func usersWithoutVerifierAreLocked() {
        let script = compile("user u { host 'a', 'b' }", .mysql)
        #expect(script.contains("CREATE USER IF NOT EXISTS 'u'@'a' ACCOUNT LOCK;"))
        #expect(script.contains("CREATE USER IF NOT EXISTS 'u'@'b' ACCOUNT LOCK;"))
        #expect(!script.contains("UNLOCK"))
        let withHash = compile("user u { password hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' }", .mariadb)
        #expect(withHash.contains("CREATE USER IF NOT EXISTS 'u'@'%' IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';"))
        #expect(withHash.contains("ACCOUNT UNLOCK;"))
    }

    @Test func ed25519VerifiersLoadThePlugin() {
        let script = compile("user u { password hash 'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY' }", .mariadb)
        #expect(script.contains("INSTALL SONAME 'auth_ed25519';"))
        #expect(script.contains("CREATE USER IF NOT EXISTS 'u'@'%' IDENTIFIED VIA ed25519 USING 'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY';"))
        #expect(!compile("user u { password hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' }", .mariadb).contains("INSTALL SONAME"))
        #expect(compile("user u { password hash 'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY' }", .mysql).hasPrefix("ERRORS: [\"E0402\"]"))
    }

    @Test func defaultRolesPerFlavour() {
        let policy = "role a\nrole b\nuser u { member of a, b }\nuser v { member of a }\nuser w { member of a, b\ndefault role none }"
        let mysql = compile(policy, .mysql)
        #expect(mysql.contains("SET DEFAULT ROLE ALL TO 'u'@'%';"))
        #expect(mysql.contains("SET DEFAULT ROLE NONE TO 'w'@'%';"))
        let maria = compile(policy, .mariadb)
        #expect(maria.contains("CREATE ROLE IF NOT EXISTS `rolec_default_u` WITH ADMIN CURRENT_USER;"))
        #expect(maria.contains("GRANT `a` TO `rolec_default_u`;") && maria.contains("GRANT `b` TO `rolec_default_u`;"))
        #expect(maria.contains("GRANT `rolec_default_u` TO 'u'@'%';"))
        #expect(maria.contains("SET DEFAULT ROLE `rolec_default_u` FOR 'u'@'%';"))
        #expect(maria.contains("SET DEFAULT ROLE `a` FOR 'v'@'%';"))
        #expect(maria.contains("SET DEFAULT ROLE NONE FOR 'w'@'%';"))
        #expect(!maria.contains("rolec_default_v") && !maria.contains("rolec_default_w"))
    }

    @Test func revokesAreTolerant() {
        let policy = "role r\nrevoke select on table s.t from r\nrevoke select on table s.t from public"
        let mysql = compile(policy, .mysql)
        #expect(mysql.contains("REVOKE IF EXISTS SELECT ON `s`.`t` FROM 'r'@'%' IGNORE UNKNOWN USER;"))
        #expect(!mysql.contains("FROM PUBLIC"))
        #expect(mysql.contains("MySQL has no PUBLIC role"))
        let maria = compile(policy, .mariadb)
        #expect(maria.contains("DELIMITER //\nBEGIN NOT ATOMIC\n  DECLARE CONTINUE HANDLER FOR 1141, 1147, 1403, 1959 BEGIN END;"))
        #expect(maria.contains("  REVOKE SELECT ON `s`.`t` FROM PUBLIC;"))
        #expect(maria.contains("  REVOKE SELECT ON `s`.`t` FROM `r`;"))
        #expect(maria.contains("END//\nDELIMITER ;"))
    }

    @Test func orderKeepsEveryPrefixSafe() throws {
        let script = compile("absent user old\nrole r { grant select on table s.t }\nuser u { member of r }", .mariadb)
        let role = try #require(script.range(of: "CREATE ROLE IF NOT EXISTS `r`"))
        let user = try #require(script.range(of: "CREATE USER IF NOT EXISTS 'u'@'%'"))
        let member = try #require(script.range(of: "GRANT `r` TO 'u'@'%';"))
        let grant = try #require(script.range(of: "GRANT SELECT ON `s`.`t` TO `r`;"))
        let drop = try #require(script.range(of: "DROP USER IF EXISTS 'old'@'%';"))
        #expect(role.lowerBound < user.lowerBound && user.lowerBound < member.lowerBound)
        #expect(member.lowerBound < grant.lowerBound && grant.lowerBound < drop.lowerBound)
    }

    @Test func privilegeNamesAreCanonical() {
        let maria = compile("role r { grant replication client, replica monitor on server }", .mariadb)
        #expect(maria.contains("GRANT BINLOG MONITOR, SLAVE MONITOR ON *.* TO `r`;"))
        #expect(compile("role r { grant set_user_id on server }", .mysql, version: "8.0").contains("GRANT SET_USER_ID ON *.*"))
        #expect(compile("role r { grant set_user_id on server }", .mysql, version: "8.4").hasPrefix("ERRORS: [\"E0301\"]"))
        #expect(compile("role r { grant temp on schema s }", .mysql).contains("GRANT CREATE TEMPORARY TABLES ON `s`.* TO 'r'@'%';"))
        #expect(compile("role r { grant usage on sequence s.q }", .mariadb).contains("GRANT INSERT, SELECT ON `s`.`q` TO `r`;"))
    }
}
