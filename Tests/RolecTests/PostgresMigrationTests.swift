// PostgreSQL migrations: the statements of every kind of change, up and down
// (exact), and golden files for the three-version series dialects/migrations/shop
// on PostgreSQL 15 and 18. LivePostgresMigrationTests.swift applies them to real servers.

import Foundation
import Testing
@testable import Rolec

@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    /// A migration's sections as a reader sees them: `-- title`, then the statements.
    static func text(_ sections: [MigrationSection]) -> String {
        sections.map { "-- \($0.title)\n" + $0.statements.map { $0.sql + "\n" }.joined() }.joined(separator: "\n")
    }

    static func ir(_ policy: String?, version: String) throws -> PolicyIR {
        guard let policy else { return PolicyIR(dialect: "postgres", serverVersion: version) }
        let output = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: policy)])
            .compile(for: Target(dialect: PostgresDialect(), version: version))
        return try #require(output.ir, "policy does not compile: \(output.diagnostics.map(\.code))")
    }

    /// Up and down of the migration from `old` (nil: nothing) to `new`.
    static func sections(_ old: String?, _ new: String?, version: String = "15",
                         successor: String? = nil) throws -> (up: [MigrationSection], down: [MigrationSection]) {
        let before = try ir(old, version: version), after = try ir(new, version: version)
        let set = Diff.changes(from: before, to: after, options: Diff.Options(successor: successor))
        return (PostgresDialect().renderMigration(set.up, context: MigrationContext(before: before, after: after)),
                PostgresDialect().renderMigration(set.down, context: MigrationContext(before: after, after: before)))
    }

    static func migration(_ old: String?, _ new: String?, version: String = "15",
                          successor: String? = nil) throws -> (up: String, down: String) {
        let (up, down) = try sections(old, new, version: version, successor: successor)
        return (text(up), text(down))
    }

    static func create(_ name: String) -> String {
        "DO $rolec$\nBEGIN\n  CREATE ROLE \(name);\nEXCEPTION WHEN duplicate_object THEN\n  NULL;\nEND\n$rolec$;\n"
    }

    static func drop(_ name: String, to successor: String = "CURRENT_USER") -> String {
        """
        DO $rolec$
        BEGIN
          IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '\(name)') THEN
            REASSIGN OWNED BY \(name) TO \(successor);
            DROP OWNED BY \(name);
            IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
                       JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
                       JOIN pg_catalog.pg_database db ON db.oid = d.dbid
                       WHERE r.rolname = '\(name)' AND db.datname <> current_database()) THEN
              RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', '\(name)';
            ELSE
              DROP ROLE \(name);
            END IF;
          END IF;
        END
        $rolec$;

        """
    }

    static let roleDefaults = "NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity'"
    static let userDefaults = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity'"

    // MARK: principals

    @Test func createAndDropPrincipal() throws {
        let (up, down) = try Self.sections(nil, "role app { comment 'it''s the app' }")
        #expect(Self.text(up) == "-- Create principals\n" + Self.create("app")
            + "ALTER ROLE app WITH \(Self.roleDefaults);\nCOMMENT ON ROLE app IS 'it''s the app';\n")
        #expect(Self.text(down) == "-- Drop principals\n" + Self.drop("app"))
        // DO blocks carry their own semicolons; a migration tool must not split them.
        #expect(up.flatMap(\.statements).map(\.compound) == [true, false, false])
        #expect(down.flatMap(\.statements).map(\.compound) == [true])
    }

    @Test func droppedPrincipalGoesToTheSuccessor() throws {
        let (up, down) = try Self.migration("role app\nrole old_app", "role app", successor: "app")
        #expect(up == "-- Drop principals\n" + Self.drop("old_app", to: "app"))
        #expect(down == "-- Create principals\n" + Self.create("old_app") + "ALTER ROLE old_app WITH \(Self.roleDefaults);\nCOMMENT ON ROLE old_app IS NULL;\n")
    }

    @Test func absentPrincipalIsDroppedAndHasNoDown() throws {
        let (up, down) = try Self.migration("role app", "role app\nabsent user bob", successor: "app")
        #expect(up == "-- Drop principals\n" + Self.drop("bob", to: "app"))
        #expect(down == "")
    }

    @Test func alterConvergesOnlyWhatChanged() throws {
        let (up, down) = try Self.migration(
            "user u { comment 'old' }",
            "user u {\n noinherit\n connection limit 5\n valid until '2030-01-01'\n comment ''\n}")
        #expect(up == "-- Converge attributes\nALTER ROLE u WITH NOINHERIT CONNECTION LIMIT 5 VALID UNTIL '2030-01-01';\nCOMMENT ON ROLE u IS NULL;\n")
        #expect(down == "-- Converge attributes\nALTER ROLE u WITH INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity';\nCOMMENT ON ROLE u IS 'old';\n")
    }

    @Test func roleBecomesUserAndGetsAPassword() throws {
        let scram = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$5U2oGo7wZzEzGkzOi/sxqVYxM2Su+7ByNiHvGvfq6fg=:5DWW81SH8RM6rVKSz2pyk8S1Pzh2ExDx0BMjYdeHmbY="
        let (up, down) = try Self.migration("role r", "user r { password hash '\(scram)' }")
        #expect(up == "-- Converge attributes\nALTER ROLE r WITH LOGIN PASSWORD '\(scram)';\n")
        // A password no longer managed is left as it is.
        #expect(down == "-- Converge attributes\nALTER ROLE r WITH NOLOGIN;\n")
    }

    @Test func externalPrincipalConvergesWhatItListsAndNothingBack() throws {
        let (up, down) = try Self.migration(nil, "external user ext {\n bypassrls\n comment 'platform'\n}\nexternal role bare")
        #expect(up == "-- Converge attributes\nALTER ROLE ext WITH BYPASSRLS;\nCOMMENT ON ROLE ext IS 'platform';\n")
        #expect(down == "")
    }

    @Test func hostsAreNotAPostgresChange() throws {
        let (up, down) = try Self.migration("user u { host 'a' }", "user u { host 'b' }")
        #expect(up == "")
        #expect(down == "")
    }

    // MARK: settings and memberships

    @Test func settingsAreSetAndReset() throws {
        let (up, down) = try Self.migration(
            "role api {\n set work_mem = '16MB'\n set statement_timeout = '3s'\n}",
            "role api {\n set work_mem = '32MB'\n set search_path = '$user', public in database analytics\n}")
        #expect(up == """
            -- Settings
            ALTER ROLE api SET work_mem TO '32MB';
            ALTER ROLE api IN DATABASE analytics SET search_path TO '$user', 'public';
            ALTER ROLE api RESET statement_timeout;

            """)
        #expect(down == """
            -- Settings
            ALTER ROLE api SET statement_timeout TO '3s';
            ALTER ROLE api SET work_mem TO '16MB';
            ALTER ROLE api IN DATABASE analytics RESET search_path;

            """)
    }

    @Test func membershipsOnPostgres15() throws {
        let (up, down) = try Self.migration(
            "role g\nrole h\nuser a { member of g }\nuser b { member of g with admin option }\nuser c { member of h }",
            "role g\nrole h\nuser a { member of g with admin option }\nuser b { member of g }\nuser c { member of g }",
            version: "15")
        #expect(up == """
            -- Memberships
            GRANT g TO c;
            GRANT g TO a WITH ADMIN OPTION;
            REVOKE ADMIN OPTION FOR g FROM b;

            -- Revoke memberships
            REVOKE h FROM c;

            """)
        #expect(down == """
            -- Memberships
            GRANT h TO c;
            REVOKE ADMIN OPTION FOR g FROM a;
            GRANT g TO b WITH ADMIN OPTION;

            -- Revoke memberships
            REVOKE g FROM c;

            """)
    }

    @Test func membershipOptionsOnPostgres16() throws {
        let (up, down) = try Self.migration(
            "role g\nuser a { member of g with admin option, inherit false }\nuser b { member of g }",
            "role g\nuser a { member of g with set false }\nuser b { member of g with admin option, inherit false }",
            version: "16")
        #expect(up == """
            -- Memberships
            GRANT g TO a WITH ADMIN FALSE, INHERIT TRUE, SET FALSE;
            GRANT g TO b WITH ADMIN TRUE, INHERIT FALSE;

            """)
        #expect(down == """
            -- Memberships
            GRANT g TO a WITH ADMIN TRUE, INHERIT FALSE, SET TRUE;
            GRANT g TO b WITH ADMIN FALSE, INHERIT TRUE;

            """)
    }

    @Test func changedInheritAttributeReachesExistingMembershipsOn16() throws {
        let (up, down) = try Self.migration("role g\nuser a { member of g }", "role g\nuser a {\n noinherit\n member of g\n}", version: "18")
        #expect(up == "-- Converge attributes\nALTER ROLE a WITH NOINHERIT;\nGRANT g TO a WITH INHERIT FALSE;\n")
        #expect(down == "-- Converge attributes\nALTER ROLE a WITH INHERIT;\nGRANT g TO a WITH INHERIT TRUE;\n")
        // 15 has no per-membership option: the attribute applies to every membership.
        #expect(try Self.migration("role g\nuser a { member of g }", "role g\nuser a {\n noinherit\n member of g\n}", version: "15").up
            == "-- Converge attributes\nALTER ROLE a WITH NOINHERIT;\n")
    }

    @Test func ownerIsSetAndANewOwnerHasNoDown() throws {
        let (up, down) = try Self.migration("external role o1\nexternal role o2\nschema s owned by o1",
                                            "external role o1\nexternal role o2\nschema s owned by o2\ndatabase d owned by o1")
        #expect(up == "-- Ownership\nALTER DATABASE d OWNER TO o1;\nALTER SCHEMA s OWNER TO o2;\n")
        // The owner before the policy named one is not known: d keeps o1.
        #expect(down == "-- Ownership\nALTER SCHEMA s OWNER TO o1;\n")
    }

    // MARK: privileges

    @Test func grantsAndRevokesAreConsolidatedLikeTheScript() throws {
        let (up, down) = try Self.migration("role a\nrole b", """
            role a
            role b
            grant select, insert on table s.t1, s.t2 to a, b
            grant select (y, x) on table s.t3 to a
            grant execute on function s.f(integer) to b
            grant execute on procedure s.p() to b
            grant usage on sequence s.q to a
            grant select on all existing tables in schema s to b
            grant connect on database d to a
            """)
        #expect(up == """
            -- Grant privileges
            GRANT CONNECT ON DATABASE d TO a;
            GRANT SELECT, INSERT ON TABLE s.t1, s.t2 TO a, b;
            GRANT SELECT (x, y) ON TABLE s.t3 TO a;
            GRANT USAGE ON SEQUENCE s.q TO a;
            GRANT EXECUTE ON FUNCTION s.f(integer) TO b;
            GRANT EXECUTE ON PROCEDURE s.p() TO b;
            GRANT SELECT ON ALL TABLES IN SCHEMA s TO b;

            """)
        #expect(down == """
            -- Revoke privileges
            REVOKE CONNECT ON DATABASE d FROM a;
            REVOKE SELECT, INSERT ON TABLE s.t1, s.t2 FROM a, b;
            REVOKE SELECT (x, y) ON TABLE s.t3 FROM a;
            REVOKE USAGE ON SEQUENCE s.q FROM a;
            REVOKE EXECUTE ON FUNCTION s.f(integer) FROM b;
            REVOKE EXECUTE ON PROCEDURE s.p() FROM b;
            REVOKE SELECT ON ALL TABLES IN SCHEMA s FROM b;

            """)
    }

    @Test func grantOptionIsAddedAndTakenAwayAlone() throws {
        let (up, down) = try Self.migration(
            "role a\ngrant select on table s.t to a\ngrant update (c) on table s.t to a",
            "role a\ngrant select on table s.t to a with grant option\ngrant update (c) on table s.t to a with grant option")
        #expect(up == """
            -- Grant privileges
            GRANT SELECT ON TABLE s.t TO a WITH GRANT OPTION;
            GRANT UPDATE (c) ON TABLE s.t TO a WITH GRANT OPTION;

            """)
        #expect(down == """
            -- Revoke privileges
            REVOKE GRANT OPTION FOR SELECT ON TABLE s.t FROM a;
            REVOKE GRANT OPTION FOR UPDATE (c) ON TABLE s.t FROM a;

            """)
    }

    @Test func aRevokedGrantWithOptionIsOneRevoke() throws {
        let (up, _) = try Self.migration("role a\nrole b\ngrant select on table s.t to a with grant option\ngrant select on table s.t to b",
                                         "role a\nrole b")
        #expect(up == "-- Revoke privileges\nREVOKE SELECT ON TABLE s.t FROM a, b;\n")
    }

    @Test func defaultPrivileges() throws {
        let base = "external role o\nschema s owned by o\nrole a\n"
        let (up, down) = try Self.migration(base + "grant select on all future tables in schema s to a with grant option",
                                            base + "grant select on all future tables in schema s to a\ngrant usage on all future sequences in schema s to a")
        #expect(up == """
            -- Default privileges for future objects
            ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA s GRANT USAGE ON SEQUENCES TO a;
            ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA s REVOKE GRANT OPTION FOR SELECT ON TABLES FROM a;

            """)
        #expect(down == """
            -- Default privileges for future objects
            ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA s GRANT SELECT ON TABLES TO a WITH GRANT OPTION;

            -- Revoke default privileges
            ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA s REVOKE USAGE ON SEQUENCES FROM a;

            """)
    }

    static let hardened = """
        external role m
        database d owned by m created by m
        schema s owned by m
        role a
        revoke execute on all functions from public
        revoke create on schema public from public
        revoke temp on database d from public
        revoke select on table s.secrets from a

        """

    @Test func declaredRevokesAndTheirUndo() throws {
        let plain = "external role m\ndatabase d owned by m created by m\nschema s owned by m\nrole a\n"
        let (up, down) = try Self.migration(plain, Self.hardened)
        #expect(up == """
            -- Revoke privileges
            REVOKE TEMPORARY ON DATABASE d FROM PUBLIC;
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            REVOKE SELECT ON TABLE s.secrets FROM a;
            REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA s FROM PUBLIC;

            -- Revoke default privileges
            ALTER DEFAULT PRIVILEGES FOR ROLE m REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

            """)
        // Undone: only what PostgreSQL grants PUBLIC by itself comes back (Diff); a revoke is never a grant.
        #expect(down == """
            -- Grant privileges
            GRANT TEMPORARY ON DATABASE d TO PUBLIC;
            GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA s TO PUBLIC;

            -- Default privileges for future objects
            ALTER DEFAULT PRIVILEGES FOR ROLE m GRANT EXECUTE ON FUNCTIONS TO PUBLIC;

            """)
    }

    @Test func revokesNoLongerDeclaredGrantNothingBack() throws {
        let plain = "external role m\ndatabase d owned by m created by m\nschema s owned by m\nrole a\n"
        let (up, down) = try Self.sections(Self.hardened, plain)
        #expect(Self.text(up) == """
            -- No longer enforced
            -- no longer enforced, nothing is granted back: REVOKE TEMPORARY ON DATABASE d FROM PUBLIC;
            -- no longer enforced, nothing is granted back: REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            -- no longer enforced, nothing is granted back: REVOKE SELECT ON TABLE s.secrets FROM a;
            -- no longer enforced, nothing is granted back: REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA s FROM PUBLIC;
            -- no longer enforced, nothing is granted back: ALTER DEFAULT PRIVILEGES FOR ROLE m REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

            """)
        #expect(up.flatMap(\.statements).allSatisfy { $0.sql.hasPrefix("-- ") && !$0.compound })
        #expect(down.isEmpty)
    }

    @Test func aRevokeReachingStillHeldFactsGrantsThemAgain() throws {
        let (up, down) = try Self.migration("""
            role a
            grant select on all existing tables in schema s to a
            grant select on table s.t to a
            grant update on table s.u to a
            grant update (c) on table s.u to a
            """, """
            role a
            grant select on table s.t to a
            grant update (c) on table s.u to a
            """)
        #expect(up == """
            -- Revoke privileges
            REVOKE UPDATE ON TABLE s.u FROM a;
            REVOKE SELECT ON ALL TABLES IN SCHEMA s FROM a;

            -- Privileges still held, granted again (a REVOKE also reaches the objects of a bulk grant and a table's columns)
            GRANT SELECT ON TABLE s.t TO a;
            GRANT UPDATE (c) ON TABLE s.u TO a;

            """)
        #expect(down == """
            -- Grant privileges
            GRANT UPDATE ON TABLE s.u TO a;
            GRANT SELECT ON ALL TABLES IN SCHEMA s TO a;

            """)
    }

    @Test func grantsReachingDeclaredRevokesAreRevokedAgain() throws {
        let base = "role a\nrevoke select on table s.secret from public\n"
        let (up, down) = try Self.migration(base, base + "grant select on all existing tables in schema s to public")
        #expect(up == """
            -- Grant privileges
            GRANT SELECT ON ALL TABLES IN SCHEMA s TO PUBLIC;

            -- Revokes the policy still declares, applied again (the grants above reach them too)
            REVOKE SELECT ON TABLE s.secret FROM PUBLIC;

            """)
        #expect(down == "-- Revoke privileges\nREVOKE SELECT ON ALL TABLES IN SCHEMA s FROM PUBLIC;\n")
    }

    @Test func aDroppedPrincipalTakesItsPrivilegesWithIt() throws {
        let (up, down) = try Self.migration("""
            external role o
            schema s owned by o
            role a
            user u {
              member of a
              set work_mem = '1MB'
              grant select on table s.t
              grant select on all future tables in schema s
            }
            grant usage on schema s to a, u
            """, """
            external role o
            schema s owned by o
            role a
            grant usage on schema s to a
            """)
        // No REVOKE ... FROM u: it would fail once u is gone (a second database, a re-run).
        #expect(up == "-- Drop principals\n" + Self.drop("u"))
        #expect(down == "-- Create principals\n" + Self.create("u") + """
            ALTER ROLE u WITH \(Self.userDefaults);
            COMMENT ON ROLE u IS NULL;

            -- Settings
            ALTER ROLE u SET work_mem TO '1MB';

            -- Memberships
            GRANT a TO u;

            -- Grant privileges
            GRANT USAGE ON SCHEMA s TO u;
            GRANT SELECT ON TABLE s.t TO u;

            -- Default privileges for future objects
            ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA s GRANT SELECT ON TABLES TO u;

            """)
    }

    @Test func migrationsAreDeterministic() throws {
        let a = try Self.migration(nil, Self.hardened + "user u { member of a }")
        let b = try Self.migration(nil, Self.hardened + "user u { member of a }")
        #expect(a.up == b.up && a.down == b.down)
    }

    // MARK: the shop series

    /// The series' versions in order; the first migration starts from nothing.
    static let series = ["v1", "v2", "v3"]

    /// The IR of one version of dialects/migrations/shop.
    static func shop(_ version: String, server: String) throws -> PolicyIR {
        let output = try Golden.load("../migrations/shop/\(version)").compile(for: Target(dialect: PostgresDialect(), version: server))
        return try #require(output.ir, "shop \(version) does not compile for PostgreSQL \(server): \(output.diagnostics.map(\.code))")
    }

    /// Every migration of the series: (version, before, after, changes).
    static func shopMigrations(server: String) throws -> [(version: String, before: PolicyIR, after: PolicyIR, changes: ChangeSet)] {
        var previous = PolicyIR(dialect: "postgres", serverVersion: server)
        var result: [(String, PolicyIR, PolicyIR, ChangeSet)] = []
        for version in series {
            let next = try shop(version, server: server)
            result.append((version, previous, next, Diff.changes(from: previous, to: next)))
            previous = next
        }
        return result
    }

    @Test("shop series golden migrations", arguments: ["15", "18"])
    func shopSeries(server: String) throws {
        for m in try Self.shopMigrations(server: server) {
            #expect(!m.changes.up.isEmpty, "\(m.version) changes nothing")
            let up = PostgresDialect().renderMigration(m.changes.up, context: MigrationContext(before: m.before, after: m.after))
            let down = PostgresDialect().renderMigration(m.changes.down, context: MigrationContext(before: m.after, after: m.before))
            Golden.check(Self.text(up), file: "\(m.version).up@\(server).sql", in: "../migrations/shop/expected/postgres")
            Golden.check(Self.text(down), file: "\(m.version).down@\(server).sql", in: "../migrations/shop/expected/postgres")
        }
    }
}
