// Smoke tests for the live MariaDB server started by scripts/test: the client
// plumbing of MariaDBServer.swift, the account reset, and a real TCP login
// through a default role.

import Foundation
import Testing

extension LiveServerTests {
    @Suite("Live MariaDB smoke tests")
    struct LiveMariaDBSmokeTests {
        @Test("MariaDB answers with a 10.11+ version", .requiresMariaDB)
        func version() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            let version = try server.version()
            #expect(version.contains("MariaDB"), "VERSION() = \(version)")
            let numbers = version.prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
            #expect(numbers.count >= 2 && (numbers[0], numbers[1]) >= (10, 11), "VERSION() = \(version)")
        }

        @Test("role, default role, password hash: a TCP login can SELECT and cannot INSERT", .requiresMariaDB)
        func loginThroughDefaultRole() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try server.resetAccounts()
            defer { try? server.resetAccounts() }

            // Names that need quoting as identifiers and as client arguments.
            let database = "rolec smoke `db`"
            let db = MariaDBServer.quoteIdentifier(database)
            let role = MariaDBServer.quoteIdentifier("rolec smoke reader")
            let user = "rolec_smoke_user"
            let account = MariaDBServer.account(user, "%")
            try server.createDatabase(database)
            try server.sql("""
                CREATE TABLE \(db).t (id INT PRIMARY KEY, note VARCHAR(20));
                INSERT INTO \(db).t VALUES (1, 'one'), (2, 'two');
                CREATE ROLE \(role);
                CREATE USER \(account);
                GRANT SELECT ON \(db).t TO \(role);
                GRANT \(role) TO \(account);
                SET DEFAULT ROLE \(role) FOR \(account);
                """)

            // mysql_native_password hash: PASSWORD() on the server, checked against a
            // known value so a different hashing is noticed.
            #expect(try server.sql("SELECT PASSWORD('x');") == "*B69027D44F6E5EDC07F1AEAD1477967B16F28227")
            let password = "smoke pw 'quoted' \\ é"
            let hash = try server.sql("SELECT PASSWORD(\(MariaDBServer.quoteString(password)));")
            #expect(hash.count == 41 && hash.hasPrefix("*"), "PASSWORD() = \(hash)")
            try server.sql("ALTER USER \(account) IDENTIFIED BY PASSWORD \(MariaDBServer.quoteString(hash));")

