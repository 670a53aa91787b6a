/// `rolec verify` for PostgreSQL: one DO block that reads the catalogs, collects every
/// difference from the policy in an array, and raises one exception listing them all.
/// It changes nothing. Object privileges are read from the ACLs (aclexplode, with
/// acldefault for a NULL ACL), so a grant is "held" when the grantee holds it directly,
/// as the compiled script grants it; test expectations use has_*_privilege and
/// pg_has_role, the server's own effective checks.
extension PostgresDialect {
    public func renderVerification(_ ir: PolicyIR, options: RenderOptions) -> String {
        PostgresVerifier(ir: ir, options: options, dialect: self).render()
    }
}

struct PostgresVerifier {
    let ir: PolicyIR
    let options: RenderOptions
    let dialect: PostgresDialect

    typealias Q = PostgresQuoting
    var version: Int { PostgresDialect.number(ir.serverVersion) }

    func render() -> String {
        var out = ScriptWriter()
        out.header(dialect: dialect.displayName, version: ir.serverVersion, phase: options.phase?.rawValue, sources: options.sources)
        out.line("-- verify: changes nothing; raises one exception listing every difference between this database and the policy.")
        out.line("-- Run it in the database the script was applied to (object privileges live in each database).")
        out.blank()
        var body: [String] = []
        if options.phase != .privileges {
            body += principals()
            body += passwords()
            body += settings()
            body += memberships()
        }
        if options.phase != .principals {
            body += ownership()
            body += objectChecks(ir.grants, held: true)
            body += defaultChecks(ir.defaultGrants, held: true)
            body += objectChecks(ir.revokes, held: false)
            body += defaultChecks(ir.defaultRevokes, held: false)
            body += absent()
        }
        if options.phase == nil { body += tests() }
        let text = """
        DECLARE
          problems text[] := ARRAY[]::text[];
          mismatched text[];
        BEGIN
        \(body.map { "  " + $0.replacingAll("\n", with: "\n  ") }.joined(separator: "\n"))
          IF cardinality(problems) > 0 THEN
            RAISE EXCEPTION 'rolec verify: % difference(s) between the database and the policy:%', cardinality(problems),
              E'\\n  - ' || array_to_string(problems, E'\\n  - ')
              USING ERRCODE = 'P0001', HINT = 'apply the compiled script again, or change the policy';
          END IF;
        END
        """
        let tag = Q.dollarTag(for: text)
        out.line("DO \(tag)")
        out.line(text)
        out.line("\(tag);")
        return out.text
    }

    func add(_ message: String) -> String { "problems := problems || \(Q.literal(message))::text;" }

    // MARK: principals

    func principals() -> [String] {
        var out: [String] = []
        for p in ir.principals {
            var checks: [String] = []
            func flag(_ value: Bool?, _ column: String, _ word: String) {
                guard let value else { return }
                checks.append("CASE WHEN r.\(column) IS DISTINCT FROM \(value) THEN \(Q.literal((value ? "" : "NO") + word + " expected")) END")
            }
            flag(p.login, "rolcanlogin", "LOGIN")
            flag(p.superuser, "rolsuper", "SUPERUSER")
            flag(p.createdb, "rolcreatedb", "CREATEDB")
            flag(p.createrole, "rolcreaterole", "CREATEROLE")
            flag(p.replication, "rolreplication", "REPLICATION")
            flag(p.bypassrls, "rolbypassrls", "BYPASSRLS")
            flag(p.inherit, "rolinherit", "INHERIT")
            if let limit = p.connectionLimit {
                checks.append("CASE WHEN r.rolconnlimit IS DISTINCT FROM \(limit) THEN 'CONNECTION LIMIT ' || r.rolconnlimit || ', expected \(limit)' END")
            }
            if let until = p.validUntil {
                checks.append("CASE WHEN r.rolvaliduntil IS DISTINCT FROM \(Q.literal(until))::timestamptz THEN 'VALID UNTIL ' || coalesce(r.rolvaliduntil::text, 'unset') || ', expected ' || \(Q.literal(until)) END")
            }
            if let comment = p.comment {
                let expected = comment.isEmpty ? "NULL::text" : Q.literal(comment)
                checks.append("CASE WHEN pg_catalog.shobj_description(r.oid, 'pg_authid') IS DISTINCT FROM \(expected) THEN 'comment differs' END")
            }
            let name = Q.literal(p.name)
            let missing = add("role \(p.name) does not exist")
            if checks.isEmpty {
                out.append("IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = \(name)) THEN\n  \(missing)\nEND IF;")
                continue
            }
            out.append("""
            SELECT array_remove(ARRAY[\(checks.joined(separator: ",\n    "))], NULL) INTO mismatched
            FROM pg_catalog.pg_roles r WHERE r.rolname = \(name);
            IF NOT FOUND THEN
              \(missing)
            ELSIF cardinality(mismatched) > 0 THEN
              problems := problems || (\(Q.literal("role \(p.name): ")) || array_to_string(mismatched, '; '));
            END IF;
            """)
        }
        return out
    }

