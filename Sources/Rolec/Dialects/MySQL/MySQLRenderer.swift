/// Renders the IR for MySQL or MariaDB. Account statements commit one by one, so the
/// script has no transaction; every statement is idempotent and they are ordered so
/// that every prefix leaves a safe state: roles and users (locked until they have a
/// password), memberships, default roles, then privileges, revokes and drops.
/// The section functions also work on parts of an IR (a list of facts, one principal):
/// migrations (MySQLMigration.swift) build their statements with them.
struct MySQLRenderer {
    let ir: PolicyIR
    let options: RenderOptions
    let dialect: MySQLDialect
    /// Lookups the sections make once per principal (linear searches made a large IR quadratic).
    let principalsByName: [String: IRPrincipal]
    let rolesOfMember: [String: [String]]

    init(ir: PolicyIR, options: RenderOptions, dialect: MySQLDialect) {
        self.ir = ir
        self.options = options
        self.dialect = dialect
        principalsByName = Dictionary(ir.principals.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var roles: [String: [String]] = [:]
        for m in ir.memberships { roles[m.member, default: []].append(m.role) }
        rolesOfMember = roles
    }

    typealias Q = MySQLQuoting
    var maria: Bool { dialect.flavour == .mariadb }

    func render() -> String {
        var out = ScriptWriter()
        out.header(dialect: dialect.displayName, version: ir.serverVersion, phase: options.phase?.rawValue, sources: options.sources)
        out.notes(notes())
        out.line("-- Every statement commits on its own: the order keeps each prefix safe; after a failure, run the script again.")
        out.line(sqlMode)
        if options.phase != .privileges {
            out.section("Authentication plugins", Self.clientText(plugins(ir.principals)))
            out.section("Roles", roles())
            out.section("Users", users())
            out.section("Memberships", memberships())
            out.section("Default roles (activated at login)", defaultRoles())
        }
        if options.phase != .principals {
            out.section("Privileges", grantStatements(serverFacts(ir.grants)))
            out.section("Revokes", Self.clientText(revokeStatements(serverFacts(revocable(ir.revokes)))))
            out.section("Absent principals", ir.absent.map(dropAbsent))
        }
        return out.text
    }

    /// Pins the lexer's behaviour: string literals mean the same whatever the server's mode.
    var sqlMode: String {
        "SET SESSION sql_mode = '\(maria ? "NO_BACKSLASH_ESCAPES,NO_AUTO_CREATE_USER" : "NO_BACKSLASH_ESCAPES")';"
    }

    /// Statements as the mysql/mariadb client reads them: a compound statement (which
    /// ends with `END;`) between `DELIMITER` lines. A driver takes the statement as it is.
    static func clientText(_ statements: [MigrationStatement]) -> [String] {
        statements.map { statement in
            guard statement.compound else { return statement.sql }
            let body = statement.sql.hasSuffix(";") ? String(statement.sql.dropLast()) : statement.sql
            return "DELIMITER //\n" + body + "//\nDELIMITER ;"
        }
    }

    /// A MariaDB compound statement running `statements` one by one, skipping exactly the
    /// errors listed (each skips only the statement that raised it).
    static func tolerant(skipping codes: [Int], _ statements: [String]) -> MigrationStatement {
        var lines = ["BEGIN NOT ATOMIC", "  DECLARE CONTINUE HANDLER FOR \(codes.map(String.init).joined(separator: ", ")) BEGIN END;"]
        lines += statements.map { "  " + $0 }
        lines.append("END;")
        return MigrationStatement(lines.joined(separator: "\n"), compound: true)
    }

    // MARK: accounts

    func principal(_ name: String) -> IRPrincipal? { principalsByName[name] }

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
        ir.principals.filter { !$0.external && !isUser($0) }.map(createRole)
            + umbrellaRoles().map { createUmbrella($0.umbrella) }
    }

    func createRole(_ p: IRPrincipal) -> String {
        maria ? "CREATE ROLE IF NOT EXISTS \(Q.identifier(p.name)) WITH ADMIN CURRENT_USER;"
              : "CREATE ROLE IF NOT EXISTS \(roleName(p.name));"
    }

