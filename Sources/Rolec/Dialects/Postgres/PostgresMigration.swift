/// Renders one direction of a PostgreSQL migration: the changes of a `ChangeSet`,
/// grouped by step into titled sections, each rendered by the full script's section
/// functions (PostgresRenderer) on the changed facts only.
extension PostgresDialect {
    public func renderMigration(_ changes: [Change], context: MigrationContext) -> [MigrationSection] {
        PostgresMigration(context: context, dialect: self).sections(changes)
    }
}

/// The statements of one migration direction. Decisions (dialects/postgres.md,
/// "Migrations"): statements are idempotent where PostgreSQL allows; what a dropped
/// role holds goes with it (`DROP OWNED`, `DROP ROLE`) instead of being revoked one by
/// one, so the migration also runs in a second database after the role is gone; a
/// REVOKE also takes the privilege from what its object covers (a bulk grant's
/// objects, a table's columns), so the facts still held there are granted again, and
/// the revokes still declared are applied again after grants that reach them.
struct PostgresMigration {
    let context: MigrationContext
    let renderer: PostgresRenderer
    typealias Q = PostgresQuoting

    init(context: MigrationContext, dialect: PostgresDialect) {
        self.context = context
        // The newer facts (names, membership defaults, version) are those of the IR the changes lead to.
        renderer = PostgresRenderer(ir: context.after, options: RenderOptions(), dialect: dialect)
    }

    /// A grant's identity, without its grant option.
    struct GrantKey: Hashable {
        var grantee: PrincipalRef, privilege: String, object: IRObject, column: String?
        init(_ g: IRGrant) { (grantee, privilege, object, column) = (g.grantee, g.privilege, g.object, g.column) }
    }

    /// The changes sorted into what each section renders.
    struct Buckets {
        var creates: [IRPrincipal] = []
        var alters: [(from: IRPrincipal, to: IRPrincipal)] = []
        var settings: [IRSetting] = []
        var resets: [IRSetting] = []
        var newMemberships: [IRMembership] = []
        var changedMemberships: [(now: IRMembership, previous: IRMembership)] = []
        var owners: [IROwnership] = []
        var grants: [IRGrant] = []
        var defaultGrants: [IRDefaultGrant] = []
        var defaultGrantOptionRevokes: [IRDefaultGrant] = []
        var revokes: [IRGrant] = []
        var grantOptionRevokes: [IRGrant] = []
        var defaultRevokes: [IRDefaultGrant] = []
        var stopped: [IRGrant] = []
        var stoppedDefaults: [IRDefaultGrant] = []
        var revokedMemberships: [IRMembership] = []
        var drops: [(name: String, successor: String?)] = []
    }

    func sections(_ changes: [Change]) -> [MigrationSection] {
        let b = buckets(changes)
        var sections: [MigrationSection] = []
        func add(_ title: String, _ statements: [MigrationStatement]) {
            if !statements.isEmpty { sections.append(MigrationSection(title, statements)) }
        }
        func add(_ title: String, _ statements: [String]) {
            add(title, statements.map { MigrationStatement($0) })
        }
        // The DO blocks (create, drop) are compound: they hold semicolons of their own.
        add("Create principals", b.creates.flatMap { p in
            [MigrationStatement(renderer.createRole(p.name), compound: true)]
                + renderer.principalStatements(p, from: nil, create: false).map { MigrationStatement($0) }
        })
        add("Converge attributes", b.alters.flatMap(alter))
        add("Settings", renderer.settings(b.settings) + renderer.resetSettings(b.resets))
        add("Memberships", renderer.memberships(b.newMemberships)
            + b.changedMemberships.sorted { $0.now < $1.now }.flatMap(changedMembership))
        add("Ownership", renderer.ownership(b.owners))
        add("Grant privileges", renderer.grantStatements(b.grants, .grant))
        add("Default privileges for future objects", renderer.defaultStatements(b.defaultGrants, .grant)
            + renderer.defaultStatements(b.defaultGrantOptionRevokes, .revokeGrantOption))
        add("Revoke privileges", renderer.grantStatements(b.revokes, .revoke)
            + renderer.grantStatements(b.grantOptionRevokes, .revokeGrantOption))
        let regrants = grantedAgain(b)
        add("Privileges still held, granted again (a REVOKE also reaches the objects of a bulk grant and a table's columns)",
            renderer.grantStatements(regrants, .grant))
        add("Revokes the policy still declares, applied again (the grants above reach them too)",
            renderer.grantStatements(revokedAgain(b, regrants: regrants), .revoke))
        add("Revoke default privileges", renderer.defaultStatements(b.defaultRevokes, .revoke))
        add("No longer enforced", comment("no longer enforced, nothing is granted back", renderer.grantStatements(b.stopped, .revoke)
            + renderer.defaultStatements(b.stoppedDefaults, .revoke)))
        add("Revoke memberships", revokeMemberships(b.revokedMemberships))
        add("Drop principals", b.drops.map { MigrationStatement(renderer.dropRole($0.name, successor: $0.successor), compound: true) })
        return sections
    }

