/// The difference of two IRs of one target on atomic facts. Linear in the size of
/// both: every fact family is keyed once and looked up, never compared pairwise.
public enum Diff {
    public struct Options: Sendable {
        /// Who receives what a dropped PostgreSQL role owns (`REASSIGN OWNED BY r TO
        /// successor`); nil: the role that runs the migration (CURRENT_USER).
        public var successor: String?
        public init(successor: String? = nil) { self.successor = successor }
    }

    /// The changes that turn `old` into `new`. Both IRs must be lowered for the same target.
    public static func changes(from old: PolicyIR, to new: PolicyIR, options: Options = Options()) -> ChangeSet {
        var up: [Change] = []
        /// Changes whose inverse is not `Change.inverse`.
        var special: [ChangeSet.Step] = []

        // Principals.
        var oldPrincipals: [String: IRPrincipal] = [:]
        for p in old.principals { oldPrincipals[p.name] = p }
        var newNames: Set<String> = []
        for p in new.principals {
            newNames.insert(p.name)
            guard let before = oldPrincipals[p.name] else {
                if p.external {
                    // Exists already: converge what the block lists.
                    up.append(.alterPrincipal(from: Diff.unmanaged(p), to: p))
                } else {
                    up.append(.createPrincipal(p))
                }
                continue
            }
            // A kind change (role <-> user) is an alteration too: on PostgreSQL it is the
            // LOGIN attribute; MySQL/MariaDB, where a role and a user are different
            // accounts, replace the account there, at the same step.
            if before.external && !p.external {
                // Now managed: the account exists (it was external); converge it.
                if Diff.attributesDiffer(before, p) { up.append(.alterPrincipal(from: before, to: p)) }
            } else if Diff.attributesDiffer(before, p) {
                up.append(.alterPrincipal(from: before, to: p))
            }
        }
        for p in old.principals where !newNames.contains(p.name) && !p.external {
            up.append(.dropPrincipal(p, successor: options.successor))
        }
        let oldAbsent = Set(old.absent.map(\.name))
        for a in new.absent where oldPrincipals[a.name] == nil && !oldAbsent.contains(a.name) {
            up.append(.dropAbsent(a, successor: options.successor))
        }

        // Settings.
        struct SettingKey: Hashable { var role: String; var database: String?; var name: String }
        var oldSettings: [SettingKey: IRSetting] = [:]
        for s in old.settings { oldSettings[SettingKey(role: s.role, database: s.database, name: s.name)] = s }
        var newSettings: Set<SettingKey> = []
        for s in new.settings {
            let key = SettingKey(role: s.role, database: s.database, name: s.name)
            newSettings.insert(key)
            if let before = oldSettings[key] {
                if before.values != s.values { up.append(.setSetting(s, previous: before)) }
            } else {
                up.append(.setSetting(s, previous: nil))
            }
        }
        for s in old.settings where !newSettings.contains(SettingKey(role: s.role, database: s.database, name: s.name)) {
            up.append(.resetSetting(s))
        }

        // Memberships.
        struct MemberKey: Hashable { var role: String; var member: String }
        var oldMemberships: [MemberKey: IRMembership] = [:]
        for m in old.memberships { oldMemberships[MemberKey(role: m.role, member: m.member)] = m }
        var newMemberships: Set<MemberKey> = []
        for m in new.memberships {
            let key = MemberKey(role: m.role, member: m.member)
            newMemberships.insert(key)
            if let before = oldMemberships[key] {
                if before != m { up.append(.grantMembership(m, previous: before)) }
            } else {
                up.append(.grantMembership(m, previous: nil))
            }
        }
        for m in old.memberships where !newMemberships.contains(MemberKey(role: m.role, member: m.member)) {
            up.append(.revokeMembership(m))
        }

        // Ownership.
        struct OwnedKey: Hashable { var scope: IROwnership.Scope; var name: String }
        var oldOwners: [OwnedKey: IROwnership] = [:]
        for o in old.ownerships { oldOwners[OwnedKey(scope: o.scope, name: o.name)] = o }
        for o in new.ownerships {
            let before = oldOwners[OwnedKey(scope: o.scope, name: o.name)]
            if before?.owner != o.owner { up.append(.setOwner(o, previous: before)) }
        }

        // Object privileges: a fact is (grantee, privilege, object, column); grantable is its option.
        struct GrantKey: Hashable { var grantee: PrincipalRef; var privilege: String; var object: IRObject; var column: String? }
        func key(_ g: IRGrant) -> GrantKey { GrantKey(grantee: g.grantee, privilege: g.privilege, object: g.object, column: g.column) }
        var oldGrants: [GrantKey: IRGrant] = [:]
        oldGrants.reserveCapacity(old.grants.count)
        for g in old.grants { oldGrants[key(g)] = g }
        var newGrants: [GrantKey: IRGrant] = [:]
        newGrants.reserveCapacity(new.grants.count)
        for g in new.grants { newGrants[key(g)] = g }
        var oldRevokes: Set<GrantKey> = []
        for r in old.revokes { oldRevokes.insert(key(r)) }
        var newRevokes: Set<GrantKey> = []
        for r in new.revokes { newRevokes.insert(key(r)) }

        for g in new.grants {
            let k = key(g)
            if let before = oldGrants[k] {
                if before.grantable != g.grantable {
                    up.append(g.grantable ? .grantGrantOption(g) : .revokeGrantOption(before))
                }
            } else {
                up.append(.grant(g))
            }
        }
        for g in old.grants where newGrants[key(g)] == nil {
            up.append(.revoke(g))
        }
        for r in new.revokes {
            let k = key(r)
            // Held before and revoked now: the revoke above already takes it away.
            if oldRevokes.contains(k) || oldGrants[k] != nil { continue }
            // Undone by granting it back only where the server held it before any policy.
            special.append(ChangeSet.Step(change: .revoke(r), inverse: Diff.serverDefault(r, dialect: new.dialect) ? .grant(r) : nil))
        }
        for r in old.revokes {
            let k = key(r)
            if newRevokes.contains(k) || newGrants[k] != nil { continue }
            up.append(.stopEnforcing(r))
        }

        // Default privileges.
        struct DefaultKey: Hashable {
            var creator: String?; var schema: String?; var kind: DefaultObjectKind; var grantee: PrincipalRef; var privilege: String
        }
        func key(_ d: IRDefaultGrant) -> DefaultKey {
            DefaultKey(creator: d.creator, schema: d.schema, kind: d.kind, grantee: d.grantee, privilege: d.privilege)
        }
        var oldDefaults: [DefaultKey: IRDefaultGrant] = [:]
        for d in old.defaultGrants { oldDefaults[key(d)] = d }
        var newDefaults: [DefaultKey: IRDefaultGrant] = [:]
        for d in new.defaultGrants { newDefaults[key(d)] = d }
        let oldDefaultRevokes = Set(old.defaultRevokes.map(key))
        let newDefaultRevokes = Set(new.defaultRevokes.map(key))
        for d in new.defaultGrants {
            if let before = oldDefaults[key(d)] {
                if before.grantable != d.grantable { up.append(.replaceDefault(from: before, to: d)) }
            } else {
                up.append(.grantDefault(d))
            }
        }
        for d in old.defaultGrants where newDefaults[key(d)] == nil {
            up.append(.revokeDefault(d))
        }
        for r in new.defaultRevokes {
            let k = key(r)
            if oldDefaultRevokes.contains(k) || oldDefaults[k] != nil { continue }
            special.append(ChangeSet.Step(change: .revokeDefault(r),
                                          inverse: Diff.serverDefault(r, dialect: new.dialect) ? .grantDefault(r) : nil))
        }
        for r in old.defaultRevokes {
            let k = key(r)
            if newDefaultRevokes.contains(k) || newDefaults[k] != nil { continue }
            up.append(.stopEnforcingDefault(r))
        }
        return ChangeSet(steps: up.map { ChangeSet.Step(change: $0, inverse: $0.inverse) } + special)
    }

