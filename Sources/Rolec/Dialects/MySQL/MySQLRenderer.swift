/// Renders the IR for MySQL or MariaDB. Account statements commit one by one, so the
/// script has no transaction; every statement is idempotent and they are ordered so
/// that every prefix leaves a safe state: roles and users (locked until they have a
/// password), memberships, default roles, then privileges, revokes and drops.
struct MySQLRenderer {
    let ir: PolicyIR
    let options: RenderOptions
    let dialect: MySQLDialect

    typealias Q = MySQLQuoting
    var maria: Bool { dialect.flavour == .mariadb }

    func render() -> String {
        var out = ScriptWriter()
        out.header(dialect: dialect.displayName, version: ir.serverVersion, phase: options.phase?.rawValue, sources: options.sources)
        out.notes(notes())
        out.line("-- Every statement commits on its own: the order keeps each prefix safe; after a failure, run the script again.")
        out.line("SET SESSION sql_mode = '\(maria ? "NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER" : "NO_BACKSLASH_ESCAPES")';")
        if options.phase != .privileges {
            out.section("Authentication plugins", plugins())
            out.section("Roles", roles())
            out.section("Users", users())
            out.section("Memberships", memberships())
            out.section("Default roles (activated at login)", defaultRoles())
        }
        if options.phase != .principals {
            out.section("Privileges", grantStatements(ir.grants, revoke: false))
            out.section("Revokes", revokes())
            out.section("Absent principals", absent())
        }
        return out.text
    }

    // MARK: accounts

    func principal(_ name: String) -> IRPrincipal? { ir.principal(named: name) }

    /// Hosts of a user account (default '%').
    func hosts(_ p: IRPrincipal) -> [String] {
        p.hosts.isEmpty ? ["%"] : Array(Set(p.hosts.map { $0.lowercased() })).sorted()
    }

    func isUser(_ p: IRPrincipal) -> Bool { p.kind == .user || p.login == true }

    /// Every account a principal stands for.
    func accounts(_ name: String) -> [String] {
        guard let p = principal(name), isUser(p) else { return [roleName(name)] }
        return hosts(p).map { Q.account(name, host: $0) }
    }

    func roleName(_ name: String) -> String {
        maria ? Q.identifier(name) : Q.account(name, host: "%")
    }

    func grantee(_ ref: PrincipalRef) -> [String] {
        ref.name.map(accounts) ?? ["PUBLIC"]
    }

    func notes() -> [String] {
        var notes = ir.notes
        for o in ir.ownerships {
            notes.append("\(o.scope.rawValue) \(o.name) owned by \(o.owner): \(dialect.displayName) databases have no owner; nothing to render")
        }
        for p in ir.principals {
            if let comment = p.comment, !comment.isEmpty { notes.append("comment of \(p.name) stays in the policy: \(dialect.displayName) keeps no account comments here") }
            if p.bypassrls == true { notes.append("bypassrls of \(p.name): \(dialect.displayName) has no row-level security") }
            if isUser(p), !p.external, p.passwordHashes.isEmpty {
                notes.append("\(p.name) has no password hash: created locked (ACCOUNT LOCK) so it can never log in with an empty password; set a password and unlock it out of band, or declare one")
            }
        }
        if !maria {
            for fact in ir.revokes where fact.grantee == .publicRole {
                notes.append("revoke \(fact.privilege.lowercased()) on \(fact.object.display) from public: MySQL has no PUBLIC role, so nobody holds it that way")
            }
        }
        for fact in ir.grants + ir.revokes {
            if case .relation(.sequence, _, _) = fact.object, !maria {
                notes.append("\(fact.privilege.lowercased()) on \(fact.object.display): MySQL has no sequences; AUTO_INCREMENT needs only INSERT on the table")
            }
            if case .allInSchema(.sequences, _) = fact.object, !maria {
                notes.append("\(fact.privilege.lowercased()) on \(fact.object.display): MySQL has no sequences")
            }
            if case .routine(_, _, _, let arguments?) = fact.object, !arguments.isEmpty {
                notes.append("\(fact.object.display): \(dialect.displayName) has no overloading; the argument types only document the routine")
            }
        }
        var seen: Set<String> = []
        return notes.filter { seen.insert($0).inserted }
    }

