/// Migrations for MySQL 8 and MariaDB 10.11: the statements that turn the state of one
/// policy into the next, built with the full script's own section functions
/// (MySQLRenderer) on the facts that changed.
///
/// Neither server has transactional DDL: every account statement commits on its own,
/// so every prefix of a migration is a state some principal may log in to. The
/// sections follow `Change.step`, as on every dialect: create principals, converge
/// attributes, grant memberships, grant privileges, set default roles, then revoke
/// privileges, revoke memberships, drop principals. At every cut point a principal
/// holds at least what both policies give it (access that stays, or moves from one
/// role to another, is never missing: the new path exists before the old one goes)
/// and no fact that neither policy declares. Default roles are set after every grant
/// (a login activates a role that already holds what it should) and before every
/// revoke. Every statement is idempotent or tolerant (IF [NOT] EXISTS, MySQL's
/// `REVOKE IF EXISTS ... IGNORE UNKNOWN USER`, MariaDB compound statements that skip
/// exactly the "not held" errors), so a migration that failed half way succeeds when
/// it is run again.
extension MySQLDialect {
    public func renderMigration(_ changes: [Change], context: MigrationContext) -> [MigrationSection] {
        var migration = MySQLMigration(context: context, dialect: self)
        for change in changes { migration.add(change) }
        return migration.sections()
    }
}

struct MySQLMigration {
    typealias Q = MySQLQuoting
    typealias Fact = MySQLRenderer.ServerFact
    /// A membership taken away from some accounts; `adminOnly`: only its admin option
    /// (MariaDB); `regrant`: granted again right after the revoke (MySQL, which has no
    /// REVOKE ADMIN OPTION FOR: the membership goes and comes back without the option).
    /// `member`: the principal whose accounts they are (nil: an umbrella role).
    typealias MembershipRevoke = (role: String, member: String?, accounts: [String], adminOnly: Bool, regrant: IRMembership?)

    let context: MigrationContext
    /// The renderer of the state before (resolves what is taken away) and after (what is added).
    let old: MySQLRenderer
    let new: MySQLRenderer
    var maria: Bool { new.maria }
    var displayName: String { new.dialect.displayName }

    // Step 0-1: principals and their attributes.
    var created: [IRPrincipal] = []
    /// Users whose new verifier may need an authentication plugin loaded first.
    var verified: [IRPrincipal] = []
    var creates: [String] = []
    var alters: [String] = []
    // Step 3 and 5: memberships and privileges added.
    var grantedMemberships: [IRMembership] = []
    var membershipStatements: [String] = []
    var grantedFacts: [Fact] = []
    // Step 6-8: taken away.
    var revokedFacts: [Fact] = []
    /// (account, target) whose grant option may go (if the new policy keeps none there).
    var revokedOptions: [Fact] = []
    var revokedMemberships: [MembershipRevoke] = []
    var droppedPrincipals: [IRPrincipal] = []
    var drops: [String] = []
    /// The accounts (and roles) the drops remove: nothing needs revoking from them first.
    var droppedAccounts: Set<String> = []
    var notes: [String] = []
    /// Users whose memberships, accounts or default roles changed: their default role
    /// (and MariaDB umbrella role) is converged.
    var touched: Set<String> = []
    /// Principals whose kind changed (a role became a user or the reverse): their
    /// accounts are replaced at their step, and the new ones get every membership and
    /// privilege of the new policy (the diff saw no change in those).
    var replaced: Set<String> = []
    /// Users whose default roles are set again whatever changed (members of a new role account).
    var resetDefaults: Set<String> = []
    /// Accounts a principal gets in this migration (new hosts, a new kind of account):
    /// they receive the principal's memberships and privileges from the new policy.
    var newAccounts: [String: Set<String>] = [:]

    init(context: MigrationContext, dialect: MySQLDialect) {
        self.context = context
        old = MySQLRenderer(ir: context.before, options: RenderOptions(), dialect: dialect)
        new = MySQLRenderer(ir: context.after, options: RenderOptions(), dialect: dialect)
        oldNames = Set(context.before.principals.map(\.name))
        newNames = Set(context.after.principals.map(\.name))
    }