    /// The stored verifier of each principal whose password the policy manages: the one
    /// the script sets (`ALTER ROLE ... PASSWORD 'verifier'` stores it as given). Only a
    /// superuser can read pg_authid; anyone else gets a NOTICE that passwords were not
    /// checked instead of a false alarm.
    func passwords() -> [String] {
        ir.principals.compactMap { p in
            guard let verifier = PostgresRenderer.password(p, dialect) else { return nil }
            let name = Q.literal(p.name)
            return """
            IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = \(name)) THEN
              IF pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') THEN
                IF NOT EXISTS (SELECT FROM pg_catalog.pg_authid WHERE rolname = \(name) AND rolpassword = \(Q.literal(verifier))) THEN
                  \(add("role \(p.name): password is not the declared verifier"))
                END IF;
              ELSE
                RAISE NOTICE 'rolec verify: the password of % is not checked: only a superuser can read pg_authid', \(name);
              END IF;
            END IF;
            """
        }
    }

    func settings() -> [String] {
        ir.settings.map { s in
            let value = s.values.count == 1 ? " AND substr(c, strpos(c, '=') + 1) = \(Q.literal(s.values[0]))" : ""
            let database = s.database.map { "(SELECT oid FROM pg_catalog.pg_database WHERE datname = \(Q.literal($0)))" } ?? "0"
            let scope = s.database.map { " in database \($0)" } ?? ""
            return """
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole,
                           unnest(s.setconfig) AS c
                           WHERE r.rolname = \(Q.literal(s.role)) AND s.setdatabase = \(database)
                             AND lower(split_part(c, '=', 1)) = lower(\(Q.literal(s.name)))\(value)) THEN
              \(add("setting \(s.name) of role \(s.role)\(scope) is not \(s.values.joined(separator: ", "))"))
            END IF;
            """
        }
    }

    func memberships() -> [String] {
        ir.memberships.map { m in
            var conditions: [String] = []
            var options: [String] = []
            if m.admin { conditions.append("m.admin_option"); options.append("admin option") }
            if version >= 16 {
                if let inherit = m.inherit { conditions.append("m.inherit_option = \(inherit)"); options.append("inherit \(inherit)") }
                if let set = m.set { conditions.append("m.set_option = \(set)"); options.append("set \(set)") }
            }
            let extra = conditions.map { " AND " + $0 }.joined()
            let with = options.isEmpty ? "" : " with " + options.joined(separator: ", ")
            return """
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
                           JOIN pg_catalog.pg_roles u ON u.oid = m.member
                           WHERE r.rolname = \(Q.literal(m.role)) AND u.rolname = \(Q.literal(m.member))\(extra)) THEN
              \(add("membership: \(m.member) is not a member of \(m.role)\(with)"))
            END IF;
            """
        }
    }

    // MARK: privileges

    func ownership() -> [String] {
        ir.ownerships.map { o in
            let (catalog, nameColumn, ownerColumn) = o.scope == .schema ? ("pg_namespace", "nspname", "nspowner") : ("pg_database", "datname", "datdba")
            return """
            IF NOT EXISTS (SELECT FROM pg_catalog.\(catalog) x JOIN pg_catalog.pg_roles r ON r.oid = x.\(ownerColumn)
                           WHERE x.\(nameColumn) = \(Q.literal(o.name)) AND r.rolname = \(Q.literal(o.owner))) THEN
              \(add("\(o.scope.rawValue) \(o.name) is not owned by \(o.owner)"))
            END IF;
            """
        }
    }

