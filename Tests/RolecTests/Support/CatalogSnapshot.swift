// Reading a PostgreSQL cluster's privilege state back (dialects.md A.9) as a set of
// comparable rows, plus the psql helpers the live catalog tests need beyond
// LiveServer.swift: a run that keeps stderr (warnings), and a role reset that
// survives default privileges granted between two of the dropped roles.

import Foundation
import Testing

/// One fact read from (or expected in) the catalog: a category followed by its
/// fields. Rows are compared whole; `description` is what a diff prints.
struct CatalogRow: Hashable, Comparable, CustomStringConvertible, Sendable {
    var fields: [String]
    init(_ fields: [String]) { self.fields = fields }
    static func < (a: CatalogRow, b: CatalogRow) -> Bool { a.fields.lexicographicallyPrecedes(b.fields) }
    var description: String { fields.joined(separator: " | ") }
}

/// Missing and unexpected rows between an expected and an actual set.
struct CatalogDiff {
    var missing: [CatalogRow]
    var unexpected: [CatalogRow]

    init(expected: Set<CatalogRow>, actual: Set<CatalogRow>) {
        missing = expected.subtracting(actual).sorted()
        unexpected = actual.subtracting(expected).sorted()
    }

    var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty }

    /// `- row` for what was expected and is not there, `+ row` for what is there and
    /// was not expected (the unified-diff convention: expected -> actual).
    func render(expectedName: String = "declared", actualName: String = "on the server", limit: Int = 200) -> String {
        var lines: [String] = []
        if !missing.isEmpty {
            lines.append("  missing (\(expectedName), not \(actualName)): \(missing.count)")
            lines.append(contentsOf: missing.prefix(limit).map { "    - \($0)" })
            if missing.count > limit { lines.append("    ... \(missing.count - limit) more") }
        }
        if !unexpected.isEmpty {
            lines.append("  unexpected (\(actualName), not \(expectedName)): \(unexpected.count)")
            lines.append(contentsOf: unexpected.prefix(limit).map { "    + \($0)" })
            if unexpected.count > limit { lines.append("    ... \(unexpected.count - limit) more") }
        }
        return lines.joined(separator: "\n")
    }
}

/// What a psql run printed: its result rows and its notices and warnings.
struct PsqlRun {
    var stdout: String
    var stderr: String

    /// `WARNING:` lines (psql prints `WARNING:  text`), without the prefix.
    var warnings: [String] {
        stderr.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "WARNING:") else { return nil }
            return line[range.upperBound...].trimmingCharacters(in: .whitespaces)
        }
    }
}

extension PostgresServer {
    /// Runs `sql` through psql (-X -q ON_ERROR_STOP=1 -At, fed on stdin) and returns its
    /// output without the trailing newline, and stderr, where psql prints NOTICEs and
    /// WARNINGs of a successful run. stdin, stdout and stderr are plain files: no pipe can
    /// fill up and deadlock, and psql stopping early cannot SIGPIPE the test process.
    /// Throws `PsqlError` (with stderr) when psql exits non-zero.
    func run(_ sql: String, database: String = "postgres") throws -> PsqlRun {
        let result: ClientProcess.Result
        do {
            result = try ClientProcess.run(psqlPath, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At",
                                                      "-h", host, "-p", String(port), "-U", "postgres",
                                                      "-d", Self.conninfo(database: database)],
                                           input: sql,
                                           removing: ["PGPASSWORD", "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS", "PGDATABASE",
                                                      "PGUSER", "PGHOST", "PGHOSTADDR", "PGPORT", "PGSSLMODE", "PGTZ"],
                                           setting: ["PGCONNECT_TIMEOUT": "10", "PGCLIENTENCODING": "UTF8", "PGAPPNAME": "rolec-tests"])
        } catch let error as ClientProcess.SetupError {
            throw PsqlError(server: description, database: database, sql: sql, status: -1, stdout: "", stderr: error.description)
        }
        guard result.status == 0 else {
            throw PsqlError(server: description, database: database, sql: sql, status: result.status, stdout: result.stdout, stderr: result.stderr)
        }
        return PsqlRun(stdout: result.value, stderr: result.stderr)
    }

    /// Runs a query whose every result row is one JSON array of scalars
    /// (`json_build_array(...)::text`) and returns the arrays as string lists;
    /// JSON null becomes "NULL".
    func jsonRows(_ sql: String, database: String) throws -> [[String]] {
        let output = try psql(sql, database: database)
        var rows: [[String]] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let data = line.data(using: .utf8),
                  let array = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [Any]
            else { throw CatalogError("not a JSON array row from \(self): \(line)") }
            rows.append(array.map { value in
                switch value {
                case is NSNull: return "NULL"
                case let s as String: return s
                case let n as NSNumber: return n.stringValue
                default: return "\(value)"
                }
            })
        }
        return rows
    }

}