    /// Names the old policy declares (what is taken away is held by its accounts).
    let oldNames: Set<String>
    let newNames: Set<String>

    /// The renderer whose IR knows the principal (the old one first).
    func holder(_ name: String?) -> MySQLRenderer {
        guard let name, oldNames.contains(name) else { return new }
        return old
    }

    mutating func note(_ text: String) {
        notes.append("-- " + text.replacingAll("\n", with: " ").replacingAll("\r", with: " "))
    }

    // MARK: changes

    mutating func add(_ change: Change) {
        switch change {
        case .createPrincipal(let p):
            touched.insert(p.name)
            created.append(p)
            verified.append(p)
        case .dropPrincipal(let p, let successor):
            // MySQL accounts own no objects (there is nothing to reassign, unlike
            // PostgreSQL's REASSIGN OWNED): DROP USER / DROP ROLE takes the account's
            // privileges and memberships with it.
            touched.insert(p.name)
            droppedPrincipals.append(p)
            if let successor { note("\(p.name) owns nothing in \(displayName): nothing to reassign to \(successor)") }
        case .dropAbsent(let a, let successor):
            drops.append(old.dropAbsent(a))
            droppedAccounts.insert(a.kind == .user ? Q.account(a.name, host: "%") : old.roleName(a.name))
            if let successor { note("\(a.name) owns nothing in \(displayName): nothing to reassign to \(successor)") }
        case .alterPrincipal(let from, let to):
            alter(from, to)
        case .setSetting(let s, _), .resetSetting(let s):
            // Lowering refuses role settings for MySQL and MariaDB; should one arrive, say so.
            note("setting \(s.name) of \(s.role): \(displayName) has no role settings; nothing to do")
        case .grantMembership(let m, let previous):
            touched.insert(m.member)
            if previous?.admin == true && !m.admin {
                // MariaDB takes the admin option alone; MySQL has no such REVOKE: the
                // membership goes and comes back without it, in the revoke step (a
                // GRANT before it would change nothing).
                let accounts = old.accounts(m.member)
                revokedMemberships.append((m.role, m.member, accounts, adminOnly: maria, regrant: maria ? nil : m))
                if !maria { resetDefaults.insert(m.member) }
            } else {
                grantedMemberships.append(m)
            }
        case .revokeMembership(let m):
            touched.insert(m.member)
            revokedMemberships.append((m.role, m.member, holder(m.member).accounts(m.member), adminOnly: false, regrant: nil))
        case .setOwner(let o, _):
            note("\(o.scope.rawValue) \(o.name) owned by \(o.owner): \(displayName) databases have no owner; nothing to do")
        case .grant(let g), .grantGrantOption(let g):
            grant(g)
        case .revoke(let g):
            if g.grantee == .publicRole && !maria {
                note("revoke \(g.privilege.lowercased()) on \(g.object.display) from public: MySQL has no PUBLIC role, so nobody holds it that way")
                return
            }
            let facts = holder(g.grantee.name).serverFacts([g])
            revokedFacts += facts
            if g.grantable { revokedOptions += facts }
        case .revokeGrantOption(let g):
            revokedOptions += holder(g.grantee.name).serverFacts([g])
        case .grantDefault(let d), .revokeDefault(let d), .replaceDefault(_, let d), .stopEnforcingDefault(let d):
            // A grant on `S.*` covers future objects: MySQL IRs carry no default privileges.
            note("default privileges on future \(d.kind.rawValue) for \(d.grantee.display): \(displayName) grants on 'S.*' cover future objects; nothing to do")
        case .stopEnforcing(let g):
            note("revoke \(g.privilege.lowercased()) on \(g.object.display) from \(g.grantee.display) is no longer declared: nothing is granted back")
        }
    }

    mutating func grant(_ g: IRGrant) {
        if g.grantee == .publicRole && !maria {
            note("grant \(g.privilege.lowercased()) on \(g.object.display) to public: MySQL has no PUBLIC role; nothing to grant")
            return
        }
        if let name = g.grantee.name, !newNames.contains(name) {
            // Only a revoke's inverse names a principal the migration drops.
            note("\(g.privilege.lowercased()) on \(g.object.display) to \(name): \(name) is dropped by this migration; nothing to grant")
            return
        }
        grantedFacts += new.serverFacts([g])
    }