    static let granteeOID = "CASE WHEN e.grantee IS NULL THEN 0::oid ELSE (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = e.grantee) END"

    /// The ACL entry test: held (with the grant option when declared) or, for revokes, held at all.
    static func aclTest(_ acl: String, held: Bool) -> String {
        let grantable = held ? " AND (a.is_grantable OR NOT e.grantable)" : ""
        return "\(held ? "NOT " : "")EXISTS (SELECT FROM aclexplode(\(acl)) a WHERE a.grantee = \(granteeOID) AND a.privilege_type = e.privilege\(grantable))"
    }

    func objectChecks(_ facts: [IRGrant], held: Bool) -> [String] {
        var single: [String] = []
        var bulk: [String] = []
        let verb = held ? "missing grant" : "revoked but held"
        for fact in facts {
            let who = fact.grantee.display
            let option = held && fact.grantable ? " with grant option" : ""
            let grantee = fact.grantee.name.map(Q.literal) ?? "NULL::text"
            let grantable = fact.grantable ? "true" : "false"
            let kind: String, object: String
            switch fact.object {
            case .database(let n): (kind, object) = ("d", n)
            case .schema(let n): (kind, object) = ("n", n)
            case .server: continue
            case .relation(_, let s, let n): (kind, object) = (fact.column == nil ? "r" : "c", Q.qualified(s, n))
            case .routine(_, let s, let n, let args):
                if let args { (kind, object) = ("f", Q.qualified(s, n) + "(" + args.joined(separator: ", ") + ")") } else { (kind, object) = ("p", Q.qualified(s, n)) }
            case .allInSchema(let k, let s):
                let rest = " (all \(k.rawValue) in schema \(s)) \(held ? "to" : "from") \(who)\(option)"
                let message = "\(verb): \(fact.privilege) on %s" + rest.replacingAll("%", with: "%%")
                bulk.append("(\(bulk.count + 1), \(Q.literal(s)), \(Q.literal(k.rawValue)), \(grantee), \(Q.literal(fact.privilege)), \(grantable), \(Q.literal(message)))")
                continue
            }
            let column = fact.column.map { " (\($0))" } ?? ""
            let message = "\(verb): \(fact.privilege)\(column) on \(fact.object.display) \(held ? "to" : "from") \(who)\(option)"
            single.append("(\(single.count + 1), \(Q.literal(kind)), \(Q.literal(object)), \(fact.column.map(Q.literal) ?? "NULL::text"), \(grantee), \(Q.literal(fact.privilege)), \(grantable), \(Q.literal(message)))")
        }
        var out: [String] = []
        if !single.isEmpty {
            let acl = """
            CASE e.kind
                  WHEN 'd' THEN (SELECT coalesce(datacl, acldefault('d', datdba)) FROM pg_catalog.pg_database WHERE datname = e.obj)
                  WHEN 'n' THEN (SELECT coalesce(nspacl, acldefault('n', nspowner)) FROM pg_catalog.pg_namespace WHERE nspname = e.obj)
                  WHEN 'r' THEN (SELECT coalesce(relacl, acldefault(CASE WHEN relkind = 'S' THEN 's' ELSE 'r' END::"char", relowner))
                                 FROM pg_catalog.pg_class WHERE oid = to_regclass(e.obj))
                  WHEN 'c' THEN (SELECT attacl FROM pg_catalog.pg_attribute
                                 WHERE attrelid = to_regclass(e.obj) AND attname = e.col AND attnum > 0 AND NOT attisdropped)
                  WHEN 'f' THEN (SELECT coalesce(proacl, acldefault('f', proowner)) FROM pg_catalog.pg_proc WHERE oid = to_regprocedure(e.obj))
                  ELSE (SELECT coalesce(proacl, acldefault('f', proowner)) FROM pg_catalog.pg_proc WHERE oid = to_regproc(e.obj))
                END
            """
            out.append("""
            problems := problems || ARRAY(
              SELECT e.what FROM (VALUES
                \(single.joined(separator: ",\n    "))
              ) AS e(n, kind, obj, col, grantee, privilege, grantable, what)
              WHERE \(PostgresVerifier.aclTest(acl, held: held))
              ORDER BY e.n);
            """)
        }
        if !bulk.isEmpty {
            out.append("""
            problems := problems || ARRAY(
              SELECT format(e.what, o.name) FROM (VALUES
                \(bulk.joined(separator: ",\n    "))
              ) AS e(n, schema, kind, grantee, privilege, grantable, what)
              CROSS JOIN LATERAL (
                SELECT CASE WHEN c.relkind = 'S' THEN 'sequence ' ELSE 'table ' END || c.oid::regclass::text AS name,
                       coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS acl
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
                WHERE s.nspname = e.schema
                  AND ((e.kind = 'tables' AND c.relkind IN ('r', 'v', 'm', 'f', 'p')) OR (e.kind = 'sequences' AND c.relkind = 'S'))
                UNION ALL
                SELECT CASE WHEN p.prokind = 'p' THEN 'procedure ' ELSE 'function ' END || p.oid::regprocedure::text,
                       coalesce(p.proacl, acldefault('f', p.proowner))
                FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace s ON s.oid = p.pronamespace
                WHERE s.nspname = e.schema
                  AND ((e.kind IN ('functions', 'routines') AND p.prokind <> 'p') OR (e.kind IN ('procedures', 'routines') AND p.prokind = 'p'))
              ) AS o
              WHERE \(PostgresVerifier.aclTest("o.acl", held: held))
              ORDER BY e.n, o.name);
            """)
        }
        return out
    }

