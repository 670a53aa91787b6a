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
        out.section(SQLiteRenderer.catalogTitle, SQLiteRenderer.catalogDDL)
        if options.phase != .privileges {
            out.section("Principals", SQLiteRenderer.principalUpserts(declared.principals))
            out.section("Memberships (the catalog keeps exactly these)", memberships(declared.memberships))
        }
        if options.phase != .principals {
            out.section("Privileges (the catalog keeps exactly these)", grants(declared.grants))
            out.section("Revokes", C.revokes(ir).map(SQLiteRenderer.revokeDelete))
            var title = "Principals not in the policy"
            if !ir.absent.isEmpty { title += " (absent: " + ir.absent.map(\.name).joined(separator: ", ") + ")" }
            out.section(title, [dropUndeclared(declared.principals)])
        }
        if options.transaction { out.blank(); out.line("COMMIT;") }
        return out.text
    }

    func notes() -> [String] {
        var notes = ir.notes
        notes += ir.principals.compactMap(SQLiteRenderer.hostsNote)
        notes += ir.principals.compactMap(SQLiteRenderer.defaultRoleNote)
        notes += ir.principals.compactMap(SQLiteRenderer.passwordNote)
        notes += ir.ownerships.map(SQLiteRenderer.ownershipNote)
        if ir.grants.contains(where: \.grantable) || ir.memberships.contains(where: \.admin) {
            notes.append(SQLiteRenderer.optionsNote)
        }
        return notes
    }

    // MARK: notes (what the catalog does not hold, said once per item; migrations say them per change)

    static func hostsNote(_ p: IRPrincipal) -> String? {
        p.hosts.isEmpty ? nil : "hosts of \(p.name) apply to MySQL/MariaDB accounts only"
    }

    static func defaultRoleNote(_ p: IRPrincipal) -> String? {
        p.defaultRoles == nil ? nil
            : "default role of \(p.name): a connection acting as a principal holds what it inherits from every role; nothing to render"
    }

    static func passwordNote(_ p: IRPrincipal) -> String? {
        p.passwordHashes.isEmpty ? nil
            : "password of \(p.name): SQLite has no authentication (the application says which principal a connection acts as); the verifier is not stored"
    }

    static func ownershipNote(_ o: IROwnership) -> String {
        "\(o.scope.rawValue) \(o.name) owned by \(o.owner): SQLite has no owners; creating, altering and dropping objects of a schema is its CREATE privilege"
    }

    static let optionsNote = "grant and admin options are recorded in the catalog; SQLite has no GRANT statement, so they allow nothing more"

    // MARK: catalog

    static let catalogTitle = "Catalog (rolec's own tables: the RolecSQLite authorizer enforces them; no principal may write them)"

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

    static func upserts(table: String, columns: [String], rows: [String], conflict: [String], update: [String]) -> [String] {
        guard !rows.isEmpty else { return [] }
        let head = "INSERT INTO \(Q.identifier(table)) (\(columns.map(Q.identifier).joined(separator: ", "))) VALUES\n"
        let set = update.map { "\(Q.identifier($0)) = \"excluded\".\(Q.identifier($0))" }.joined(separator: ", ")
        let tail = "\nON CONFLICT (\(conflict.map(Q.identifier).joined(separator: ", "))) DO " + (update.isEmpty ? "NOTHING;" : "UPDATE SET \(set);")
        return chunks(rows).map { head + SQLiteRenderer.valuesList($0) + tail }
    }

    /// `rows` in pieces of at most `rowsPerInsert`.
    static func chunks(_ rows: [String]) -> [[String]] {
        stride(from: 0, to: rows.count, by: rowsPerInsert).map { Array(rows[$0..<min($0 + rowsPerInsert, rows.count)]) }
    }

    /// The key list of a `DELETE ... [NOT] IN`: one column, or a row value compared with `VALUES`.
    static func keyList(keyColumns: [String], keys: [String], negated: Bool) -> String {
        let columns = keyColumns.map(Q.identifier).joined(separator: ", ")
        let op = negated ? "NOT IN" : "IN"
        if keyColumns.count == 1 { return "\(columns) \(op) (\n\(SQLiteRenderer.valuesList(keys)))" }
        return "(\(columns)) \(op) (VALUES\n\(SQLiteRenderer.valuesList(keys)))"
    }

    /// Deletes every row whose key is not among `keys` (the declared rows).
    func keepOnly(table: String, keyColumns: [String], keys: [String]) -> String {
        let name = Q.identifier(table)
        guard !keys.isEmpty else { return "DELETE FROM \(name);" }
        return "DELETE FROM \(name) WHERE \(SQLiteRenderer.keyList(keyColumns: keyColumns, keys: keys, negated: true));"
    }

    /// Deletes the rows with these keys (at most `rowsPerInsert` keys a statement).
    static func deleteKeys(table: String, keyColumns: [String], keys: [String]) -> [String] {
        chunks(keys).map { "DELETE FROM \(Q.identifier(table)) WHERE \(keyList(keyColumns: keyColumns, keys: $0, negated: false));" }
    }

    static func principalUpserts(_ rows: [C.Principal]) -> [String] {
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

    static func membershipKey(_ m: C.Membership) -> String { "(" + Q.literal(m.role) + ", " + Q.literal(m.member) + ")" }

    static func membershipUpserts(_ rows: [C.Membership]) -> [String] {
        let values = rows.map { "(" + [Q.literal($0.role), Q.literal($0.member), Q.bool($0.admin)].joined(separator: ", ") + ")" }
        return upserts(table: C.membershipTable, columns: ["role", "member", "admin"], rows: values, conflict: ["role", "member"], update: ["admin"])
    }

    func memberships(_ rows: [C.Membership]) -> [String] {
        SQLiteRenderer.membershipUpserts(rows)
            + [keepOnly(table: C.membershipTable, keyColumns: ["role", "member"], keys: rows.map(SQLiteRenderer.membershipKey))]
    }

    static let grantKey = ["grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name"]

    static func grantKey(_ g: C.Grant) -> String { "(" + g.key.map(Q.literal).joined(separator: ", ") + ")" }

    static func grantUpserts(_ rows: [C.Grant]) -> [String] {
        let values = rows.map { "(" + ($0.key.map(Q.literal) + [Q.bool($0.grantable)]).joined(separator: ", ") + ")" }
        return upserts(table: C.grantTable, columns: grantKey + ["grantable"], rows: values, conflict: grantKey, update: ["grantable"])
    }

    func grants(_ rows: [C.Grant]) -> [String] {
        SQLiteRenderer.grantUpserts(rows)
            + [keepOnly(table: C.grantTable, keyColumns: SQLiteRenderer.grantKey, keys: rows.map(SQLiteRenderer.grantKey))]
    }

    /// The DELETE of the rows one (grouped) revoke removes.
    static func revokeDelete(_ r: C.Revoke) -> String {
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