    func createUmbrella(_ name: String) -> String {
        "CREATE ROLE IF NOT EXISTS \(Q.identifier(name)) WITH ADMIN CURRENT_USER;"
    }

    /// DROP USER for each account of a user, DROP ROLE for a role.
    func dropPrincipal(_ p: IRPrincipal, hosts only: [String]? = nil) -> [String] {
        guard isUser(p) else { return ["DROP ROLE IF EXISTS \(roleName(p.name));"] }
        return (only ?? hosts(p)).map { "DROP USER IF EXISTS \(Q.account(p.name, host: $0));" }
    }

    func authentication(_ verifier: String) -> String {
        switch PasswordVerifier.kind(of: verifier) {
        case .mysqlNative where maria:
            return "IDENTIFIED BY PASSWORD \(Q.literal(verifier))"
        case .ed25519:
            return "IDENTIFIED VIA ed25519 USING \(Q.literal(verifier))"
        default:
            // caching_sha2 takes its hex form `0x...` bare; every other verifier is a string.
            return "IDENTIFIED WITH \(Self.authenticationPlugin(verifier)) AS " + (verifier.hasPrefix("0x") ? verifier : Q.literal(verifier))
        }
    }

    /// The plugin an account gets from `authentication(verifier)` (what `mysql.user.plugin` then says).
    static func authenticationPlugin(_ verifier: String) -> String {
        switch PasswordVerifier.kind(of: verifier) {
        case .cachingSHA2: return "caching_sha2_password"
        case .ed25519: return "ed25519"
        default: return "mysql_native_password"
        }
    }

    /// MariaDB loads auth_ed25519 only on request; INSTALL SONAME of a plugin already
    /// installed is silent on 10.11, and 1968 (already installed another way) is skipped.
    func plugins(_ principals: [IRPrincipal]) -> [MigrationStatement] {
        let needsEd25519 = principals.contains { p in
            isUser(p) && verifier(p).map { PasswordVerifier.kind(of: $0) == .ed25519 } == true
        }
        guard maria, needsEd25519 else { return [] }
        return [Self.tolerant(skipping: [1968], ["INSTALL SONAME 'auth_ed25519';"])]
    }

    /// The verifier this flavour takes from a user's hashes (nil: none declared).
    func verifier(_ p: IRPrincipal) -> String? {
        p.passwordHashes.isEmpty ? nil : dialect.choosePassword(p.passwordHashes, at: .none).0
    }

    func users() -> [String] {
        ir.principals.filter(isUser).flatMap { userStatements($0) }
    }

    /// CREATE USER (unless external) and ALTER USER to converge, per account (`hosts`: only these).
    func userStatements(_ p: IRPrincipal, hosts only: [String]? = nil) -> [String] {
        var statements: [String] = []
        let verifier = verifier(p)
        for host in only ?? hosts(p) {
            let account = Q.account(p.name, host: host)
            if !p.external {
                statements.append("CREATE USER IF NOT EXISTS \(account) \(verifier.map(authentication) ?? "ACCOUNT LOCK");")
            }
            if let alter = alterUser(account, verifier: verifier, limit: p.connectionLimit, lock: nil) { statements.append(alter) }
        }
        return statements
    }

    /// `ALTER USER` converging the verifier (and unlocking), the connection limit, or
    /// locking (`lock` true); nil when there is nothing to converge. Locked, a MariaDB
    /// account also loses its verifier (as one created locked has none); MySQL keeps
    /// it, unusable while locked (an empty verifier there depends on the plugin).
    func alterUser(_ account: String, verifier: String?, limit: Int?, lock: Bool?) -> String? {
        var alter: [String] = []
        if let verifier { alter.append(authentication(verifier)) } else if lock == true && maria { alter.append("IDENTIFIED BY PASSWORD ''") }
        if let limit { alter.append("WITH MAX_USER_CONNECTIONS \(max(0, limit))") }
        if verifier != nil || lock == false { alter.append("ACCOUNT UNLOCK") } else if lock == true { alter.append("ACCOUNT LOCK") }
        return alter.isEmpty ? nil : "ALTER USER \(account) \(alter.joined(separator: " "));"
    }