    mutating func alter(_ from: IRPrincipal, _ to: IRPrincipal) {
        touched.insert(to.name)
        let managed = !from.external && !to.external
        if managed && old.isUser(from) != new.isUser(to) {
            replace(from, to)
            return
        }
        if (to.comment ?? "") != (from.comment ?? ""), to.comment != nil {
            note("comment of \(to.name) changed: it stays in the policy (\(displayName) keeps no account comments here)")
        }
        guard new.isUser(to) else { return }
        let before = old.hosts(from), after = new.hosts(to)
        let added = to.external ? [] : after.filter { !before.contains($0) }
        let removed = to.external ? [] : before.filter { !after.contains($0) }
        if !removed.isEmpty {
            drops += old.dropPrincipal(from, hosts: removed)
            droppedAccounts.formUnion(removed.map { Q.account(from.name, host: $0) })
        }
        if !added.isEmpty {
            creates += new.userStatements(to, hosts: added)
            newAccounts[to.name, default: []].formUnion(added.map { Q.account(to.name, host: $0) })
            verified.append(to)
        }
        let verifier = new.verifier(to)
        let changedVerifier = verifier != old.verifier(from) ? verifier : nil
        // A managed user that no longer has a verifier is locked, as a new one is created.
        let lock: Bool? = verifier == nil && old.verifier(from) != nil && !to.external ? true : nil
        let limit = to.connectionLimit != from.connectionLimit ? to.connectionLimit : nil
        for host in after where !added.contains(host) {
            if let statement = new.alterUser(Q.account(to.name, host: host), verifier: changedVerifier, limit: limit, lock: lock) {
                alters.append(statement)
            }
        }
        if changedVerifier != nil { verified.append(to) }
    }

    /// A role that became a user, or the reverse: another kind of account. An account
    /// both kinds name (MySQL's `'x'@'%'`: a role is a locked account there) is
    /// converted in place, keeping what it holds; the new kind's other accounts are
    /// created with the principals (MariaDB's role `x` and user `'x'@'%'` coexist), and
    /// the old kind's other accounts are dropped with the principals, at the end.
    mutating func replace(_ from: IRPrincipal, _ to: IRPrincipal) {
        let before = old.accounts(from.name), after = new.accounts(to.name)
        let kept = Set(after.filter(before.contains))
        let removed = before.filter { !kept.contains($0) }
        let added = after.filter { !kept.contains($0) }
        if old.isUser(from) {
            let hosts = old.hosts(from).filter { removed.contains(Q.account(from.name, host: $0)) }
            if !hosts.isEmpty { drops += old.dropPrincipal(from, hosts: hosts) }
        } else if !removed.isEmpty {
            drops += old.dropPrincipal(from)
        }
        droppedAccounts.formUnion(removed)
        if new.isUser(to) {
            creates += new.userStatements(to, hosts: new.hosts(to).filter { added.contains(Q.account(to.name, host: $0)) })
            // A role account is locked without a verifier: a user given one is unlocked.
            for account in after where kept.contains(account) {
                if let statement = new.alterUser(account, verifier: new.verifier(to), limit: to.connectionLimit, lock: nil) {
                    alters.append(statement)
                }
            }
        } else if !added.isEmpty {
            creates.append(new.createRole(to))
        } else {
            // MySQL: the user account becomes a role, locked as CREATE ROLE makes one.
            alters += after.map { "ALTER USER \($0) ACCOUNT LOCK;" }
        }
        verified.append(to)
        replaced.insert(to.name)
        newAccounts[to.name, default: []].formUnion(added)
    }

    // MARK: derived state

    /// Everything the new policy gives a principal's new `accounts`: its memberships
    /// and privileges, and for a new role account its members (the diff saw no change
    /// in those, but the new accounts do not hold them).
    mutating func bringAlong(_ p: IRPrincipal, accounts: Set<String>) {
        let after = context.after
        membershipStatements += new.membershipGrants(after.memberships.filter { $0.member == p.name }, only: accounts)
        if !new.isUser(p), accounts.contains(new.roleName(p.name)) {
            let members = after.memberships.filter { $0.role == p.name }
            membershipStatements += new.membershipGrants(members)
            resetDefaults.formUnion(members.map(\.member))
            touched.formUnion(members.map(\.member))
        }
        grantedFacts += new.serverFacts(after.grants.filter { $0.grantee.name == p.name }).filter { accounts.contains($0.account) }
    }

