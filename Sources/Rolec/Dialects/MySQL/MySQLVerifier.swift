/// `rolec verify` for MySQL and MariaDB: reads the grant tables (mysql.user /
/// mysql.global_priv, roles_mapping or role_edges, db, tables_priv, columns_priv,
/// procs_priv), collects every difference from the policy in a string and ends with
/// `SIGNAL SQLSTATE '45000'` naming them. Without `--phase`, each expectation of the
/// policy's `test` blocks is checked too, on the effective state (`verifyTests`).
/// MariaDB runs it as one anonymous compound
/// statement (`BEGIN NOT ATOMIC`); MySQL 8 has none, so the checks live in a procedure
/// `rolec_verify` created in the session's current database, called and dropped.
extension MySQLDialect {
    public func renderVerification(_ ir: PolicyIR, options: RenderOptions) -> String {
        MySQLRenderer(ir: ir, options: options, dialect: self).renderVerification()
    }
}

extension MySQLRenderer {
    /// SIGNAL's MESSAGE_TEXT holds 128 characters on MySQL, 512 on MariaDB; the full
    /// list is also returned as a result set just before.
    var messageLimit: Int { maria ? 512 : 128 }

    func renderVerification() -> String {
        var out = ScriptWriter()
        out.header(dialect: dialect.displayName, version: ir.serverVersion, phase: options.phase?.rawValue, sources: options.sources)
        out.line("-- verify: changes no grant; fails with SQLSTATE 45000 (SIGNAL) listing every difference between the server and the policy.")
        if !maria {
            out.line("-- MySQL has no anonymous blocks: the checks are a procedure rolec_verify in the current database (USE one first),")
            out.line("-- dropped after a successful run; a failed run leaves it, and the next run replaces it.")
        }
        let tests = options.phase == nil ? verifyTests() : (checks: [], unchecked: [])
        for note in tests.unchecked { out.line("-- note: \(note)") }
        out.line("SET SESSION sql_mode = '\(maria ? "NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER" : "NO_BACKSLASH_ESCAPES")';")
        var body: [String] = []
        if options.phase != .privileges {
            body += verifyAccounts()
            body += verifyMemberships()
        }
        if options.phase != .principals {
            body += verifyPrivileges(ir.grants, held: true)
            body += verifyPrivileges(ir.revokes.filter { maria || $0.grantee != .publicRole }, held: false)
            body += verifyAbsent()
        }
        body += tests.checks
        var lines = ["  DECLARE problems LONGTEXT DEFAULT '';", "  DECLARE total INT DEFAULT 0;", "  DECLARE summary VARCHAR(\(messageLimit));"]
        lines += body.map { "  " + $0 }
        lines += [
            "  IF total > 0 THEN",
            "    SELECT CONCAT('rolec verify: ', total, ' difference(s)', problems) AS rolec_verify;",
            "    SET summary = LEFT(CONCAT('rolec verify: ', total, ' difference(s) between the server and the policy:', problems), \(messageLimit));",
            "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = summary;",
            "  END IF;",
        ]
        out.line("DELIMITER //")
        if maria {
            out.line("BEGIN NOT ATOMIC")
        } else {
            out.line("DROP PROCEDURE IF EXISTS `rolec_verify`//")
            out.line("CREATE PROCEDURE `rolec_verify`()")
            out.line("BEGIN")
        }
        for line in lines { out.line(line) }
        out.line("END//")
        if !maria {
            out.line("CALL `rolec_verify`()//")
            out.line("DROP PROCEDURE `rolec_verify`//")
        }
        out.line("DELIMITER ;")
        return out.text
    }

    /// One check: when `condition` is false, the message joins the list.
    func expect(_ condition: String, _ message: String) -> String {
        "IF NOT (\(condition)) THEN SET problems = CONCAT(problems, CHAR(10 USING utf8mb4), '  - ', \(Q.literal(message))), total = total + 1; END IF;"
    }