    /// Whether the server gives this privilege to PUBLIC by itself (the dialect knows:
    /// `Dialect.publicHoldsByDefault`). A declared revoke of it is undone by granting it
    /// back; any other declared revoke has nothing to undo (the grantee is not known to
    /// have held it).
    static func serverDefault(_ fact: IRGrant, dialect: String) -> Bool {
        guard fact.grantee == .publicRole, fact.column == nil, !fact.grantable,
              let backend = DialectRegistry.named(dialect) else { return false }
        return backend.publicHoldsByDefault(fact.privilege, on: fact.object)
    }

    static func serverDefault(_ fact: IRDefaultGrant, dialect: String) -> Bool {
        guard fact.grantee == .publicRole, !fact.grantable, let backend = DialectRegistry.named(dialect) else { return false }
        return backend.publicHoldsByDefault(fact.privilege, onFuture: fact.kind)
    }

    /// The principal with nothing managed: what an external principal is before a
    /// policy lists any of its parts.
    static func unmanaged(_ p: IRPrincipal) -> IRPrincipal {
        IRPrincipal(name: p.name, kind: p.kind, external: true, login: nil, superuser: nil, createdb: nil, createrole: nil,
                    replication: nil, bypassrls: nil, inherit: nil, connectionLimit: nil, validUntil: nil, comment: nil,
                    hosts: p.hosts, passwordHashes: [], defaultRoles: nil)
    }

    static func attributesDiffer(_ a: IRPrincipal, _ b: IRPrincipal) -> Bool {
        var x = a
        x.external = b.external
        return x != b
    }
}