    func comment(_ why: String, _ statements: [String]) -> [String] {
        statements.map { "-- \(why): \($0)" }
    }

    func buckets(_ changes: [Change]) -> Buckets {
        var b = Buckets()
        // What a dropped role holds is dropped with it (DROP OWNED BY, DROP ROLE): its own
        // revokes would fail where it is gone already (a second database, a re-run).
        var dropped: Set<String> = []
        for change in changes {
            switch change {
            case .dropPrincipal(let p, _): dropped.insert(p.name)
            case .dropAbsent(let a, _): dropped.insert(a.name)
            default: break
            }
        }
        func gone(_ name: String?) -> Bool { name.map(dropped.contains) ?? false }
        for change in changes {
            switch change {
            case .createPrincipal(let p): b.creates.append(p)
            case .alterPrincipal(let from, let to): b.alters.append((from, to))
            case .setSetting(let s, _): b.settings.append(s)
            case .resetSetting(let s): if !gone(s.role) { b.resets.append(s) }
            case .grantMembership(let m, let previous):
                if let previous { b.changedMemberships.append((m, previous)) } else { b.newMemberships.append(m) }
            case .revokeMembership(let m): if !gone(m.role) && !gone(m.member) { b.revokedMemberships.append(m) }
            case .setOwner(let o, _): b.owners.append(o)
            case .grant(let g), .grantGrantOption(let g): b.grants.append(g)
            case .revoke(let g): if !gone(g.grantee.name) { b.revokes.append(withoutOption(g)) }
            case .revokeGrantOption(let g): if !gone(g.grantee.name) { b.grantOptionRevokes.append(withoutOption(g)) }
            case .grantDefault(let d): b.defaultGrants.append(d)
            case .replaceDefault(let from, let to):
                // Only the grant option differs: add it, or take it away alone.
                if to.grantable { b.defaultGrants.append(to) } else { b.defaultGrantOptionRevokes.append(from) }
            case .revokeDefault(let d):
                if !gone(d.grantee.name) && !gone(d.creator) { b.defaultRevokes.append(withoutOption(d)) }
            case .stopEnforcing(let g): b.stopped.append(g)
            case .stopEnforcingDefault(let d): b.stoppedDefaults.append(d)
            case .dropPrincipal(let p, let successor): b.drops.append((p.name, successor))
            case .dropAbsent(let a, let successor): b.drops.append((a.name, successor))
            }
        }
        return b
    }

    /// A REVOKE names no grant option: facts that differ only in it share a statement.
    func withoutOption(_ g: IRGrant) -> IRGrant {
        var g = g
        g.grantable = false
        return g
    }

    func withoutOption(_ d: IRDefaultGrant) -> IRDefaultGrant {
        var d = d
        d.grantable = false
        return d
    }

    // MARK: principals and memberships

    /// Converges what changed; on 16+ a changed INHERIT attribute is also written into
    /// the memberships that follow it (an existing grant keeps the value it got).
    func alter(_ change: (from: IRPrincipal, to: IRPrincipal)) -> [String] {
        var statements = renderer.principalStatements(change.to, from: change.from, create: false)
        if renderer.version >= 16, let inherit = change.to.inherit, change.from.inherit != inherit {
            let existing = Set(context.before.memberships.filter { $0.member == change.to.name }.map(\.role))
            for m in context.after.memberships where m.member == change.to.name && m.inherit == nil && existing.contains(m.role) {
                statements.append("GRANT \(Q.identifier(m.role)) TO \(Q.identifier(m.member)) WITH INHERIT \(inherit ? "TRUE" : "FALSE");")
            }
        }
        // Nothing at all when only unmanaged parts or MySQL/MariaDB notions (hosts,
        // default roles) changed, or an external principal lists nothing.
        return statements
    }

    /// A membership whose options changed. 16+: one GRANT writing the changed options
    /// (a re-GRANT updates the existing grant); 15 has only the admin option.
    func changedMembership(_ change: (now: IRMembership, previous: IRMembership)) -> [String] {
        let (m, previous) = change
        let role = Q.identifier(m.role), member = Q.identifier(m.member)
        guard renderer.version >= 16 else {
            guard m.admin != previous.admin else { return [] }
            return [m.admin ? "GRANT \(role) TO \(member) WITH ADMIN OPTION;" : "REVOKE ADMIN OPTION FOR \(role) FROM \(member);"]
        }
        var options: [String] = []
        func word(_ value: Bool) -> String { value ? "TRUE" : "FALSE" }
        if m.admin != previous.admin { options.append("ADMIN \(word(m.admin))") }
        // nil: the server's default, written out (the grant exists, so it is not applied by itself).
        if m.inherit != previous.inherit {
            options.append("INHERIT \(word(m.inherit ?? context.after.principal(named: m.member)?.inherit ?? true))")
        }
        if m.set != previous.set { options.append("SET \(word(m.set ?? true))") }
        guard !options.isEmpty else { return [] }
        return ["GRANT \(role) TO \(member) WITH \(options.joined(separator: ", "));"]
    }