    func roles() -> [String] {
        ir.principals.filter { !$0.external && !isUser($0) }.map { p in
            maria ? "CREATE ROLE IF NOT EXISTS \(Q.identifier(p.name)) WITH ADMIN CURRENT_USER;"
                  : "CREATE ROLE IF NOT EXISTS \(roleName(p.name));"
        } + umbrellaRoles().map { "CREATE ROLE IF NOT EXISTS \(Q.identifier($0.umbrella)) WITH ADMIN CURRENT_USER;" }
    }

    func authentication(_ verifier: String) -> String {
        switch PasswordVerifier.kind(of: verifier) {
        case .cachingSHA2:
            return "IDENTIFIED WITH caching_sha2_password AS " + (verifier.hasPrefix("0x") ? verifier : Q.literal(verifier))
        case .mysqlNative where maria:
            return "IDENTIFIED BY PASSWORD \(Q.literal(verifier))"
        case .ed25519:
            return "IDENTIFIED VIA ed25519 USING \(Q.literal(verifier))"
        default:
            return "IDENTIFIED WITH mysql_native_password AS \(Q.literal(verifier))"
        }
    }

    /// MariaDB loads auth_ed25519 only on request; INSTALL SONAME of a plugin already
    /// installed is silent on 10.11, and 1968 (already installed another way) is skipped.
    func plugins() -> [String] {
        let needsEd25519 = ir.principals.contains { p in
            isUser(p) && !p.passwordHashes.isEmpty
                && dialect.choosePassword(p.passwordHashes, at: .none).0.map { PasswordVerifier.kind(of: $0) == .ed25519 } == true
        }
        guard maria, needsEd25519 else { return [] }
        return ["DELIMITER //\nBEGIN NOT ATOMIC\n  DECLARE CONTINUE HANDLER FOR 1968 BEGIN END;\n  INSTALL SONAME 'auth_ed25519';\nEND//\nDELIMITER ;"]
    }

    func users() -> [String] {
        var statements: [String] = []
        for p in ir.principals where isUser(p) {
            let verifier = p.passwordHashes.isEmpty ? nil : dialect.choosePassword(p.passwordHashes, at: .none).0
            for host in hosts(p) {
                let account = Q.account(p.name, host: host)
                if !p.external {
                    statements.append("CREATE USER IF NOT EXISTS \(account) \(verifier.map(authentication) ?? "ACCOUNT LOCK");")
                }
                var alter: [String] = []
                if let verifier { alter.append(authentication(verifier)) }
                if let limit = p.connectionLimit { alter.append("WITH MAX_USER_CONNECTIONS \(max(0, limit))") }
                if verifier != nil { alter.append("ACCOUNT UNLOCK") }
                if !alter.isEmpty { statements.append("ALTER USER \(account) \(alter.joined(separator: " "));") }
            }
        }
        return statements
    }

    func memberships() -> [String] {
        struct Key: Hashable, Comparable {
            var role: String, admin: Bool
            static func < (a: Key, b: Key) -> Bool { (a.role, a.admin ? 1 : 0) < (b.role, b.admin ? 1 : 0) }
        }
        var groups: [Key: [String]] = [:]
        for m in ir.memberships { groups[Key(role: m.role, admin: m.admin), default: []].append(m.member) }
        var statements = groups.keys.sorted().map { key -> String in
            let members = groups[key, default: []].sorted().flatMap(accounts).joined(separator: ", ")
            return "GRANT \(roleName(key.role)) TO \(members)\(key.admin ? " WITH ADMIN OPTION" : "");"
        }
        for umbrella in umbrellaRoles() {
            for role in umbrella.roles { statements.append("GRANT \(Q.identifier(role)) TO \(Q.identifier(umbrella.umbrella));") }
            statements.append("GRANT \(Q.identifier(umbrella.umbrella)) TO \(accounts(umbrella.user).joined(separator: ", "));")
        }
        return statements
    }