    /// (user, host) rows of the grant tables a principal stands for.
    func rawAccounts(_ ref: PrincipalRef) -> [(user: String, host: String)] {
        guard let name = ref.name else { return [("PUBLIC", "")] }
        if let p = principal(name), isUser(p) { return hosts(p).map { (name, $0) } }
        return [(name, maria ? "" : "%")]
    }

    func display(_ account: (user: String, host: String)) -> String {
        account.host.isEmpty ? account.user : "'\(account.user)'@'\(account.host)'"
    }

    func whereAccount(_ account: (user: String, host: String), user: String = "User", host: String = "Host") -> String {
        "\(user) = \(Q.literal(account.user)) AND \(host) = \(Q.literal(account.host))"
    }

    func verifyAccounts() -> [String] {
        var out: [String] = []
        for p in ir.principals {
            for account in rawAccounts(PrincipalRef(name: p.name)) {
                let role = !isUser(p)
                let kind = role && maria ? " AND is_role = 'Y'" : ""
                out.append(expect("EXISTS (SELECT 1 FROM mysql.user WHERE \(whereAccount(account))\(kind))",
                                  "\(role ? "role" : "account") \(display(account)) does not exist"))
                if !role, let verifier = verifier(p) {
                    out.append(expect("EXISTS (SELECT 1 FROM mysql.user WHERE \(whereAccount(account)) AND \(storedVerifier(verifier)))",
                                      "account \(display(account)): password is not the declared verifier"))
                }
                if !role, let limit = p.connectionLimit {
                    out.append(expect("EXISTS (SELECT 1 FROM mysql.user WHERE \(whereAccount(account)) AND max_user_connections = \(max(0, limit)))",
                                      "account \(display(account)) does not have MAX_USER_CONNECTIONS \(max(0, limit))"))
                }
            }
        }
        for umbrella in umbrellaRoles() {
            out.append(expect("EXISTS (SELECT 1 FROM mysql.user WHERE User = \(Q.literal(umbrella.umbrella)) AND Host = '' AND is_role = 'Y')",
                              "role \(umbrella.umbrella) (default roles of \(umbrella.user)) does not exist"))
        }
        return out
    }

    /// The grant-table condition for an account holding `verifier` as `authentication`
    /// sets it: the plugin, and the string stored as given (`AS '...'`, `BY PASSWORD`,
    /// `USING`), compared as bytes; a `0x...` caching_sha2 verifier by its hex digits.
    func storedVerifier(_ verifier: String) -> String {
        let plugin = Self.authenticationPlugin(verifier)
        let stored = verifier.hasPrefix("0x")
            ? "HEX(authentication_string) = \(Q.literal(String(verifier.dropFirst(2)).uppercased()))"
            : "CAST(authentication_string AS BINARY) = CAST(\(Q.literal(verifier)) AS BINARY)"
        return "plugin = \(Q.literal(plugin)) AND \(stored)"
    }

    func membershipCheck(role: String, member: (user: String, host: String), admin: Bool) -> String {
        let adminCondition = admin ? (maria ? " AND Admin_option = 'Y'" : " AND WITH_ADMIN_OPTION = 'Y'") : ""
        let message = "membership: \(display(member)) is not a member of \(role)\(admin ? " with admin option" : "")"
        if maria {
            return expect("EXISTS (SELECT 1 FROM mysql.roles_mapping WHERE \(whereAccount(member)) AND Role = \(Q.literal(role))\(adminCondition))", message)
        }
        return expect("EXISTS (SELECT 1 FROM mysql.role_edges WHERE FROM_USER = \(Q.literal(role)) AND FROM_HOST = '%' AND "
                      + whereAccount(member, user: "TO_USER", host: "TO_HOST") + adminCondition + ")", message)
    }