    func defaultChecks(_ facts: [IRDefaultGrant], held: Bool) -> [String] {
        guard !facts.isEmpty else { return [] }
        let verb = held ? "missing default privilege" : "revoked default privilege held"
        var rows: [String] = []
        for fact in facts {
            let objtype: String
            switch fact.kind {
            case .tables: objtype = "r"
            case .sequences: objtype = "S"
            case .functions: objtype = "f"
            }
            let creator = fact.creator ?? "the role running the script"
            let scope = fact.schema.map { " in schema \($0)" } ?? ""
            let option = held && fact.grantable ? " with grant option" : ""
            let message = "\(verb): \(fact.privilege) on future \(fact.kind.rawValue) created by \(creator)\(scope) \(held ? "to" : "from") \(fact.grantee.display)\(option)"
            rows.append("(\(rows.count + 1), \(fact.creator.map(Q.literal) ?? "NULL::text"), \(fact.schema.map(Q.literal) ?? "NULL::text"), \(Q.literal(objtype)), \(fact.grantee.name.map(Q.literal) ?? "NULL::text"), \(Q.literal(fact.privilege)), \(fact.grantable), \(Q.literal(message)))")
        }
        let acl = """
        CASE WHEN e.schema IS NULL THEN
                coalesce((SELECT d.defaclacl FROM pg_catalog.pg_default_acl d
                          WHERE d.defaclrole = cr.oid AND d.defaclnamespace = 0 AND d.defaclobjtype = e.objtype::"char"),
                         acldefault(CASE WHEN e.objtype = 'S' THEN 's' ELSE e.objtype END::"char", cr.oid))
              ELSE (SELECT d.defaclacl FROM pg_catalog.pg_default_acl d JOIN pg_catalog.pg_namespace s ON s.oid = d.defaclnamespace
                    WHERE d.defaclrole = cr.oid AND s.nspname = e.schema AND d.defaclobjtype = e.objtype::"char")
            END
        """
        return ["""
        problems := problems || ARRAY(
          SELECT e.what FROM (VALUES
            \(rows.joined(separator: ",\n    "))
          ) AS e(n, creator, schema, objtype, grantee, privilege, grantable, what)
          LEFT JOIN LATERAL (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = coalesce(e.creator, current_user::text)) AS cr ON true
          WHERE \(PostgresVerifier.aclTest(acl, held: held))
          ORDER BY e.n);
        """]
    }

