/// Renders the IR as one SQLite script that makes rolec's catalog equal to the
/// policy: the catalog tables and view (created if missing), upserts of every
/// declared row, deletes of every row the policy does not declare, the revokes,
/// and last the principals the policy no longer has. One transaction; applied
/// twice, the second run changes nothing.
struct SQLiteRenderer {
    let ir: PolicyIR
    let options: RenderOptions
    let dialect: SQLiteDialect

    typealias Q = SQLiteQuoting
    typealias C = SQLiteCatalog

    func render() -> String {
        var out = ScriptWriter()
        out.header(dialect: dialect.displayName, version: ir.serverVersion, phase: options.phase?.rawValue, sources: options.sources)
        out.notes(notes())
        if options.transaction { out.line("BEGIN;") }
        let declared = C.declared(ir)
        out.section("Catalog (rolec's own tables: the RolecSQLite authorizer enforces them; no principal may write them)", SQLiteRenderer.catalogDDL)
        if options.phase != .privileges {
            out.section("Principals", principals(declared.principals))
            out.section("Memberships (the catalog keeps exactly these)", memberships(declared.memberships))
        }
        if options.phase != .principals {
            out.section("Privileges (the catalog keeps exactly these)", grants(declared.grants))
            out.section("Revokes", revokes())
            var title = "Principals not in the policy"
            if !ir.absent.isEmpty { title += " (absent: " + ir.absent.map(\.name).joined(separator: ", ") + ")" }
            out.section(title, [dropUndeclared(declared.principals)])
        }
        if options.transaction { out.blank(); out.line("COMMIT;") }
        return out.text
    }

    func notes() -> [String] {
        var notes = ir.notes
        for p in ir.principals where !p.hosts.isEmpty {
            notes.append("hosts of \(p.name) apply to MySQL/MariaDB accounts only")
        }
        for p in ir.principals where p.defaultRoles != nil {
            notes.append("default role of \(p.name): a connection acting as a principal holds what it inherits from every role; nothing to render")
        }
        for p in ir.principals where !p.passwordHashes.isEmpty {
            notes.append("password of \(p.name): SQLite has no authentication (the application says which principal a connection acts as); the verifier is not stored")
        }
        for o in ir.ownerships {
            notes.append("\(o.scope.rawValue) \(o.name) owned by \(o.owner): SQLite has no owners; creating, altering and dropping objects of a schema is its CREATE privilege")
        }
        if ir.grants.contains(where: \.grantable) || ir.memberships.contains(where: \.admin) {
            notes.append("grant and admin options are recorded in the catalog; SQLite has no GRANT statement, so they allow nothing more")
        }
        return notes
    }

    // MARK: catalog

    static let catalogDDL: [String] = [
        """
        CREATE TABLE IF NOT EXISTS "rolec_principal" (
          "name" TEXT NOT NULL PRIMARY KEY,
          "kind" TEXT NOT NULL CHECK ("kind" IN ('role', 'user')),
          "external" INTEGER NOT NULL CHECK ("external" IN (0, 1)),
          "login" INTEGER CHECK ("login" IN (0, 1)),
          "inherit" INTEGER CHECK ("inherit" IN (0, 1)),
          "valid_until" TEXT,
          "comment" TEXT
        ) STRICT;
        """,
        """
        CREATE TABLE IF NOT EXISTS "rolec_membership" (
          "role" TEXT NOT NULL,
          "member" TEXT NOT NULL,
          "admin" INTEGER NOT NULL CHECK ("admin" IN (0, 1)),
          PRIMARY KEY ("role", "member")
        ) STRICT;
        """,
        """
        CREATE TABLE IF NOT EXISTS "rolec_grant" (
          "grantee" TEXT NOT NULL,
          "privilege" TEXT NOT NULL,
          "object_kind" TEXT NOT NULL CHECK ("object_kind" IN ('database', 'schema', 'table', 'view', 'all tables')),
          "schema_name" TEXT NOT NULL,
          "object_name" TEXT NOT NULL,
          "column_name" TEXT NOT NULL,
          "grantable" INTEGER NOT NULL CHECK ("grantable" IN (0, 1)),
          PRIMARY KEY ("grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name")
        ) STRICT;
        """,
        "DROP VIEW IF EXISTS \"rolec_effective_grant\";",
        """
        CREATE VIEW "rolec_effective_grant" AS
        WITH RECURSIVE "holds" ("principal", "role") AS (
          SELECT "name", "name" FROM "rolec_principal"
          UNION
          SELECT "h"."principal", "m"."role"
          FROM "holds" AS "h"
          JOIN "rolec_principal" AS "p" ON "p"."name" = "h"."role" AND coalesce("p"."inherit", 1) = 1
          JOIN "rolec_membership" AS "m" ON "m"."member" = "h"."role"
        ),
        "reach" ("principal", "grantee") AS (
          SELECT "principal", "role" FROM "holds"
          UNION
          SELECT "name", 'public' FROM "rolec_principal"
        )
        SELECT "r"."principal" AS "principal", "g"."privilege" AS "privilege", "g"."object_kind" AS "object_kind",
               nullif("g"."schema_name", '') AS "schema_name", nullif("g"."object_name", '') AS "object_name",
               nullif("g"."column_name", '') AS "column_name", "g"."grantable" AS "grantable", "g"."grantee" AS "granted_to"
        FROM "reach" AS "r"
        JOIN "rolec_grant" AS "g" ON "g"."grantee" = "r"."grantee";
        """,
    ]