    func verifyMemberships() -> [String] {
        var out: [String] = []
        for m in ir.memberships {
            for member in rawAccounts(PrincipalRef(name: m.member)) {
                out.append(membershipCheck(role: m.role, member: member, admin: m.admin))
            }
        }
        guard maria else { return out }
        for umbrella in umbrellaRoles() {
            for role in umbrella.roles { out.append(membershipCheck(role: role, member: (umbrella.umbrella, ""), admin: false)) }
            for member in rawAccounts(PrincipalRef(name: umbrella.user)) {
                out.append(membershipCheck(role: umbrella.umbrella, member: member, admin: false))
            }
        }
        // The default role each account activates at login.
        for p in ir.principals where isUser(p) && (!p.external || p.defaultRoles != nil) {
            guard let roles = loginRoles(p) else { continue }
            let expected = roles.count == 0 ? "" : roles.count == 1 ? roles[0] : MySQLDialect.umbrellaName(for: p.name)
            for account in rawAccounts(PrincipalRef(name: p.name)) {
                out.append(expect("EXISTS (SELECT 1 FROM mysql.user WHERE \(whereAccount(account)) AND default_role = \(Q.literal(expected)))",
                                  "default role of \(display(account)) is not \(expected.isEmpty ? "NONE" : expected)"))
            }
        }
        return out
    }

    static let databaseColumns: [String: String] = [
        "SELECT": "Select_priv", "INSERT": "Insert_priv", "UPDATE": "Update_priv", "DELETE": "Delete_priv", "CREATE": "Create_priv",
        "DROP": "Drop_priv", "GRANT OPTION": "Grant_priv", "REFERENCES": "References_priv", "INDEX": "Index_priv", "ALTER": "Alter_priv",
        "CREATE TEMPORARY TABLES": "Create_tmp_table_priv", "LOCK TABLES": "Lock_tables_priv", "CREATE VIEW": "Create_view_priv",
        "SHOW VIEW": "Show_view_priv", "CREATE ROUTINE": "Create_routine_priv", "ALTER ROUTINE": "Alter_routine_priv",
        "EXECUTE": "Execute_priv", "EVENT": "Event_priv", "TRIGGER": "Trigger_priv", "DELETE HISTORY": "Delete_history_priv",
    ]

