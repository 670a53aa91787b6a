import Rolec

extension SQLiteConnection {
    /// Whether the database holds rolec's catalog.
    public func hasCatalog() throws -> Bool {
        let rows = try query("SELECT count(*) FROM \"main\".\"sqlite_master\" WHERE \"type\" = 'table' AND \"name\" IN (?, ?, ?)",
                             [.text(SQLiteCatalog.principalTable), .text(SQLiteCatalog.membershipTable), .text(SQLiteCatalog.grantTable)])
        return rows.first?.first?.integer == 3
    }

    /// Reads rolec's catalog back (rows as the renderer writes them).
    public func readCatalog() throws -> SQLiteCatalog {
        func bool(_ value: SQLiteValue) throws -> Bool? {
            switch value {
            case .null: return nil
            case .integer(let i) where i == 0 || i == 1: return i == 1
            default: throw SQLiteError(code: 0, message: "rolec catalog: \(value) is not 0, 1 or NULL")
            }
        }
        func text(_ value: SQLiteValue) throws -> String {
            guard let s = value.text else { throw SQLiteError(code: 0, message: "rolec catalog: \(value) is not text") }
            return s
        }
        let principals = try query("""
            SELECT "name", "kind", "external", "login", "inherit", "valid_until", "comment" FROM "main"."rolec_principal"
            """).map { r in
            SQLiteCatalog.Principal(name: try text(r[0]), kind: try text(r[1]), external: try bool(r[2]) ?? false,
                                    login: try bool(r[3]), inherit: try bool(r[4]), validUntil: r[5].text, comment: r[6].text)
        }
        let memberships = try query("SELECT \"role\", \"member\", \"admin\" FROM \"main\".\"rolec_membership\"").map { r in
            SQLiteCatalog.Membership(role: try text(r[0]), member: try text(r[1]), admin: try bool(r[2]) ?? false)
        }
        let grants = try query("""
            SELECT "grantee", "privilege", "object_kind", "schema_name", "object_name", "column_name", "grantable" FROM "main"."rolec_grant"
            """).map { r in
            SQLiteCatalog.Grant(grantee: try text(r[0]), privilege: try text(r[1]), objectKind: try text(r[2]), schemaName: try text(r[3]),
                                objectName: try text(r[4]), columnName: try text(r[5]), grantable: try bool(r[6]) ?? false)
        }
        return SQLiteCatalog(principals: principals, memberships: memberships, grants: grants)
    }

    /// A principal's effective privileges as `rolec_effective_grant` computes them.
    public func effectiveGrants(of principal: String) throws -> [SQLitePrivileges.Row] {
        try query("""
            SELECT DISTINCT "privilege", "object_kind", coalesce("schema_name", ''), coalesce("object_name", ''), coalesce("column_name", '')
            FROM "main"."rolec_effective_grant" WHERE "principal" = ?
            """, [.text(principal)]).map { r in
            SQLitePrivileges.Row(privilege: r[0].text ?? "", objectKind: r[1].text ?? "", schema: r[2].text ?? "",
                                 object: r[3].text ?? "", column: r[4].text ?? "")
        }
    }
}
