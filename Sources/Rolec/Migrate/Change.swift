/// Migrations: the difference between two IRs of one target as an ordered list of
/// atomic changes, each with an exact inverse (the down migration).

/// One atomic change. Every case carries what its inverse needs.
public enum Change: Hashable, Sendable, Codable {
    /// A principal the old policy did not have (created, then its attributes converged).
    case createPrincipal(IRPrincipal)
    /// Attributes, comment, password, hosts or default roles changed. Only what differs
    /// is converged; a part that became unmanaged (nil) is left as it is.
    case alterPrincipal(from: IRPrincipal, to: IRPrincipal)
    /// A role setting added (`previous` nil) or given another value.
    case setSetting(IRSetting, previous: IRSetting?)
    /// A role setting the new policy no longer has (RESET).
    case resetSetting(IRSetting)
    /// A membership added (`previous` nil) or whose options changed.
    case grantMembership(IRMembership, previous: IRMembership?)
    case revokeMembership(IRMembership)
    /// A schema or database given another owner (`previous` nil: newly declared; its
    /// inverse changes nothing, since the owner before the policy is not known).
    case setOwner(IROwnership, previous: IROwnership?)
    /// A privilege granted (with the grant option when `grantable`).
    case grant(IRGrant)
    /// A privilege taken away: a grant the new policy dropped, or a `revoke` it added.
    case revoke(IRGrant)
    /// The grant option added to a privilege already held.
    case grantGrantOption(IRGrant)
    /// The grant option alone taken away (the privilege stays).
    case revokeGrantOption(IRGrant)
    case grantDefault(IRDefaultGrant)
    case revokeDefault(IRDefaultGrant)
    /// A default privilege whose grant option changed: revoke `from`, grant `to`.
    case replaceDefault(from: IRDefaultGrant, to: IRDefaultGrant)
    /// A principal the new policy no longer has. `successor` receives what it owns
    /// (PostgreSQL `REASSIGN OWNED`); nil: the role that runs the migration.
    case dropPrincipal(IRPrincipal, successor: String?)
    /// An `absent` principal the old policy did not know: dropped if it exists. It has no
    /// inverse (what it was is unknown).
    case dropAbsent(IRAbsent, successor: String?)
    /// A `revoke` the new policy no longer declares: nothing is granted back (a revoke
    /// is never turned into a grant); the migration says so in a comment.
    case stopEnforcing(IRGrant)
    /// The same for a default-privilege revoke.
    case stopEnforcingDefault(IRDefaultGrant)

    /// The order of the steps: create principals, converge attributes, grant
    /// memberships, grant privileges and default privileges, then revoke privileges,
    /// revoke memberships, drop principals. Every prefix of a migration is safe.
    public var step: Int {
        switch self {
        case .createPrincipal: return 0
        case .alterPrincipal: return 1
        case .setSetting, .resetSetting: return 2
        case .grantMembership: return 3
        case .setOwner: return 4
        case .grant, .grantGrantOption, .grantDefault, .replaceDefault: return 5
        case .revoke, .revokeGrantOption, .revokeDefault, .stopEnforcing, .stopEnforcingDefault: return 6
        case .revokeMembership: return 7
        case .dropPrincipal, .dropAbsent: return 8
        }
    }

    /// The phase a change belongs to (`--phase`): principals, attributes, settings and
    /// memberships are `principals`; everything that names an object is `privileges`.
    public var phase: RenderOptions.Phase {
        switch self {
        case .createPrincipal, .alterPrincipal, .setSetting, .resetSetting, .grantMembership, .revokeMembership:
            return .principals
        case .setOwner, .grant, .grantGrantOption, .grantDefault, .replaceDefault, .revoke, .revokeGrantOption,
             .revokeDefault, .stopEnforcing, .stopEnforcingDefault, .dropPrincipal, .dropAbsent:
            return .privileges
        }
    }