    func revokeMemberships(_ list: [IRMembership]) -> [String] {
        var members: [String: [String]] = [:]
        for m in list { members[m.role, default: []].append(m.member) }
        return members.keys.sorted().map { role in
            "REVOKE \(Q.identifier(role)) FROM \(members[role, default: []].sorted().map(Q.identifier).joined(separator: ", "));"
        }
    }

    // MARK: privileges

    /// Whether a GRANT or REVOKE on `a` reaches what `b` names: the same object, a bulk
    /// grant's objects, or (for `b` an unqualified name) possibly so.
    static func reaches(_ a: IRObject, _ b: IRObject) -> Bool {
        if a == b { return true }
        func bulk(_ kind: BulkKind, _ schema: String, _ other: IRObject) -> Bool {
            switch other {
            case .relation(let k, let s, _):
                guard s == nil || s == schema else { return false }
                return kind == .tables ? (k == .table || k == .view) : kind == .sequences && k == .sequence
            case .routine(let k, let s, _, _):
                guard s == nil || s == schema else { return false }
                return kind == .routines || (kind == .functions && k == .function) || (kind == .procedures && k == .procedure)
            case .allInSchema(let k, let s):
                let routines: Set<BulkKind> = [.functions, .procedures, .routines]
                return s == schema && (k == kind || (routines.contains(k) && routines.contains(kind) && (k == .routines || kind == .routines)))
            case .database, .schema, .server:
                return false
            }
        }
        if case .allInSchema(let kind, let schema) = a { return bulk(kind, schema, b) }
        if case .allInSchema(let kind, let schema) = b { return bulk(kind, schema, a) }
        return false
    }

    /// Whether revoking `revoked` takes `held` (same grantee and privilege) away too:
    /// a table-level REVOKE also revokes the privilege on every column.
    static func overlaps(_ revoked: IRGrant, _ held: IRGrant) -> Bool {
        guard revoked.grantee == held.grantee, revoked.privilege == held.privilege else { return false }
        if revoked.column != nil && held.column != nil { return revoked.column == held.column && revoked.object == held.object }
        return reaches(revoked.object, held.object)
    }

    /// The facts still held after the migration that its REVOKEs of dropped grants
    /// (not of revokes the policy declares: those win, as in the full script) or of
    /// grant options also took away.
    func grantedAgain(_ b: Buckets) -> [IRGrant] {
        let declared = Set(context.after.revokes.map(GrantKey.init))
        struct Holder: Hashable { var grantee: PrincipalRef; var privilege: String }
        var revoked: [Holder: [(fact: IRGrant, optionOnly: Bool)]] = [:]
        for g in b.revokes where !declared.contains(GrantKey(g)) {
            revoked[Holder(grantee: g.grantee, privilege: g.privilege), default: []].append((g, false))
        }
        for g in b.grantOptionRevokes {
            revoked[Holder(grantee: g.grantee, privilege: g.privilege), default: []].append((g, true))
        }
        guard !revoked.isEmpty else { return [] }
        return context.after.grants.filter { held in
            revoked[Holder(grantee: held.grantee, privilege: held.privilege)]?.contains { r in
                (!r.optionOnly || held.grantable) && PostgresMigration.overlaps(r.fact, held)
            } ?? false
        }
    }

    /// The revokes the newer policy declares that this migration's grants reach again
    /// (in the full script, revokes run after every grant).
    func revokedAgain(_ b: Buckets, regrants: [IRGrant]) -> [IRGrant] {
        let granted = b.grants + regrants
        guard !granted.isEmpty, !context.after.revokes.isEmpty else { return [] }
        let revokedHere = Set(b.revokes.map(GrantKey.init))
        struct Holder: Hashable { var grantee: PrincipalRef; var privilege: String }
        var grantedBy: [Holder: [IRGrant]] = [:]
        for g in granted { grantedBy[Holder(grantee: g.grantee, privilege: g.privilege), default: []].append(g) }
        return context.after.revokes.filter { r in
            !revokedHere.contains(GrantKey(r))
                && (grantedBy[Holder(grantee: r.grantee, privilege: r.privilege)]?.contains { PostgresMigration.overlaps(r, $0) } ?? false)
        }
    }
}