struct CatalogError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The catalog queries. Owners' own ACL entries are left out (they are implied by
/// ownership and `owner` rows say who owns what); PUBLIC is `PUBLIC`; a NULL ACL
/// reads as `acldefault()` so the built-in PUBLIC defaults appear as rows.
enum CatalogReader {
    static func literalArray(_ values: [String]) -> String {
        "ARRAY[" + values.map(PostgresServer.quoteLiteral).joined(separator: ", ") + "]::text[]"
    }

    /// Cluster-wide state: roles (attributes, comment, password verifier),
    /// memberships (16+: with inherit/set options), per-role settings, and the
    /// owner and ACL of the given databases.
    static func clusterQuery(version: Int, databases: [String]) -> String {
        let memberOptions = version >= 16 ? "'inherit=' || am.inherit_option, 'set=' || am.set_option," : ""
        return """
            SELECT json_build_array('role', r.rolname,
                'superuser=' || r.rolsuper, 'inherit=' || r.rolinherit, 'createrole=' || r.rolcreaterole,
                'createdb=' || r.rolcreatedb, 'login=' || r.rolcanlogin, 'replication=' || r.rolreplication,
                'bypassrls=' || r.rolbypassrls, 'connection limit=' || r.rolconnlimit,
                'valid until=' || COALESCE((r.rolvaliduntil AT TIME ZONE 'UTC')::text, 'NULL'),
                'comment=' || COALESCE(shobj_description(r.oid, 'pg_authid'), 'NULL'),
                'password=' || COALESCE(a.rolpassword, 'NULL'))::text
            FROM pg_catalog.pg_roles r JOIN pg_catalog.pg_authid a ON a.oid = r.oid
            WHERE r.rolname !~ '^pg_' AND r.rolname <> 'postgres'
            UNION ALL
            SELECT json_build_array('member', r.rolname, m.rolname, 'admin=' || am.admin_option, \(memberOptions)
                'grantor=' || COALESCE(g.rolname, am.grantor::text))::text
            FROM pg_catalog.pg_auth_members am
            JOIN pg_catalog.pg_roles r ON r.oid = am.roleid
            JOIN pg_catalog.pg_roles m ON m.oid = am.member
            LEFT JOIN pg_catalog.pg_roles g ON g.oid = am.grantor
            WHERE m.rolname !~ '^pg_' AND m.rolname <> 'postgres'
            UNION ALL
            SELECT json_build_array('setting', COALESCE(r.rolname, '(every role)'), COALESCE(d.datname, '*'), c.cfg)::text
            FROM pg_catalog.pg_db_role_setting s
            LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
            CROSS JOIN LATERAL unnest(s.setconfig) AS c(cfg)
            UNION ALL
            SELECT json_build_array('owner', 'database', '', d.datname, pg_get_userbyid(d.datdba))::text
            FROM pg_catalog.pg_database d WHERE d.datname = ANY(\(literalArray(databases)))
            UNION ALL
            SELECT json_build_array('acl', '', 'database', d.datname, '',
                CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                a.privilege_type, 'grantable=' || a.is_grantable, 'grantor=' || pg_get_userbyid(a.grantor))::text
            FROM pg_catalog.pg_database d
            CROSS JOIN LATERAL aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba))) a
            WHERE d.datname = ANY(\(literalArray(databases))) AND a.grantee <> d.datdba;
            """
    }

    static let relationKind = """
        CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
            WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' END
        """

    static let grantee = "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END"