    /// The change that undoes this one; nil when there is nothing to undo.
    public var inverse: Change? {
        switch self {
        case .createPrincipal(let p): return .dropPrincipal(p, successor: nil)
        case .alterPrincipal(let from, let to): return .alterPrincipal(from: to, to: from)
        case .setSetting(let s, let previous): return previous.map { .setSetting($0, previous: s) } ?? .resetSetting(s)
        case .resetSetting(let s): return .setSetting(s, previous: nil)
        case .grantMembership(let m, let previous): return previous.map { .grantMembership($0, previous: m) } ?? .revokeMembership(m)
        case .revokeMembership(let m): return .grantMembership(m, previous: nil)
        case .setOwner(let o, let previous): return previous.map { .setOwner($0, previous: o) }
        case .grant(let g): return .revoke(g)
        case .revoke(let g): return .grant(g)
        case .grantGrantOption(let g): return .revokeGrantOption(g)
        case .revokeGrantOption(let g): return .grantGrantOption(g)
        case .grantDefault(let d): return .revokeDefault(d)
        case .revokeDefault(let d): return .grantDefault(d)
        case .replaceDefault(let from, let to): return .replaceDefault(from: to, to: from)
        case .dropPrincipal(let p, _): return .createPrincipal(p)
        case .dropAbsent: return nil
        case .stopEnforcing, .stopEnforcingDefault: return nil
        }
    }

    /// Sorts changes into steps, keeping the order within a step.
    static func ordered(_ changes: [Change]) -> [Change] {
        var buckets = [[Change]](repeating: [], count: 9)
        for change in changes { buckets[change.step].append(change) }
        return buckets.flatMap { $0 }
    }
}

/// The changes from one IR to another, up and down.
public struct ChangeSet: Sendable, Hashable {
    /// One change of the up migration and what undoes it (nil: nothing to undo).
    public struct Step: Sendable, Hashable {
        public var change: Change
        public var inverse: Change?
    }

    public private(set) var steps: [Step]
    public private(set) var up: [Change]
    public private(set) var down: [Change]
    public var isEmpty: Bool { up.isEmpty && down.isEmpty }

    /// Every change undone by `Change.inverse`.
    public init(up: [Change]) {
        self.init(steps: up.map { Step(change: $0, inverse: $0.inverse) })
    }

    /// Changes with their own inverses (a declared revoke is undone only where the server
    /// held the privilege before any policy: see `Diff`).
    init(steps: [Step]) {
        var buckets = [[Step]](repeating: [], count: 9)
        for step in steps { buckets[step.change.step].append(step) }
        self.steps = buckets.flatMap { $0 }
        self.up = self.steps.map(\.change)
        self.down = Change.ordered(self.steps.reversed().compactMap(\.inverse))
    }

    /// Only the changes of one phase (nil: all).
    public func restricted(to phase: RenderOptions.Phase?) -> ChangeSet {
        guard let phase else { return self }
        return ChangeSet(steps: steps.filter { $0.change.phase == phase })
    }
}

/// A statement of a migration. `compound` statements contain semicolons of their own
/// (a PostgreSQL DO block, a MariaDB `BEGIN NOT ATOMIC` block): a migration tool that
/// splits on semicolons, or a client that needs `DELIMITER`, must be told.
public struct MigrationStatement: Hashable, Sendable {
    public var sql: String
    public var compound: Bool
    public init(_ sql: String, compound: Bool = false) {
        self.sql = sql
        self.compound = compound
    }
}

/// A titled group of statements (`-- Revoke privileges`).
public struct MigrationSection: Hashable, Sendable {
    public var title: String
    public var statements: [MigrationStatement]
    public init(_ title: String, _ statements: [MigrationStatement]) {
        self.title = title
        self.statements = statements
    }
}

/// What a dialect needs to render one direction of a migration.
public struct MigrationContext: Sendable {
    /// The IR before the changes run (for a down migration: the newer policy).
    public var before: PolicyIR
    /// The IR the changes lead to.
    public var after: PolicyIR
    public init(before: PolicyIR, after: PolicyIR) {
        self.before = before
        self.after = after
    }
}