    func absent() -> [String] {
        ir.absent.map { a in
            "IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = \(Q.literal(a.name))) THEN\n  \(add("role \(a.name) still exists but the policy declares it absent"))\nEND IF;"
        }
    }

    // MARK: tests

    /// Each expectation of the policy's `test` blocks, checked by the server's own
    /// privilege functions (effective privileges: memberships, PUBLIC, ownership).
    func tests() -> [String] {
        var out: [String] = []
        for test in ir.tests {
            for expectation in test.expectations {
                switch expectation {
                case .member(let principal, let isMember, let role):
                    let call = "pg_has_role(\(Q.literal(principal)), \(Q.literal(role)), 'MEMBER')"
                    let what = "test '\(test.title)': expected \(principal) \(isMember ? "" : "not ")member of \(role)"
                    out.append(check(call, expected: isMember, what))
                case .privilege(let principal, let can, let privileges, let object):
                    for privilege in privileges {
                        let what = "test '\(test.title)': expected \(principal) \(can ? "can" : "cannot") \(privilege.lowercased()) on \(object.display)"
                        guard let call = privilegeCall(principal, privilege, object, can: can) else {
                            // Said, never skipped silently.
                            out.append("-- note: \(what) is not checked: PostgreSQL has no privilege on the whole server")
                            continue
                        }
                        out.append(check(call, expected: can, what))
                    }
                }
            }
        }
        return out
    }

    func check(_ call: String, expected: Bool, _ what: String) -> String {
        """
        BEGIN
          IF \(call) IS DISTINCT FROM \(expected) THEN
            \(add(what))
          END IF;
        EXCEPTION WHEN OTHERS THEN
          problems := problems || (\(Q.literal(what + " (cannot check: ")) || SQLERRM || ')');
        END;
        """
    }

    /// The server's answer for one expectation. `all KIND in schema S` means every object
    /// of that kind that exists in S: `can` holds when each has it (none: vacuously),
    /// `cannot` when none has it.
    func privilegeCall(_ principal: String, _ privilege: String, _ object: IRObject, can: Bool) -> String? {
        let p = Q.literal(principal), priv = Q.literal(privilege)
        switch object {
        case .database(let n): return "has_database_privilege(\(p), \(Q.literal(n)), \(priv))"
        case .schema(let n): return "has_schema_privilege(\(p), \(Q.literal(n)), \(priv))"
        case .relation(.sequence, let s, let n): return "has_sequence_privilege(\(p), to_regclass(\(Q.literal(Q.qualified(s, n))))::oid, \(priv))"
        case .relation(_, let s, let n): return "has_table_privilege(\(p), to_regclass(\(Q.literal(Q.qualified(s, n))))::oid, \(priv))"
        case .routine(_, let s, let n, let args?):
            return "has_function_privilege(\(p), to_regprocedure(\(Q.literal(Q.qualified(s, n) + "(" + args.joined(separator: ", ") + ")")))::oid, \(priv))"
        case .routine(_, let s, let n, nil):
            return "has_function_privilege(\(p), to_regproc(\(Q.literal(Q.qualified(s, n))))::oid, \(priv))"
        case .allInSchema(let kind, let schema):
            let each: String, from: String
            switch kind {
            case .tables:
                each = "has_table_privilege(\(p), c.oid, \(priv))"
                from = "pg_catalog.pg_class c WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND c.relnamespace"
            case .sequences:
                each = "has_sequence_privilege(\(p), c.oid, \(priv))"
                from = "pg_catalog.pg_class c WHERE c.relkind = 'S' AND c.relnamespace"
            case .functions, .procedures, .routines:
                let kinds = kind == .functions ? "'f'" : kind == .procedures ? "'p'" : "'f', 'p'"
                each = "has_function_privilege(\(p), c.oid, \(priv))"
                from = "pg_catalog.pg_proc c WHERE c.prokind IN (\(kinds)) AND c.pronamespace"
            }
            let aggregate = can ? "coalesce(bool_and(\(each)), true)" : "coalesce(bool_or(\(each)), false)"
            return "(SELECT \(aggregate) FROM \(from) = to_regnamespace(\(Q.literal(schema)))::oid)"
        case .server: return nil
        }
    }
}