    /// The roles a user should have active at login: its `default role` item, or (without
    /// one) every role it is directly a member of.
    func loginRoles(_ p: IRPrincipal) -> [String]? {
        switch p.defaultRoles {
        case .none?: return []
        case .roles(let names)?: return names.sorted()
        case .all?, nil:
            return ir.memberships.filter { $0.member == p.name }.map(\.role).sorted()
        }
    }

    struct Umbrella { var user: String; var umbrella: String; var roles: [String] }

    /// MariaDB activates one default role per account; a user who needs several gets a
    /// generated umbrella role holding them (activation is transitive).
    func umbrellaRoles() -> [Umbrella] {
        guard maria else { return [] }
        return ir.principals.filter { isUser($0) && (!$0.external || $0.defaultRoles != nil) }.compactMap { p in
            guard let roles = loginRoles(p), roles.count > 1 else { return nil }
            return Umbrella(user: p.name, umbrella: MySQLDialect.umbrellaName(for: p.name), roles: roles)
        }
    }

    func defaultRoles() -> [String] {
        var statements: [String] = []
        for p in ir.principals where isUser(p) && (!p.external || p.defaultRoles != nil) {
            guard let roles = loginRoles(p) else { continue }
            let users = accounts(p.name)
            if maria {
                let role: String
                switch roles.count {
                case 0: role = "NONE"
                case 1: role = Q.identifier(roles[0])
                default: role = Q.identifier(MySQLDialect.umbrellaName(for: p.name))
                }
                for user in users { statements.append("SET DEFAULT ROLE \(role) FOR \(user);") }
            } else {
                let list: String
                switch p.defaultRoles {
                case .all?, nil: list = "ALL"
                case .none?: list = "NONE"
                case .roles?: list = roles.isEmpty ? "NONE" : roles.map(roleName).joined(separator: ", ")
                }
                statements.append("SET DEFAULT ROLE \(list) TO \(users.joined(separator: ", "));")
            }
        }
        return statements
    }

    // MARK: privileges

    /// Where a fact applies, as `ON` renders it; nil when the dialect needs no statement.
    func target(_ object: IRObject) -> String? {
        func qualified(_ schema: String?, _ name: String) -> String {
            schema.map { Q.identifier($0) + "." + Q.identifier(name) } ?? Q.identifier(name)
        }
        switch object {
        case .database: return nil
        case .schema(let s): return Q.databasePattern(s) + ".*"
        case .server: return "*.*"
        case .relation(.sequence, let s, let n): return maria ? qualified(s, n) : nil
        case .relation(_, let s, let n): return qualified(s, n)
        case .routine(let kind, let s, let n, _): return (kind == .function ? "FUNCTION " : "PROCEDURE ") + qualified(s, n)
        case .allInSchema(.sequences, let s): return maria ? Q.databasePattern(s) + ".*" : nil
        case .allInSchema(_, let s): return Q.databasePattern(s) + ".*"
        }
    }

    /// The privileges as the server spells them on this object: MariaDB's NEXT VALUE FOR
    /// and SETVAL need both SELECT and INSERT on the sequence (checked live).
    func privilegeNames(_ privilege: String, on object: IRObject) -> [String] {
        if case .relation(.sequence, _, _) = object, privilege == "USAGE" || privilege == "UPDATE" { return ["INSERT", "SELECT"] }
        return [privilege == "TEMPORARY" ? "CREATE TEMPORARY TABLES" : privilege]
    }

    struct Clause: Hashable {
        var target: String
        var privileges: String
        var grantable: Bool
    }