    /// Default roles, and MariaDB's umbrella roles, of the users whose memberships or
    /// accounts changed: the full script's decisions for the old and the new policy,
    /// and the statements that take one to the other.
    mutating func defaultRoles() -> [(user: String, statements: [String])] {
        var result: [(user: String, statements: [String])] = []
        let createdNames = Set(created.map(\.name))
        var oldUmbrellas: [String: MySQLRenderer.Umbrella] = [:], newUmbrellas: [String: MySQLRenderer.Umbrella] = [:]
        if maria {
            for u in old.umbrellaRoles() { oldUmbrellas[u.user] = u }
            for u in new.umbrellaRoles() { newUmbrellas[u.user] = u }
        }
        for name in touched.sorted() {
            let before = old.principal(name), after = new.principal(name)
            let fresh = replaced.contains(name) || resetDefaults.contains(name)
            if maria {
                let wasUmbrella = before == nil ? nil : oldUmbrellas[name], isUmbrella = after == nil ? nil : newUmbrellas[name]
                switch (wasUmbrella, isUmbrella) {
                case (let was?, nil):
                    drops.append("DROP ROLE IF EXISTS \(Q.identifier(was.umbrella));")
                case (nil, let umbrella?):
                    creates.append(new.createUmbrella(umbrella.umbrella))
                    membershipStatements += new.umbrellaGrants(umbrella, roles: umbrella.roles, to: new.accounts(name))
                case (let was?, let umbrella?):
                    let gone = was.roles.filter { !umbrella.roles.contains($0) }
                    for role in gone { revokedMemberships.append((role, nil, [Q.identifier(umbrella.umbrella)], adminOnly: false, regrant: nil)) }
                    let oldAccounts = fresh ? [] : Set(old.accounts(name))
                    membershipStatements += new.umbrellaGrants(umbrella, roles: umbrella.roles.filter { !was.roles.contains($0) },
                                                               to: new.accounts(name).filter { !oldAccounts.contains($0) })
                case (nil, nil):
                    break
                }
            }
            guard let after else { continue }
            var statements: [String] = []
            defer { if !statements.isEmpty { result.append((name, statements)) } }
            let now = new.defaultRoleStatements(after)
            let then = before.map(old.defaultRoleStatements) ?? []
            if fresh || createdNames.contains(name) {
                statements += now
            } else if maria {
                let previous = Set(then)
                statements += now.filter { !previous.contains($0) }
            } else if now != then || before.flatMap(old.loginRoles) != new.loginRoles(after) {
                // MySQL's `DEFAULT ROLE ALL` means the roles granted when it runs: set it again.
                statements += now
            }
        }
        return result
    }

    // MARK: sections

