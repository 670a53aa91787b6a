/// `rolec verify` for SQLite. SQLite has no procedural blocks and RAISE() takes only a
/// literal message and only inside a trigger, so the script:
///   1. fills a temporary table `temp.rolec_verify` (id, ok, message) with one row per
///      check of rolec's catalog (each declared principal, membership and grant row,
///      each revoke, and no row the policy does not declare), so that every difference
///      is recorded;
///      Without `--phase`, each expectation of the policy's `test` blocks is a check too:
///      privileges through the view `rolec_effective_grant` (what the authorizer
///      enforces), memberships through a recursive walk of `rolec_membership`;
///   2. inserts into `temp.rolec_verify_outcome`, whose temporary trigger raises
///      `RAISE(ABORT, ...)` with the message of the first failed check (each check's
///      message is a literal of the trigger's CASE), naming the query that lists them all;
///   3. on success drops both temporary tables.
/// The run stops with an error (SQLITE_CONSTRAINT_TRIGGER) on any difference; the rows of
/// `temp.rolec_verify` stay on that connection for inspection.
extension SQLiteDialect {
    public func renderVerification(_ ir: PolicyIR, options: RenderOptions) -> String {
        SQLiteVerifier(ir: ir, options: options, dialect: self).render()
    }
}

struct SQLiteVerifier {
    let ir: PolicyIR
    let options: RenderOptions
    let dialect: SQLiteDialect

    typealias Q = SQLiteQuoting
    typealias C = SQLiteCatalog

    static let table = "rolec_verify"
    static let outcome = "rolec_verify_outcome"
    static let listQuery = "SELECT \"message\" FROM temp.\"rolec_verify\" WHERE NOT \"ok\""

    func render() -> String {
        var out = ScriptWriter()
        out.header(dialect: dialect.displayName, version: ir.serverVersion, phase: options.phase?.rawValue, sources: options.sources)
        out.line("-- verify: changes nothing in the database; fails (RAISE in a temporary trigger) when rolec's catalog differs from the policy.")
        out.line("-- Every difference: \(SQLiteVerifier.listQuery) (on the same connection, after a failed run).")
        out.blank()
        let checks = self.checks()
        let t = Q.identifier(SQLiteVerifier.table), o = Q.identifier(SQLiteVerifier.outcome)
        out.line("DROP TABLE IF EXISTS temp.\(t);")
        out.line("DROP TABLE IF EXISTS temp.\(o);")
        out.line("CREATE TEMP TABLE \(t) (\"id\" INTEGER PRIMARY KEY, \"ok\" INTEGER NOT NULL, \"message\" TEXT NOT NULL);")
        out.line("CREATE TEMP TABLE \(o) (\"done\" INTEGER NOT NULL);")
        let chunk = 200
        for start in stride(from: 0, to: checks.count, by: chunk) {
            let rows = checks[start..<min(start + chunk, checks.count)].enumerated().map { offset, check in
                "  (\(start + offset + 1), \(check.condition), \(Q.literal(check.message)))"
            }
            out.line("INSERT INTO temp.\(t) (\"id\", \"ok\", \"message\") VALUES\n" + rows.joined(separator: ",\n") + ";")
        }
        var trigger = "CREATE TEMP TRIGGER \"rolec_verify_fail\" BEFORE INSERT ON \(o)\n"
        trigger += "WHEN EXISTS (SELECT 1 FROM temp.\(t) WHERE NOT \"ok\")\nBEGIN\n"
        trigger += "  SELECT CASE (SELECT min(\"id\") FROM temp.\(t) WHERE NOT \"ok\")\n"
        for (index, check) in checks.enumerated() {
            let message = "rolec verify: the catalog differs from the policy: \(check.message) (every difference: \(SQLiteVerifier.listQuery))"
            trigger += "    WHEN \(index + 1) THEN RAISE(ABORT, \(Q.literal(message)))\n"
        }
        trigger += "  END;\nEND;"
        out.line(trigger)
        out.line("INSERT INTO temp.\(o) (\"done\") VALUES (1);")
        out.line("DROP TABLE temp.\(o);")
        out.line("DROP TABLE temp.\(t);")
        return out.text
    }

    struct Check { var condition: String; var message: String }