    // MARK: rows

    /// `VALUES` rows, one a line, in `INSERT ... VALUES` layout.
    static func valuesList(_ rows: [String]) -> String {
        rows.map { "  " + $0 }.joined(separator: ",\n")
    }

    /// Rows per INSERT statement: keeps statements of a very large policy readable and small.
    static let rowsPerInsert = 500

    func upserts(table: String, columns: [String], rows: [String], conflict: [String], update: [String]) -> [String] {
        guard !rows.isEmpty else { return [] }
        let head = "INSERT INTO \(Q.identifier(table)) (\(columns.map(Q.identifier).joined(separator: ", "))) VALUES\n"
        let set = update.map { "\(Q.identifier($0)) = \"excluded\".\(Q.identifier($0))" }.joined(separator: ", ")
        let tail = "\nON CONFLICT (\(conflict.map(Q.identifier).joined(separator: ", "))) DO " + (update.isEmpty ? "NOTHING;" : "UPDATE SET \(set);")
        return stride(from: 0, to: rows.count, by: SQLiteRenderer.rowsPerInsert).map { start in
            head + SQLiteRenderer.valuesList(Array(rows[start..<min(start + SQLiteRenderer.rowsPerInsert, rows.count)])) + tail
        }
    }

    /// Deletes every row whose key is not among `keys` (the declared rows).
    func keepOnly(table: String, keyColumns: [String], keys: [String]) -> String {
        let name = Q.identifier(table)
        guard !keys.isEmpty else { return "DELETE FROM \(name);" }
        let columns = keyColumns.map(Q.identifier).joined(separator: ", ")
        if keyColumns.count == 1 { return "DELETE FROM \(name) WHERE \(columns) NOT IN (\n\(SQLiteRenderer.valuesList(keys)));" }
        return "DELETE FROM \(name) WHERE (\(columns)) NOT IN (VALUES\n\(SQLiteRenderer.valuesList(keys)));"
    }

    func principals(_ rows: [C.Principal]) -> [String] {
        let values = rows.map { p in
            "(" + [Q.literal(p.name), Q.literal(p.kind), Q.bool(p.external), Q.bool(p.login), Q.bool(p.inherit),
                   Q.text(p.validUntil), Q.text(p.comment)].joined(separator: ", ") + ")"
        }
        return upserts(table: C.principalTable, columns: ["name", "kind", "external", "login", "inherit", "valid_until", "comment"],
                       rows: values, conflict: ["name"], update: ["kind", "external", "login", "inherit", "valid_until", "comment"])
    }

    func dropUndeclared(_ rows: [C.Principal]) -> String {
        keepOnly(table: C.principalTable, keyColumns: ["name"], keys: rows.map { Q.literal($0.name) })
    }

    func memberships(_ rows: [C.Membership]) -> [String] {
        let values = rows.map { "(" + [Q.literal($0.role), Q.literal($0.member), Q.bool($0.admin)].joined(separator: ", ") + ")" }
        let keys = rows.map { "(" + Q.literal($0.role) + ", " + Q.literal($0.member) + ")" }
        return upserts(table: C.membershipTable, columns: ["role", "member", "admin"], rows: values, conflict: ["role", "member"], update: ["admin"])
            + [keepOnly(table: C.membershipTable, keyColumns: ["role", "member"], keys: keys)]
    }

    static let grantKey = ["grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name"]

    func grants(_ rows: [C.Grant]) -> [String] {
        let values = rows.map { "(" + ($0.key.map(Q.literal) + [Q.bool($0.grantable)]).joined(separator: ", ") + ")" }
        let keys = rows.map { "(" + $0.key.map(Q.literal).joined(separator: ", ") + ")" }
        return upserts(table: C.grantTable, columns: SQLiteRenderer.grantKey + ["grantable"], rows: values,
                       conflict: SQLiteRenderer.grantKey, update: ["grantable"])
            + [keepOnly(table: C.grantTable, keyColumns: SQLiteRenderer.grantKey, keys: keys)]
    }

    func revokes() -> [String] {
        C.revokes(ir).map { r in
            func list(_ column: String, _ values: [String]) -> String {
                values.count == 1 ? "\(Q.identifier(column)) = \(Q.literal(values[0]))"
                    : "\(Q.identifier(column)) IN (\(values.map(Q.literal).joined(separator: ", ")))"
            }
            var conditions = [list("grantee", r.grantees), list("privilege", r.privileges), list("object_kind", r.objectKinds)]
            if let schema = r.schemaName { conditions.append(list("schema_name", [schema])) }
            if let name = r.objectName { conditions.append(list("object_name", [name])) }
            if let column = r.columnName { conditions.append(list("column_name", [column])) }
            return "DELETE FROM \(Q.identifier(C.grantTable)) WHERE " + conditions.joined(separator: " AND ") + ";"
        }
    }
}

/// The one place SQLite identifiers and literals are quoted: identifiers always in
/// `"..."` with `"` doubled, strings in `'...'` with `'` doubled. Never `"string"`:
/// SQLite reads a double-quoted word that names no column as a string (the DQS trap).
enum SQLiteQuoting {
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    static func literal(_ value: String) -> String {
        "'" + value.replacingAll("'", with: "''") + "'"
    }

    static func text(_ value: String?) -> String { value.map(literal) ?? "NULL" }

    static func bool(_ value: Bool?) -> String { value.map { $0 ? "1" : "0" } ?? "NULL" }
    static func bool(_ value: Bool) -> String { value ? "1" : "0" }
}