    mutating func sections() -> [MigrationSection] {
        // A kind change that arrives as a drop and a create of one name is a replacement.
        for p in droppedPrincipals {
            if let index = created.firstIndex(where: { $0.name == p.name }) {
                let to = created.remove(at: index)
                verified.removeAll { $0.name == p.name }
                replace(p, to)
            } else {
                drops += old.dropPrincipal(p)
                droppedAccounts.formUnion(old.accounts(p.name))
            }
        }
        for (name, accounts) in newAccounts.sorted(by: { $0.key < $1.key }) {
            guard let p = new.principal(name), !accounts.isEmpty else { continue }
            bringAlong(p, accounts: accounts)
        }
        let defaults = defaultRoles()

        // Privileges the new policy still gives (through another fact that maps to the
        // same server privilege, say `select on schema` and `select on all tables`) stay.
        func key(_ f: Fact) -> Fact { var f = f; f.grantable = false; return f }
        let afterFacts = new.serverFacts(context.after.grants)
        let held = Set(afterFacts.map(key))
        struct Place: Hashable { var account: String; var target: String }
        let options = Set(afterFacts.filter(\.grantable).map { Place(account: $0.account, target: $0.target) })
        var revoked = unique(revokedFacts.map(key).filter { !held.contains($0) && !droppedAccounts.contains($0.account) })
        for fact in revokedOptions where !options.contains(Place(account: fact.account, target: fact.target)) && !droppedAccounts.contains(fact.account) {
            revoked.append(Fact(account: fact.account, target: fact.target, privilege: "GRANT OPTION", column: nil, grantable: false))
        }
        revoked = unique(revoked)
        // A table-level REVOKE also takes the privilege off every column (the grants
        // before it included): the column privileges the new policy keeps are granted
        // again right after it, and not before.
        struct Held: Hashable { var account: String; var target: String; var privilege: String }
        var columnFacts: [Held: [Fact]] = [:]
        for fact in afterFacts where fact.column != nil {
            columnFacts[Held(account: fact.account, target: fact.target, privilege: fact.privilege), default: []].append(fact)
        }
        var regrants: [Fact] = []
        for fact in revoked where fact.column == nil {
            regrants += columnFacts[Held(account: fact.account, target: fact.target, privilege: fact.privilege)] ?? []
        }
        regrants = unique(regrants)
        let regranted = Set(regrants)
        let granted = unique(grantedFacts).filter { !regranted.contains($0) }

        // DROP takes an account's memberships, and a role's, with it.
        let membershipRevokes = revokedMemberships.compactMap { pair -> MembershipRevoke? in
            let accounts = pair.accounts.filter { !droppedAccounts.contains($0) }
            return accounts.isEmpty || droppedAccounts.contains(old.roleName(pair.role)) ? nil
                : (pair.role, pair.member, accounts, pair.adminOnly, pair.regrant)
        }

        let plain = { (statements: [String]) in statements.map { MigrationStatement($0) } }
        var sections: [MigrationSection] = []
        func add(_ title: String, _ statements: [MigrationStatement]) {
            if !statements.isEmpty { sections.append(MigrationSection(title, statements)) }
        }
        let createStatements = created.filter { !$0.external }.flatMap { p in
            new.isUser(p) ? new.userStatements(p) : [new.createRole(p)]
        } + creates
        add("Create principals", new.plugins(verified) + plain(unique(createStatements)))
        add("Converge attributes", plain(unique(alters)))
        add("Grant memberships", plain(unique(new.membershipGrants(grantedMemberships) + membershipStatements)))
        add("Grant privileges", plain(new.grantStatements(granted)))
        // After every grant, before every revoke: a login activates roles that hold what they should.
        add("Default roles (activated at login)", plain(unique(defaults.flatMap(\.statements))))
        add("Revoke privileges", new.revokeStatements(revoked, thenGrant: regrants))
        add("Revoke memberships", revokeMemberships(membershipRevokes))
        if !maria {
            // A revoked role leaves MySQL's default roles; `DEFAULT ROLE ALL` set above
            // also named the roles revoked since: set them again.
            let members = Set(membershipRevokes.compactMap(\.member))
            add("Default roles again (after the revokes)", plain(unique(defaults.filter { members.contains($0.user) }.flatMap(\.statements))))
        }
        add("Drop principals", plain(unique(drops)))
        add("Notes", plain(notes))
        if sections.contains(where: { $0.title != "Notes" }) {
            sections.insert(MigrationSection("Session", [MigrationStatement(new.sqlMode)]), at: 0)
        }
        return sections
    }

    /// The membership revokes; on MySQL a membership that only loses its admin option
    /// is granted again right after its revoke.
    func revokeMemberships(_ revokes: [MembershipRevoke]) -> [MigrationStatement] {
        if maria { return new.membershipRevokes(revokes.map { ($0.role, $0.accounts, $0.adminOnly) }) }
        return revokes.flatMap { revoke in
            new.membershipRevokes([(revoke.role, revoke.accounts, revoke.adminOnly)])
                + new.membershipGrants(revoke.regrant.map { [$0] } ?? [], only: Set(revoke.accounts)).map { MigrationStatement($0) }
        }
    }

    func unique<T: Hashable>(_ items: [T]) -> [T] {
        var seen: Set<T> = []
        return items.filter { seen.insert($0).inserted }
    }
}