    func checks() -> [Check] {
        let expected = C.expected(ir)
        var checks: [Check] = []
        let principalTable = Q.identifier(C.principalTable), membershipTable = Q.identifier(C.membershipTable), grantTable = Q.identifier(C.grantTable)
        if options.phase != .privileges {
            for p in expected.principals {
                checks.append(Check(condition: "EXISTS (SELECT 1 FROM \(principalTable) WHERE \"name\" = \(Q.literal(p.name)))",
                                    message: "principal \(p.name) is missing"))
                let same = ["\"kind\" = \(Q.literal(p.kind))", "\"external\" = \(Q.bool(p.external))", "\"login\" IS \(Q.bool(p.login))",
                            "\"inherit\" IS \(Q.bool(p.inherit))", "\"valid_until\" IS \(Q.text(p.validUntil))", "\"comment\" IS \(Q.text(p.comment))"]
                checks.append(Check(condition: "NOT EXISTS (SELECT 1 FROM \(principalTable) WHERE \"name\" = \(Q.literal(p.name)) AND NOT (\(same.joined(separator: " AND "))))",
                                    message: "principal \(p.name) differs (kind, external, login, inherit, valid until or comment)"))
            }
            checks.append(Check(condition: "NOT EXISTS (SELECT 1 FROM \(principalTable)" + notIn(["\"name\""], expected.principals.map { [Q.literal($0.name)] }) + ")",
                                message: "rolec_principal holds principals the policy does not declare"))
            for m in expected.memberships {
                checks.append(Check(condition: "EXISTS (SELECT 1 FROM \(membershipTable) WHERE \"role\" = \(Q.literal(m.role)) AND \"member\" = \(Q.literal(m.member)) AND \"admin\" = \(Q.bool(m.admin)))",
                                    message: "membership: \(m.member) is not a member of \(m.role)\(m.admin ? " with admin option" : "")"))
            }
            checks.append(Check(condition: "NOT EXISTS (SELECT 1 FROM \(membershipTable)" + notIn(["\"role\"", "\"member\""], expected.memberships.map { [Q.literal($0.role), Q.literal($0.member)] }) + ")",
                                message: "rolec_membership holds memberships the policy does not declare"))
        }
        if options.phase != .principals {
            let keyColumns = SQLiteRenderer.grantKey.map(Q.identifier)
            for g in expected.grants {
                let match = zip(keyColumns, g.key.map(Q.literal)).map { "\($0) = \($1)" }.joined(separator: " AND ")
                checks.append(Check(condition: "EXISTS (SELECT 1 FROM \(grantTable) WHERE \(match) AND \"grantable\" = \(Q.bool(g.grantable)))",
                                    message: "missing grant: \(g.privilege)\(g.columnName.isEmpty ? "" : " (\(g.columnName))") on \(describe(g)) to \(g.grantee)\(g.grantable ? " with grant option" : "")"))
            }
            for r in C.revokes(ir) {
                func list(_ column: String, _ values: [String]) -> String {
                    "\(Q.identifier(column)) IN (\(values.map(Q.literal).joined(separator: ", ")))"
                }
                var conditions = [list("grantee", r.grantees), list("privilege", r.privileges), list("object_kind", r.objectKinds)]
                if let schema = r.schemaName { conditions.append(list("schema_name", [schema])) }
                if let name = r.objectName { conditions.append(list("object_name", [name])) }
                if let column = r.columnName { conditions.append(list("column_name", [column])) }
                let object = [r.schemaName, r.objectName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ".")
                checks.append(Check(condition: "NOT EXISTS (SELECT 1 FROM \(grantTable) WHERE \(conditions.joined(separator: " AND ")))",
                                    message: "revoked but held: \(r.privileges.joined(separator: ", ")) on \(r.objectKinds[0]) \(object) from \(r.grantees.joined(separator: ", "))"))
            }
            checks.append(Check(condition: "NOT EXISTS (SELECT 1 FROM \(grantTable)" + notIn(keyColumns, expected.grants.map { $0.key.map(Q.literal) }) + ")",
                                message: "rolec_grant holds grants the policy does not declare"))
        }
        if options.phase == nil { checks += testChecks() }
        return checks
    }

    // MARK: tests