    /// (target, privilege list, grantable) -> grantee accounts, columns folded into the list.
    func clauses(_ facts: [IRGrant]) -> [(Clause, [String])] {
        struct Holder: Hashable { var target: String; var grantee: PrincipalRef; var grantable: Bool }
        var byHolder: [Holder: [String: [String]]] = [:]   // privilege -> columns ("" = whole object)
        for fact in facts {
            guard let on = target(fact.object) else { continue }
            for name in privilegeNames(fact.privilege, on: fact.object) {
                byHolder[Holder(target: on, grantee: fact.grantee, grantable: fact.grantable), default: [:]][name, default: []].append(fact.column ?? "")
            }
        }
        var byClause: [Clause: [String]] = [:]
        for (holder, privileges) in byHolder {
            let list = privileges.keys.sorted().map { privilege -> String in
                let columns = Set(privileges[privilege, default: []])
                if columns.contains("") { return privilege }
                return "\(privilege) (\(columns.sorted().map(Q.identifier).joined(separator: ", ")))"
            }.joined(separator: ", ")
            byClause[Clause(target: holder.target, privileges: list, grantable: holder.grantable), default: []].append(contentsOf: grantee(holder.grantee))
        }
        return byClause.map { ($0.key, $0.value.sorted()) }.sorted {
            ($0.0.target, $0.0.privileges, $0.0.grantable ? 1 : 0, $0.1.joined()) < ($1.0.target, $1.0.privileges, $1.0.grantable ? 1 : 0, $1.1.joined())
        }
    }

    func grantStatements(_ facts: [IRGrant], revoke: Bool) -> [String] {
        var statements: [String] = []
        for (clause, accounts) in clauses(facts) {
            // MariaDB stops a multi-grantee privilege GRANT at the first failing grantee: one each.
            let groups = maria ? accounts.map { [$0] } : [accounts]
            for group in groups {
                let who = group.joined(separator: ", ")
                statements.append("GRANT \(clause.privileges) ON \(clause.target) TO \(who)\(clause.grantable ? " WITH GRANT OPTION" : "");")
            }
        }
        return statements
    }

    func revokes() -> [String] {
        let facts = ir.revokes.filter { maria || $0.grantee != .publicRole }
        let list = clauses(facts)
        guard !list.isEmpty else { return [] }
        if !maria {
            // 8.0.30+: tolerant of privileges not held and of accounts that do not exist.
            return list.map { clause, accounts in
                "REVOKE IF EXISTS \(clause.privileges) ON \(clause.target) FROM \(accounts.joined(separator: ", ")) IGNORE UNKNOWN USER;"
            }
        }
        // MariaDB has no tolerant REVOKE: a revoke of something never granted at that level
        // fails (1141, 1147, 1403), and so does one from PUBLIC before anything was ever
        // granted to it (1959: PUBLIC does not exist yet). One compound statement skips
        // exactly those errors: in each case nothing is held.
        var body = ["DELIMITER //", "BEGIN NOT ATOMIC", "  DECLARE CONTINUE HANDLER FOR 1141, 1147, 1403, 1959 BEGIN END;"]
        for (clause, accounts) in list {
            for account in accounts {
                body.append("  REVOKE \(clause.privileges) ON \(clause.target) FROM \(account);")
            }
        }
        body.append("END//")
        body.append("DELIMITER ;")
        return [body.joined(separator: "\n")]
    }

    func absent() -> [String] {
        ir.absent.map { a in
            a.kind == .user ? "DROP USER IF EXISTS \(Q.account(a.name, host: "%"));"
                            : "DROP ROLE IF EXISTS \(maria ? Q.identifier(a.name) : Q.account(a.name, host: "%"));"
        }
    }
}

extension MySQLDialect {
    /// The generated umbrella role of a MariaDB user in several default roles.
    static func umbrellaName(for user: String) -> String {
        let name = "rolec_default_" + user
        if name.count <= 128 { return name }
        return "rolec_default_" + String(user.prefix(100)) + "_" + String(SHA256.hex(Array(user.utf8)).prefix(12))
    }
}