    /// MariaDB 10.11 `global_priv.Priv.access` bits, in bit order (sql/privilege.h).
    static let mariadbGlobalBits: [String] = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS", "FILE",
        "GRANT OPTION", "REFERENCES", "INDEX", "ALTER", "SHOW DATABASES", "SUPER", "CREATE TEMPORARY TABLES",
        "LOCK TABLES", "EXECUTE", "REPLICATION SLAVE", "BINLOG MONITOR", "CREATE VIEW", "SHOW VIEW",
        "CREATE ROUTINE", "ALTER ROUTINE", "CREATE USER", "EVENT", "TRIGGER", "CREATE TABLESPACE",
        "DELETE HISTORY", "SET USER", "FEDERATED ADMIN", "CONNECTION ADMIN", "READ_ONLY ADMIN",
        "REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN", "BINLOG ADMIN", "BINLOG REPLAY", "SLAVE MONITOR",
    ]

    /// A member of a tables_priv / columns_priv / procs_priv SET.
    static func setMember(_ privilege: String) -> String {
        switch privilege {
        case "DELETE HISTORY": return "Delete versioning rows"
        case "SHOW VIEW": return "Show view"
        case "GRANT OPTION": return "Grant"
        default:
            return privilege.lowercased().split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        }
    }

    /// The condition that `account` holds `privilege` on `object` (column) at the level the
    /// script grants it; nil when the level has no check here.
    func holds(_ account: (user: String, host: String), _ privilege: String, _ object: IRObject, column: String?) -> String? {
        let who = whereAccount(account)
        func schemaName(_ s: String?) -> String { s.map(Q.literal) ?? "DATABASE()" }
        switch object {
        case .database: return nil
        case .schema(let s), .allInSchema(_, let s):
            guard let column = MySQLRenderer.databaseColumns[privilege] else { return nil }
            let pattern = s.replacingAll("\\", with: "\\\\").replacingAll("_", with: "\\_").replacingAll("%", with: "\\%")
            return "EXISTS (SELECT 1 FROM mysql.db WHERE \(who) AND Db = \(Q.literal(pattern)) AND \(column) = 'Y')"
        case .server:
            if maria {
                guard let bit = MySQLRenderer.mariadbGlobalBits.firstIndex(of: privilege) else { return nil }
                return "EXISTS (SELECT 1 FROM mysql.global_priv WHERE \(who) AND (CAST(IFNULL(JSON_VALUE(Priv, '$.access'), '0') AS UNSIGNED) & \(UInt64(1) << UInt64(bit))) <> 0)"
            }
            let grantee = Q.literal("'\(account.user)'@'\(account.host)'")
            let name = privilege == "GRANT OPTION" ? "" : " AND PRIVILEGE_TYPE = \(Q.literal(privilege))"
            let grantable = privilege == "GRANT OPTION" ? " AND IS_GRANTABLE = 'YES'" : ""
            return "EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = \(grantee)\(name)\(grantable))"
        case .relation(let kind, let s, let n):
            if kind == .sequence && !maria { return nil }
            // A column grant's grant option is kept at table level (tables_priv).
            if let column, privilege != "GRANT OPTION" {
                return "EXISTS (SELECT 1 FROM mysql.columns_priv WHERE \(who) AND Db = \(schemaName(s)) AND Table_name = \(Q.literal(n)) AND Column_name = \(Q.literal(column)) AND FIND_IN_SET(\(Q.literal(MySQLRenderer.setMember(privilege))), Column_priv) > 0)"
            }
            return "EXISTS (SELECT 1 FROM mysql.tables_priv WHERE \(who) AND Db = \(schemaName(s)) AND Table_name = \(Q.literal(n)) AND FIND_IN_SET(\(Q.literal(MySQLRenderer.setMember(privilege))), Table_priv) > 0)"
        case .routine(let kind, let s, let n, _):
            return "EXISTS (SELECT 1 FROM mysql.procs_priv WHERE \(who) AND Db = \(schemaName(s)) AND Routine_name = \(Q.literal(n)) AND Routine_type = \(Q.literal(kind == .function ? "FUNCTION" : "PROCEDURE")) AND FIND_IN_SET(\(Q.literal(MySQLRenderer.setMember(privilege))), Proc_priv) > 0)"
        }
    }

    func verifyPrivileges(_ facts: [IRGrant], held: Bool) -> [String] {
        var out: [String] = []
        var seen: Set<String> = []
        for fact in facts {
            guard target(fact.object) != nil else { continue }
            if fact.grantee == .publicRole && !maria { continue }
            for account in rawAccounts(fact.grantee) {
                var names = privilegeNames(fact.privilege, on: fact.object)
                if held && fact.grantable { names.append("GRANT OPTION") }
                for name in names {
                    // A grant option is not taken away by a privilege's revoke.
                    guard let condition = holds(account, name, fact.object, column: fact.column) else { continue }
                    let column = fact.column.map { " (\($0))" } ?? ""
                    let message = held
                        ? "missing grant: \(name)\(column) on \(fact.object.display) to \(display(account))"
                        : "revoked but held: \(name)\(column) on \(fact.object.display) from \(display(account))"
                    let check = held ? expect(condition, message) : expect("NOT " + condition, message)
                    if seen.insert(check).inserted { out.append(check) }
                }
            }
        }
        return out
    }

    func verifyAbsent() -> [String] {
        ir.absent.map { a in
            let host = a.kind == .user || !maria ? "%" : ""
            return expect("NOT EXISTS (SELECT 1 FROM mysql.user WHERE User = \(Q.literal(a.name)) AND Host = \(Q.literal(host)))",
                          "\(a.kind.rawValue) \(a.name) still exists but the policy declares it absent")
        }
    }
    // MARK: tests

    /// The policy's test expectations as checks of the server's grant tables, with the
    /// semantics `rolec test` uses for this dialect (`EffectiveAccess.activeAtLogin`): an
    /// account holds its own grants, PUBLIC's (MariaDB) and those of the roles active at
    /// login (MariaDB: `mysql.user.default_role`, one role or the umbrella role; MySQL:
    /// `mysql.default_roles`) and, transitively, of the roles granted to those
    /// (`roles_mapping` / `role_edges`); a role holds its own and its roles' grants. A
    /// privilege is held at the global, database (the `mysql.db` pattern matched with
    /// LIKE, as the server matches it), table or routine level; column grants do not give
    /// a privilege on the whole table (as in `rolec test`). A user with several hosts is
    /// checked per account. Expectations the grant tables cannot answer are `-- note:`s.
    func verifyTests() -> (checks: [String], unchecked: [String]) {
        var checks: [String] = []
        var unchecked: [String] = []
        for test in ir.tests {
            for expectation in test.expectations {
                switch expectation {
                case .member(let principal, let isMember, let role):
                    for account in rawAccounts(PrincipalRef(name: principal)) {
                        let held = memberOf(account, role)
                        checks.append(expect(isMember ? held : "NOT " + held,
                                             "test '\(test.title)': expected \(display(account)) \(isMember ? "" : "not ")member of \(role)"))
                    }
                case .privilege(let principal, let can, let privileges, let object):
                    for privilege in privileges {
                        let what = "\(can ? "can" : "cannot") \(privilege.lowercased()) on \(object.display)"
                        var conditions: [(String, String)] = []
                        for account in rawAccounts(PrincipalRef(name: principal)) {
                            guard let held = effectivelyHolds(account, privilege, object) else { conditions = []; break }
                            conditions.append((can ? held : "NOT " + held, "test '\(test.title)': expected \(display(account)) \(what)"))
                        }
                        if conditions.isEmpty {
                            unchecked.append("test '\(test.title)': expect \(principal) \(what) is not checked: \(dialect.displayName) keeps no grant for it")
                        }
                        checks += conditions.map { expect($0.0, $0.1) }
                    }
                }
            }
        }
        return (checks, unchecked)
    }

    /// `account` is a member of `role`, directly or through other roles.
    func memberOf(_ account: (user: String, host: String), _ role: String) -> String {
        if maria {
            return "EXISTS (WITH RECURSIVE rolec_up (Role) AS (SELECT Role FROM mysql.roles_mapping WHERE \(whereAccount(account)) "
                + "UNION SELECT m.Role FROM rolec_up u JOIN mysql.roles_mapping m ON m.User = u.Role AND m.Host = '') "
                + "SELECT 1 FROM rolec_up WHERE Role = \(Q.literal(role)))"
        }
        return "EXISTS (WITH RECURSIVE rolec_up (User, Host) AS (SELECT FROM_USER, FROM_HOST FROM mysql.role_edges WHERE "
            + whereAccount(account, user: "TO_USER", host: "TO_HOST")
            + " UNION SELECT e.FROM_USER, e.FROM_HOST FROM rolec_up u JOIN mysql.role_edges e ON e.TO_USER = u.User AND e.TO_HOST = u.Host) "
            + "SELECT 1 FROM rolec_up WHERE User = \(Q.literal(role)) AND Host = '%')"
    }

    /// The accounts whose grants `account` holds at login, as a recursive CTE
    /// `rolec_holder (User, Host, expand)`: rows with `expand` 1 are active roles, whose
    /// own roles are active too.
    func holders(_ account: (user: String, host: String)) -> String {
        let role = principal(account.user).map { !isUser($0) } ?? true   // as `rawAccounts` takes an unknown name
        var parts = ["SELECT User, Host, \(role ? 1 : 0) FROM mysql.user WHERE \(whereAccount(account))"]
        if maria {
            if !role { parts.append("SELECT default_role, '', 1 FROM mysql.user WHERE \(whereAccount(account)) AND default_role <> ''") }
            parts.append("SELECT 'PUBLIC', '', 0")
            parts.append("SELECT m.Role, '', 1 FROM rolec_holder h JOIN mysql.roles_mapping m ON m.User = h.User AND m.Host = h.Host WHERE h.expand = 1")
        } else {
            if !role { parts.append("SELECT DEFAULT_ROLE_USER, DEFAULT_ROLE_HOST, 1 FROM mysql.default_roles WHERE \(whereAccount(account, user: "USER", host: "HOST"))") }
            parts.append("SELECT e.FROM_USER, e.FROM_HOST, 1 FROM rolec_holder h JOIN mysql.role_edges e ON e.TO_USER = h.User AND e.TO_HOST = h.Host WHERE h.expand = 1")
        }
        return "WITH RECURSIVE rolec_holder (User, Host, expand) AS (\(parts.joined(separator: " UNION ")))"
    }

    /// The condition that `account` effectively holds `privilege` on `object` (every
    /// privilege the server spells it as), at any level that covers the object; nil when
    /// the grant tables cannot tell (an implied privilege, an object this flavour has no
    /// grant for).
    func effectivelyHolds(_ account: (user: String, host: String), _ privilege: String, _ object: IRObject) -> String? {
        guard target(object) != nil else { return nil }
        let schema: String?
        switch object {
        case .server, .database: schema = nil
        case .schema(let s), .allInSchema(_, let s): schema = s
        case .relation(_, let s, _), .routine(_, let s, _, _): schema = s ?? ""
        }
        var conditions: [String] = []
        for name in privilegeNames(privilege, on: object) {
            var levels: [String] = []
            if maria {
                if let bit = MySQLRenderer.mariadbGlobalBits.firstIndex(of: name) {
                    levels.append("EXISTS (SELECT 1 FROM mysql.global_priv g WHERE g.User = h.User AND g.Host = h.Host AND (CAST(IFNULL(JSON_VALUE(g.Priv, '$.access'), '0') AS UNSIGNED) & \(UInt64(1) << UInt64(bit))) <> 0)")
                }
            } else {
                levels.append("EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES p WHERE p.GRANTEE = CONCAT('''', h.User, '''@''', h.Host, '''') AND p.PRIVILEGE_TYPE = \(Q.literal(name)))")
            }
            if let schema, let column = MySQLRenderer.databaseColumns[name] {
                let db = schema.isEmpty ? "DATABASE()" : Q.literal(schema)
                levels.append("EXISTS (SELECT 1 FROM mysql.db d WHERE d.User = h.User AND d.Host = h.Host AND \(db) LIKE d.Db ESCAPE '\\' AND d.\(column) = 'Y')")
            }
            let member = Q.literal(MySQLRenderer.setMember(name))
            switch object {
            case .relation(_, let s, let n):
                levels.append("EXISTS (SELECT 1 FROM mysql.tables_priv t WHERE t.User = h.User AND t.Host = h.Host AND t.Db = \(s.map(Q.literal) ?? "DATABASE()") AND t.Table_name = \(Q.literal(n)) AND FIND_IN_SET(\(member), t.Table_priv) > 0)")
            case .routine(let kind, let s, let n, _):
                levels.append("EXISTS (SELECT 1 FROM mysql.procs_priv r WHERE r.User = h.User AND r.Host = h.Host AND r.Db = \(s.map(Q.literal) ?? "DATABASE()") AND r.Routine_name = \(Q.literal(n)) AND r.Routine_type = \(Q.literal(kind == .function ? "FUNCTION" : "PROCEDURE")) AND FIND_IN_SET(\(member), r.Proc_priv) > 0)")
            default: break
            }
            guard !levels.isEmpty else { return nil }
            conditions.append("EXISTS (\(holders(account)) SELECT 1 FROM rolec_holder h WHERE \(levels.joined(separator: " OR ")))")
        }
        guard !conditions.isEmpty else { return nil }
        return conditions.count == 1 ? conditions[0] : "(" + conditions.joined(separator: " AND ") + ")"
    }
}