    /// One check per expectation of the policy's `test` blocks (one per privilege), on
    /// the effective state: privileges through `rolec_effective_grant` (the principal's
    /// own rows, its inherited roles' and PUBLIC's, as the authorizer reads them),
    /// memberships transitively through `rolec_membership` whatever `inherit` says (as
    /// `rolec test` counts them).
    func testChecks() -> [Check] {
        var checks: [Check] = []
        for test in ir.tests {
            for expectation in test.expectations {
                switch expectation {
                case .member(let principal, let isMember, let role):
                    let held = SQLiteVerifier.memberOf(principal, role)
                    checks.append(Check(condition: isMember ? held : "NOT " + held,
                                        message: "test '\(test.title)': expected \(principal) \(isMember ? "" : "not ")member of \(role)"))
                case .privilege(let principal, let can, let privileges, let object):
                    guard let place = SQLiteVerifier.effectiveObject(object) else { continue }
                    for privilege in privileges {
                        let held = "EXISTS (SELECT 1 FROM \(Q.identifier(C.effectiveGrantView)) WHERE \"principal\" = \(Q.literal(principal)) "
                            + "AND \"privilege\" = \(Q.literal(privilege)) AND \"column_name\" IS NULL AND \(place))"
                        checks.append(Check(condition: can ? held : "NOT " + held,
                                            message: "test '\(test.title)': expected \(principal) \(can ? "can" : "cannot") \(privilege.lowercased()) on \(object.display)"))
                    }
                }
            }
        }
        return checks
    }

    /// `member` is a member of `role`, directly or through other roles.
    static func memberOf(_ member: String, _ role: String) -> String {
        let m = Q.identifier(C.membershipTable)
        return "EXISTS (WITH RECURSIVE \"up\" (\"role\") AS (SELECT \"role\" FROM \(m) WHERE \"member\" = \(Q.literal(member)) "
            + "UNION SELECT \"m\".\"role\" FROM \"up\" JOIN \(m) AS \"m\" ON \"m\".\"member\" = \"up\".\"role\") "
            + "SELECT 1 FROM \"up\" WHERE \"role\" = \(Q.literal(role)))"
    }

    /// The rows of `rolec_effective_grant` that give a privilege on the object, as the
    /// authorizer reads them: a table or view by its name (in `main` when the policy names
    /// no schema, names compared as SQLite compares identifiers) or through all tables of
    /// its schema; nil for objects SQLite's catalog has no place for (lowering refuses them).
    static func effectiveObject(_ object: IRObject) -> String? {
        func same(_ column: String, _ value: String) -> String { "\"\(column)\" = \(Q.literal(value)) COLLATE NOCASE" }
        switch object {
        case .database(let name): return "\"object_kind\" = 'database' AND \"object_name\" = \(Q.literal(name))"
        case .schema(let name): return "\"object_kind\" = 'schema' AND \(same("schema_name", name))"
        case .allInSchema(.tables, let schema): return "\"object_kind\" = 'all tables' AND \(same("schema_name", schema))"
        case .relation(let kind, let schema, let name) where kind != .sequence:
            let s = schema ?? C.defaultSchema
            return "\(same("schema_name", s)) AND (\"object_kind\" = 'all tables' OR (\"object_kind\" IN ('table', 'view') AND \(same("object_name", name))))"
        default: return nil
        }
    }

    func describe(_ g: C.Grant) -> String {
        switch g.objectKind {
        case "database": return "database \(g.objectName)"
        case "schema": return "schema \(g.schemaName)"
        case "all tables": return "all tables in schema \(g.schemaName)"
        default: return "\(g.objectKind) \(g.schemaName).\(g.objectName)"
        }
    }

    /// ` WHERE (columns) NOT IN (VALUES ...)`, or nothing when no row is declared.
    func notIn(_ columns: [String], _ keys: [[String]]) -> String {
        guard !keys.isEmpty else { return "" }
        if columns.count == 1 { return " WHERE \(columns[0]) NOT IN (\(keys.map { $0[0] }.joined(separator: ", ")))" }
        return " WHERE (\(columns.joined(separator: ", "))) NOT IN (VALUES \(keys.map { "(" + $0.joined(separator: ", ") + ")" }.joined(separator: ", ")))"
    }
}
