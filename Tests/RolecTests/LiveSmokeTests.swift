// Smoke tests for the live PostgreSQL servers started by scripts/test.

import Foundation
import Testing

extension LiveServerTests {
    @Suite("Live PostgreSQL smoke tests")
    struct SmokeTests {
        private func checkVersion(_ version: Int) throws {
            guard let server = liveServerOrSkip(version) else { return }
            let versionNum = try server.psql("SELECT current_setting('server_version_num')")
            #expect(versionNum.hasPrefix(String(version)), "server_version_num \(versionNum) on \(server)")
        }

        @Test("PostgreSQL 15 answers with its version", .requiresPostgres(15))
        func postgres15() throws {
            try checkVersion(15)
        }

        @Test("PostgreSQL 18 answers with its version", .requiresPostgres(18))
        func postgres18() throws {
            try checkVersion(18)
        }

        @Test("database, role and reset round trip", arguments: [15, 18])
        func roleRoundTrip(version: Int) throws {
            guard let server = liveServerOrSkip(version) else { return }
            try server.resetRoles()

            // A name that needs quoting everywhere (identifier, literal, conninfo).
            let database = "rolec smoke 'db\" = x"
            let owner = PostgresServer.quoteIdentifier("rolec smoke \"owner\"")
            try server.createDatabase(database)
            try server.psql("""
                DO $$
                BEGIN
                  CREATE ROLE rolec_smoke_reader NOLOGIN;
                  CREATE ROLE \(owner) LOGIN;
                END
                $$;
                GRANT CONNECT ON DATABASE \(PostgresServer.quoteIdentifier(database)) TO rolec_smoke_reader;
                CREATE SCHEMA smoke AUTHORIZATION \(owner);
                SET ROLE \(owner);
                CREATE TABLE smoke.t (id int);
                GRANT SELECT ON smoke.t TO rolec_smoke_reader;
                RESET ROLE;
                """, database: database)
            // A database owned by a test role must not block resetRoles either.
            try server.createDatabase("rolec_smoke_owned")
            try server.psql("ALTER DATABASE rolec_smoke_owned OWNER TO rolec_smoke_reader;")

            let roles = try server.psql("""
                SELECT rolname, rolcanlogin FROM pg_roles
                WHERE rolname LIKE 'rolec%smoke%' ORDER BY rolname;
                """)
            #expect(roles == "rolec smoke \"owner\"|t\nrolec_smoke_reader|f")
            let canSelect = try server.psql(
                "SELECT has_table_privilege('rolec_smoke_reader', 'smoke.t', 'SELECT');",
                database: database)
            #expect(canSelect == "t")

            try server.resetRoles()
            let remaining = try server.psql(
                "SELECT count(*) FROM pg_roles WHERE rolname !~ '^pg_' AND rolname <> 'postgres';")
            #expect(remaining == "0")
            let tables = try server.psql(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'smoke';", database: database)
            #expect(tables == "0")

            try server.dropDatabase(database)
            try server.dropDatabase("rolec_smoke_owned")
            #expect(try !server.databaseNames().contains(database))
        }

        @Test("psql errors carry stderr; large output does not block", arguments: [15, 18])
        func psqlBehaviour(version: Int) throws {
            guard let server = liveServerOrSkip(version) else { return }

            do {
                try server.psql("SELECT 1;\nSELECT 1/0;\nSELECT 2;")
                Issue.record("expected psql to fail")
            } catch let error as PsqlError {
                #expect(error.stderr.contains("division by zero"))
                #expect(error.stdout == "1\n") // ON_ERROR_STOP: SELECT 2 never ran
                #expect(String(describing: error).contains("division by zero"))
            }

            // ~2 MB on stdout and ~200 KB of notices on stderr in one call.
            let output = try server.psql("""
                DO $$ BEGIN
                  FOR i IN 1..3000 LOOP RAISE NOTICE 'notice %', repeat('n', 60); END LOOP;
                END $$;
                SELECT i, repeat('x', 1000) FROM generate_series(1, 2000) AS i;
                """)
            let lines = output.split(separator: "\n")
            #expect(lines.count == 2000)
            #expect(lines.last.map(String.init) == "2000|" + String(repeating: "x", count: 1000))
        }
    }
}