    func memberships() -> [String] {
        var statements = membershipGrants(ir.memberships)
        for umbrella in umbrellaRoles() {
            statements += umbrellaGrants(umbrella, roles: umbrella.roles, to: accounts(umbrella.user))
        }
        return statements
    }

    /// GRANT role TO members, one statement per role and admin option; `only`: just these member accounts.
    func membershipGrants(_ memberships: [IRMembership], only: Set<String>? = nil) -> [String] {
        struct Key: Hashable, Comparable {
            var role: String, admin: Bool
            static func < (a: Key, b: Key) -> Bool { (a.role, a.admin ? 1 : 0) < (b.role, b.admin ? 1 : 0) }
        }
        var groups: [Key: [String]] = [:]
        for m in memberships { groups[Key(role: m.role, admin: m.admin), default: []].append(m.member) }
        return groups.keys.sorted().compactMap { key -> String? in
            let members = groups[key, default: []].sorted().flatMap(accounts).filter { only?.contains($0) ?? true }
            guard !members.isEmpty else { return nil }
            return "GRANT \(roleName(key.role)) TO \(members.joined(separator: ", "))\(key.admin ? " WITH ADMIN OPTION" : "");"
        }
    }

    /// The umbrella role's own memberships (`roles`) and its grant to the user's `accounts`.
    func umbrellaGrants(_ umbrella: Umbrella, roles: [String], to accounts: [String]) -> [String] {
        var statements = roles.map { "GRANT \(Q.identifier($0)) TO \(Q.identifier(umbrella.umbrella));" }
        if !accounts.isEmpty {
            statements.append("GRANT \(Q.identifier(umbrella.umbrella)) TO \(accounts.joined(separator: ", "));")
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
            return (rolesOfMember[p.name] ?? []).sorted()
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
        ir.principals.flatMap(defaultRoleStatements)
    }

    /// Whether the policy manages the user's default roles.
    func managesDefaultRoles(_ p: IRPrincipal) -> Bool { isUser(p) && (!p.external || p.defaultRoles != nil) }

    func defaultRoleStatements(_ p: IRPrincipal) -> [String] {
        var statements: [String] = []
        if managesDefaultRoles(p), let roles = loginRoles(p) {
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

    /// One privilege as the server holds it: on a target (as `ON` renders it), for one
    /// account, on the whole object or one column. `GRANT OPTION` is a privilege here
    /// too (MySQL keeps it per account and target, not per privilege).
    struct ServerFact: Hashable {
        var account: String
        var target: String
        var privilege: String
        var column: String?
        var grantable: Bool
    }

    /// The facts as the server holds them, per account (facts the dialect needs no statement for are left out).
    func serverFacts(_ facts: [IRGrant]) -> [ServerFact] {
        var result: [ServerFact] = []
        for fact in facts {
            guard let on = target(fact.object) else { continue }
            let holders = grantee(fact.grantee)
            for name in privilegeNames(fact.privilege, on: fact.object) {
                for account in holders {
                    result.append(ServerFact(account: account, target: on, privilege: name, column: fact.column, grantable: fact.grantable))
                }
            }
        }
        return result
    }

    /// Revokes this flavour can express: MySQL has no PUBLIC, so nobody holds anything that way.
    func revocable(_ facts: [IRGrant]) -> [IRGrant] {
        facts.filter { maria || $0.grantee != .publicRole }
    }

    /// (target, privilege list, grantable) -> accounts, columns folded into the list.
    func clauses(_ facts: [ServerFact]) -> [(Clause, [String])] {
        struct Holder: Hashable { var target: String; var account: String; var grantable: Bool }
        var byHolder: [Holder: [String: [String]]] = [:]   // privilege -> columns ("" = whole object)
        for fact in facts {
            byHolder[Holder(target: fact.target, account: fact.account, grantable: fact.grantable), default: [:]][fact.privilege, default: []]
                .append(fact.column ?? "")
        }
        var byClause: [Clause: [String]] = [:]
        for (holder, privileges) in byHolder {
            let list = privileges.keys.sorted().map { privilege -> String in
                let columns = Set(privileges[privilege, default: []])
                if columns.contains("") { return privilege }
                return "\(privilege) (\(columns.sorted().map(Q.identifier).joined(separator: ", ")))"
            }.joined(separator: ", ")
            byClause[Clause(target: holder.target, privileges: list, grantable: holder.grantable), default: []].append(holder.account)
        }
        return byClause.map { ($0.key, $0.value.sorted()) }.sorted {
            ($0.0.target, $0.0.privileges, $0.0.grantable ? 1 : 0, $0.1.joined()) < ($1.0.target, $1.0.privileges, $1.0.grantable ? 1 : 0, $1.1.joined())
        }
    }

    func grantStatements(_ facts: [ServerFact]) -> [String] {
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

    /// Revokes that succeed whether or not the privilege (or the account) is there.
    /// `regrants`: column privileges a table-level REVOKE takes too, granted again right
    /// after it (MariaDB: in the same compound statement, so no prefix lacks them).
    func revokeStatements(_ facts: [ServerFact], thenGrant regrants: [ServerFact] = []) -> [MigrationStatement] {
        let list = clauses(facts.map { var fact = $0; fact.grantable = false; return fact })
        guard !list.isEmpty else { return [] }
        if !maria {
            // 8.0.30+: tolerant of privileges not held and of accounts that do not exist.
            var placed: Set<ServerFact> = []
            return list.flatMap { clause, accounts -> [MigrationStatement] in
                let mine = regrants.filter { $0.target == clause.target && accounts.contains($0.account) && placed.insert($0).inserted }
                return [MigrationStatement("REVOKE IF EXISTS \(clause.privileges) ON \(clause.target) FROM \(accounts.joined(separator: ", ")) IGNORE UNKNOWN USER;")]
                    + grantStatements(mine).map { MigrationStatement($0) }
            }
        }
        // MariaDB has no tolerant REVOKE: a revoke of something never granted at that level
        // fails (1141, 1147, 1403), and so does one from PUBLIC before anything was ever
        // granted to it (1959: PUBLIC does not exist yet). One compound statement skips
        // exactly those errors: in each case nothing is held.
        var body: [String] = []
        for (clause, accounts) in list {
            for account in accounts {
                body.append("REVOKE \(clause.privileges) ON \(clause.target) FROM \(account);")
            }
        }
        return [Self.tolerant(skipping: [1141, 1147, 1403, 1959], body + grantStatements(regrants))]
    }

    /// Role memberships taken away, tolerant of memberships (and accounts) that are not
    /// there; `adminOnly`: only the admin option (MariaDB; MySQL has no such REVOKE).
    func membershipRevokes(_ pairs: [(role: String, accounts: [String], adminOnly: Bool)]) -> [MigrationStatement] {
        guard !pairs.isEmpty else { return [] }
        if !maria {
            return pairs.map { pair in
                MigrationStatement("REVOKE IF EXISTS \(roleName(pair.role)) FROM \(pair.accounts.joined(separator: ", ")) IGNORE UNKNOWN USER;")
            }
        }
        // 1962: not granted (or no such grantee); 1959: no such role. Nothing is held either way.
        let body = pairs.flatMap { pair in
            pair.accounts.map { "REVOKE \(pair.adminOnly ? "ADMIN OPTION FOR " : "")\(Q.identifier(pair.role)) FROM \($0);" }
        }
        return [Self.tolerant(skipping: [1959, 1962], body)]
    }

    func dropAbsent(_ a: IRAbsent) -> String {
        a.kind == .user ? "DROP USER IF EXISTS \(Q.account(a.name, host: "%"));"
                        : "DROP ROLE IF EXISTS \(maria ? Q.identifier(a.name) : Q.account(a.name, host: "%"));"
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