    /// The state of the connected database: owners and ACLs of every user schema,
    /// relation, column and routine, and its default privileges.
    static let databaseQuery = """
        WITH ns AS (
            SELECT oid, nspname, nspowner, nspacl FROM pg_catalog.pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp_)'
        ), rel AS (
            SELECT c.oid, ns.nspname || '.' || c.relname AS identity, \(relationKind) AS kind, c.relowner, c.relacl, c.relkind
            FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S')
        ), pro AS (
            SELECT p.oid, ns.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' AS identity,
                CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind, p.proowner, p.proacl
            FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
        )
        SELECT json_build_array('owner', 'schema', current_database(), nspname, pg_get_userbyid(nspowner))::text FROM ns
        UNION ALL
        SELECT json_build_array('acl', current_database(), 'schema', ns.nspname, '', \(grantee),
            a.privilege_type, 'grantable=' || a.is_grantable, 'grantor=' || pg_get_userbyid(a.grantor))::text
        FROM ns CROSS JOIN LATERAL aclexplode(COALESCE(ns.nspacl, acldefault('n', ns.nspowner))) a
        WHERE a.grantee <> ns.nspowner
        UNION ALL
        SELECT json_build_array('owner', kind, current_database(), identity, pg_get_userbyid(relowner))::text FROM rel
        UNION ALL
        SELECT json_build_array('acl', current_database(), rel.kind, rel.identity, '', \(grantee),
            a.privilege_type, 'grantable=' || a.is_grantable, 'grantor=' || pg_get_userbyid(a.grantor))::text
        FROM rel CROSS JOIN LATERAL aclexplode(COALESCE(rel.relacl,
            acldefault(CASE WHEN rel.relkind = 'S' THEN 's' ELSE 'r' END::"char", rel.relowner))) a
        WHERE a.grantee <> rel.relowner
        UNION ALL
        SELECT json_build_array('acl', current_database(), 'column', rel.identity, att.attname, \(grantee),
            a.privilege_type, 'grantable=' || a.is_grantable, 'grantor=' || pg_get_userbyid(a.grantor))::text
        FROM rel JOIN pg_catalog.pg_attribute att ON att.attrelid = rel.oid
        CROSS JOIN LATERAL aclexplode(att.attacl) a
        WHERE att.attacl IS NOT NULL AND att.attnum > 0 AND NOT att.attisdropped AND a.grantee <> rel.relowner
        UNION ALL
        SELECT json_build_array('owner', kind, current_database(), identity, pg_get_userbyid(proowner))::text FROM pro
        UNION ALL
        SELECT json_build_array('acl', current_database(), pro.kind, pro.identity, '', \(grantee),
            a.privilege_type, 'grantable=' || a.is_grantable, 'grantor=' || pg_get_userbyid(a.grantor))::text
        FROM pro CROSS JOIN LATERAL aclexplode(COALESCE(pro.proacl, acldefault('f', pro.proowner))) a
        WHERE a.grantee <> pro.proowner
        UNION ALL
        SELECT json_build_array('default', current_database(), pg_get_userbyid(d.defaclrole), COALESCE(n.nspname, '*'),
            CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' WHEN 'L' THEN 'large objects' ELSE d.defaclobjtype::text END,
            \(grantee), a.privilege_type, 'grantable=' || a.is_grantable, 'grantor=' || pg_get_userbyid(a.grantor))::text
        FROM pg_catalog.pg_default_acl d
        LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
        CROSS JOIN LATERAL aclexplode(d.defaclacl) a;
        """

    /// Cluster-wide rows (for `clusterDatabases`) plus the per-database rows of each
    /// of `databases`.
    static func snapshot(_ server: PostgresServer, databases: [String], clusterDatabases: [String]) throws -> Set<CatalogRow> {
        var rows = Set(try server.jsonRows(clusterQuery(version: server.version, databases: clusterDatabases),
                                           database: databases.first ?? "postgres").map(CatalogRow.init))
        for database in databases {
            rows.formUnion(try server.jsonRows(databaseQuery, database: database).map(CatalogRow.init))
        }
        return rows
    }

    /// ACL rows (owner's own entries left out) of the relations and routines whose
    /// name starts with `prefix`: the objects a default-privilege probe created.
    static func probeQuery(prefix: String) -> String {
        let like = PostgresServer.quoteLiteral(prefix.replacingOccurrences(of: "_", with: "\\_") + "%")
        return """
            SELECT json_build_array('new object', n.nspname || '.' || c.relname, \(relationKind), \(grantee),
                a.privilege_type, 'grantable=' || a.is_grantable, 'grantor=' || pg_get_userbyid(a.grantor))::text
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL aclexplode(COALESCE(c.relacl,
                acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
            WHERE c.relname LIKE \(like) AND c.relkind IN ('r', 'v', 'S') AND a.grantee <> c.relowner
            UNION ALL
            SELECT json_build_array('new object', n.nspname || '.' || p.proname || '()',
                CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, \(grantee),
                a.privilege_type, 'grantable=' || a.is_grantable, 'grantor=' || pg_get_userbyid(a.grantor))::text
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            CROSS JOIN LATERAL aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) a
            WHERE p.proname LIKE \(like) AND a.grantee <> p.proowner;
            """
    }
}