            // What the grant tables say.
            let mapping = try server.jsonRows("""
                SELECT JSON_ARRAY(Host, User, Role, Admin_option) FROM mysql.roles_mapping ORDER BY Host, User, Role;
                """)
            #expect(mapping == [["%", user, "rolec smoke reader", "N"],
                                ["localhost", "root", "rolec smoke reader", "Y"]]) // the creator's implicit admin row
            let userRow = try server.jsonRows("""
                SELECT JSON_ARRAY(is_role, default_role, plugin, authentication_string)
                FROM mysql.user WHERE User = \(MariaDBServer.quoteString(user)) AND Host = '%';
                """)
            #expect(userRow == [["N", "rolec smoke reader", "mysql_native_password", hash]])

            // A TCP login as the user: the default role is active, SELECT works ...
            let selected = try server.login(user: user, password: password, sql: """
                SELECT CURRENT_USER(), CURRENT_ROLE();
                SELECT id, note FROM \(db).t ORDER BY id;
                """)
            #expect(selected == "\(user)@%\trolec smoke reader\n1\tone\n2\ttwo")
            // ... with the database given to the client too.
            #expect(try server.login(user: user, password: password, database: database, sql: "SELECT COUNT(*) FROM t;") == "2")

            // ... INSERT is refused by the server.
            do {
                try server.login(user: user, password: password, sql: "INSERT INTO \(db).t VALUES (3, 'three');")
                Issue.record("INSERT as \(user) succeeded")
            } catch let error as MariaDBError {
                #expect(error.code == 1142, "\(error)") // INSERT command denied
            }
            #expect(try server.sql("SELECT COUNT(*) FROM \(db).t;") == "2")

            // A wrong password and no password are refused.
            for attempt in ["wrong", ""] {
                do {
                    try server.login(user: user, password: attempt, sql: "SELECT 1;")
                    Issue.record("login as \(user) with password '\(attempt)' succeeded")
                } catch let error as MariaDBError {
                    #expect(error.code == 1045, "\(error)") // access denied
                }
            }

            // Without the default role, the same login holds no privilege.
            try server.sql("SET DEFAULT ROLE NONE FOR \(account);")
            do {
                try server.login(user: user, password: password, sql: "SELECT id FROM \(db).t;")
                Issue.record("SELECT without the default role succeeded")
            } catch let error as MariaDBError {
                #expect(error.code == 1142, "\(error)")
            }
        }

        @Test("a user without a password and with ACCOUNT LOCK cannot log in", .requiresMariaDB)
        func lockedUserWithoutPassword() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try server.resetAccounts()
            defer { try? server.resetAccounts() }

            let account = MariaDBServer.account("rolec_smoke_locked", "%")
            try server.sql("CREATE USER \(account) ACCOUNT LOCK;")
            let row = try server.jsonRows("""
                SELECT JSON_ARRAY(IFNULL(JSON_VALUE(Priv, '$.authentication_string'), ''), JSON_VALUE(Priv, '$.account_locked'))
                FROM mysql.global_priv WHERE User = 'rolec_smoke_locked';
                """)
            #expect(row == [["", "1"]]) // JSON true reads 1 through JSON_VALUE
            // The right (empty) password meets the lock; any other fails authentication first.
            for (password, code) in [("", 4151), ("anything", 1045)] {
                do {
                    try server.login(user: "rolec_smoke_locked", password: password, sql: "SELECT 1;")
                    Issue.record("locked account logged in with password '\(password)'")
                } catch let error as MariaDBError {
                    #expect(error.code == code, "\(error)") // 4151: this account is locked
                }
            }
            // The lock is what keeps it out: unlocked, the empty password is accepted.
            try server.sql("ALTER USER \(account) ACCOUNT UNLOCK;")
            #expect(try server.login(user: "rolec_smoke_locked", password: "", sql: "SELECT CURRENT_USER();")
                    == "rolec_smoke_locked@%")
        }

        @Test("resetAccounts leaves only the installed accounts, an empty PUBLIC and the system databases",
              .requiresMariaDB)
        func reset() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try server.resetAccounts()
            // Every grant row of a fresh server (mariadb.sys holds a table grant on
            // mysql.global_priv, the definer of the mysql.user view).
            let grantRows = """
                SELECT JSON_ARRAY('account', User, Host) FROM mysql.global_priv
                UNION ALL SELECT JSON_ARRAY('db', Host, Db, User) FROM mysql.db
                UNION ALL SELECT JSON_ARRAY('table', Host, Db, User, Table_name, Table_priv, Column_priv) FROM mysql.tables_priv
                UNION ALL SELECT JSON_ARRAY('column', Host, Db, User, Table_name, Column_name) FROM mysql.columns_priv
                UNION ALL SELECT JSON_ARRAY('routine', Host, Db, User, Routine_name) FROM mysql.procs_priv
                UNION ALL SELECT JSON_ARRAY('role', Host, User, Role) FROM mysql.roles_mapping
                UNION ALL SELECT JSON_ARRAY('proxy', Host, User, Proxied_host, Proxied_user) FROM mysql.proxies_priv;
                """
            let before = Set(try server.jsonRows(grantRows))

            try server.createDatabase("rolec_smoke_reset")
            try server.sql("""
                CREATE TABLE rolec_smoke_reset.t (id INT, c INT);
                CREATE PROCEDURE rolec_smoke_reset.p() BEGIN END;
                CREATE ROLE a; CREATE ROLE b WITH ADMIN a; CREATE ROLE c WITH ADMIN nosuch_account;
                GRANT b TO a;
                CREATE USER u1@'%', u1@'localhost', `we``ird`@'10.0.%';
                GRANT a TO u1@'%';
                SET DEFAULT ROLE a FOR u1@'%';
                GRANT SELECT ON rolec_smoke_reset.* TO PUBLIC;
                GRANT PROCESS ON *.* TO PUBLIC;
                GRANT b TO PUBLIC;
                GRANT SELECT (c), INSERT ON rolec_smoke_reset.t TO a;
                GRANT EXECUTE ON PROCEDURE rolec_smoke_reset.p TO u1@'localhost';
                GRANT UPDATE ON rolec_smoke_reset.t TO PUBLIC;
                """)
            try server.resetAccounts()

            #expect(Set(try server.jsonRows(grantRows)) == before)
            // PUBLIC is gone as on a fresh server: a revoke from it fails until a grant creates it again.
            do {
                try server.sql("REVOKE SELECT ON mysql.db FROM PUBLIC;")
                Issue.record("REVOKE ... FROM PUBLIC succeeded after resetAccounts")
            } catch let error as MariaDBError {
                #expect(error.code == 1959, "\(error)") // Invalid role specification `PUBLIC`
            }
            #expect(Set(try server.databaseNames()).isSubset(of: MariaDBServer.systemDatabases))
            // Idempotent.
            try server.resetAccounts()
        }

        @Test("client errors carry stderr and the error code; output values come back exactly", .requiresMariaDB)
        func clientBehaviour() throws {
            guard let server = liveMariaDBOrSkip() else { return }

            do {
                try server.sql("SELECT 1;\nSELECT nosuch_column;\nSELECT 2;")
                Issue.record("expected the client to fail")
            } catch let error as MariaDBError {
                #expect(error.code == 1054)
                #expect(error.stdout == "1\n") // the first error stops the client: SELECT 2 never ran
                #expect(String(describing: error).contains("nosuch_column"))
            }

            // Escapes in batch output, NULL, and exact values through JSON.
            let tricky = "tab\there\nnewline \\ backslash 'q' `b` é"
            let literal = MariaDBServer.quoteString(tricky)
            #expect(try server.rows("SELECT \(literal), NULL, 42;") == [[tricky, "NULL", "42"]])
            #expect(try server.jsonRows("SELECT JSON_ARRAY(\(literal), NULL, 42);") == [[tricky, "NULL", "42"]])

            // DELIMITER blocks go through the client; notes show with showWarnings.
            try server.createDatabase("rolec_smoke_client")
            defer { try? server.dropDatabase("rolec_smoke_client") }
            let run = try server.run("""
                DELIMITER //
                CREATE PROCEDURE p()
                BEGIN
                  SELECT 'from p';
                END//
                DELIMITER ;
                CALL p();
                CREATE TABLE IF NOT EXISTS t (id INT);
                CREATE TABLE IF NOT EXISTS t (id INT);
                """, database: "rolec_smoke_client", showWarnings: true)
            #expect(run.stdout.hasPrefix("from p"))
            #expect(run.notes.contains { $0.contains("1050") }, "\(run.stdout)") // table already exists
            #expect(run.warnings.isEmpty)

            // ~2 MB of output in one call does not block.
            let output = try server.sql("""
                SELECT seq, REPEAT('x', 1000) FROM mysql.seq_1_to_2000;
                """)
            let lines = output.split(separator: "\n")
            #expect(lines.count == 2000)
            #expect(lines.last.map(String.init) == "2000\t" + String(repeating: "x", count: 1000))
        }
    }
}
