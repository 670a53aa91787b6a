import Testing
@testable import Rolec

/// The diff of two IRs: atomic changes, their order, and the exact inverse (down).
@Suite("Diff")
struct DiffTests {
    func ir(_ text: String, dialect: any Dialect = PostgresDialect(), version: String? = nil) throws -> PolicyIR {
        let compilation = Compilation(files: [SourceFile(id: 0, path: "t.roles", text: text)])
        let (ir, diagnostics) = compilation.lower(for: Target(dialect: dialect, version: version ?? dialect.defaultVersion))
        let errors = (compilation.parseDiagnostics + diagnostics).filter(\.isError)
        #expect(errors.isEmpty, "\(errors.map(\.message))")
        return ir
    }

    func empty(_ dialect: any Dialect = PostgresDialect()) -> PolicyIR {
        PolicyIR(dialect: dialect.name, serverVersion: dialect.defaultVersion)
    }

    /// Applies changes to an IR's fact sets: what the database would hold afterwards.
    /// A test oracle independent of the renderers.
    struct State: Equatable {
        var principals: [String: IRPrincipal] = [:]
        var memberships: Set<String> = []
        var grants: Set<String> = []
        var defaults: Set<String> = []
        var settings: [String: [String]] = [:]

        /// `serverDefaults`: what the server holds before any policy (PUBLIC's defaults, which
        /// a policy's `revoke` takes away and an inverse grants back).
        init(_ ir: PolicyIR, serverDefaults: [IRGrant] = []) {
            for g in serverDefaults { grants.insert(State.key(g) + "|false") }
            for r in ir.revokes { grants.remove(State.key(r) + "|false") }
            for p in ir.principals where !p.external { principals[p.name] = p }
            for m in ir.memberships { memberships.insert("\(m.role)|\(m.member)|\(m.admin)|\(String(describing: m.inherit))") }
            for g in ir.grants { grants.insert(State.key(g) + "|\(g.grantable)") }
            for d in ir.defaultGrants { defaults.insert(State.key(d) + "|\(d.grantable)") }
            for s in ir.settings { settings["\(s.role)|\(s.database ?? "")|\(s.name)"] = s.values }
        }

        /// The new policy's state, except that revokes it no longer declares stay in force.
        static func afterUp(_ new: PolicyIR, _ set: ChangeSet, serverDefaults: [IRGrant]) -> State {
            var state = State(new, serverDefaults: serverDefaults)
            for case .stopEnforcing(let g) in set.up { state.grants.remove(State.key(g) + "|false") }
            return state
        }

        static func key(_ g: IRGrant) -> String { "\(g.grantee.display)|\(g.privilege)|\(g.object.display)|\(g.column ?? "")" }
        static func key(_ d: IRDefaultGrant) -> String { "\(d.creator ?? "")|\(d.schema ?? "")|\(d.kind)|\(d.grantee.display)|\(d.privilege)" }

        mutating func apply(_ changes: [Change]) {
            for change in changes {
                switch change {
                case .createPrincipal(let p): principals[p.name] = p
                case .alterPrincipal(_, let to): if !to.external { principals[to.name] = to }
                case .setSetting(let s, _): settings["\(s.role)|\(s.database ?? "")|\(s.name)"] = s.values
                case .resetSetting(let s): settings["\(s.role)|\(s.database ?? "")|\(s.name)"] = nil
                case .grantMembership(let m, let previous):
                    if let p = previous { memberships.remove("\(p.role)|\(p.member)|\(p.admin)|\(String(describing: p.inherit))") }
                    memberships.insert("\(m.role)|\(m.member)|\(m.admin)|\(String(describing: m.inherit))")
                case .revokeMembership(let m): memberships.remove("\(m.role)|\(m.member)|\(m.admin)|\(String(describing: m.inherit))")
                case .setOwner: break
                case .grant(let g): grants.insert(State.key(g) + "|\(g.grantable)")
                case .revoke(let g): grants.remove(State.key(g) + "|true"); grants.remove(State.key(g) + "|false")
                case .grantGrantOption(let g): grants.remove(State.key(g) + "|false"); grants.insert(State.key(g) + "|true")
                case .revokeGrantOption(let g): grants.remove(State.key(g) + "|true"); grants.insert(State.key(g) + "|false")
                case .grantDefault(let d): defaults.insert(State.key(d) + "|\(d.grantable)")
                case .revokeDefault(let d): defaults.remove(State.key(d) + "|true"); defaults.remove(State.key(d) + "|false")
                case .replaceDefault(let from, let to):
                    defaults.remove(State.key(from) + "|\(from.grantable)"); defaults.insert(State.key(to) + "|\(to.grantable)")
                case .dropPrincipal(let p, _): principals[p.name] = nil
                case .dropAbsent(let a, _): principals[a.name] = nil
                case .stopEnforcing, .stopEnforcingDefault: break
                }
            }
        }
    }

    static let v1 = """
    external role owner
    schema s owned by owner
    role r { grant select on table s.t
             set statement_timeout = '3s' }
    role w { member of r
             grant insert, update on table s.t
             grant select on all tables in schema s }
    user u { member of w
             connection limit 5 }
    user gone { member of r }
    revoke temporary on database d from public
    """

    static let v2 = """
    external role owner
    schema s owned by owner
    role r { grant select on table s.t with grant option
             set statement_timeout = '5s' }
    role w { member of r with admin option
             grant insert on table s.t
             grant select on all tables in schema s }
    user u { member of w
             connection limit 9 }
    user fresh { member of r }
    revoke connect on database d from public
    """

    @Test func noChangeBetweenEqualPolicies() throws {
        let a = try ir(Self.v1)
        #expect(Diff.changes(from: a, to: a).isEmpty)
    }

    @Test func changesAreAtomicAndOrderedBySteps() throws {
        let set = Diff.changes(from: try ir(Self.v1), to: try ir(Self.v2))
        let steps = set.up.map(\.step)
        #expect(steps == steps.sorted(), "up must follow create, alter, settings, memberships, owners, grants, revokes, memberships, drops")
        #expect(set.down.map(\.step) == set.down.map(\.step).sorted())
        // Only what changed: s.t SELECT for r gets its grant option, UPDATE goes, nothing else on it.
        #expect(set.up.contains { if case .grantGrantOption(let g) = $0 { return g.grantee.name == "r" && g.privilege == "SELECT" }; return false })
        #expect(set.up.contains { if case .revoke(let g) = $0 { return g.grantee.name == "w" && g.privilege == "UPDATE" }; return false })
        #expect(!set.up.contains { if case .grant(let g) = $0 { return g.privilege == "INSERT" }; return false })
        #expect(set.up.contains { if case .createPrincipal(let p) = $0 { return p.name == "fresh" }; return false })
        #expect(set.up.contains { if case .dropPrincipal(let p, _) = $0 { return p.name == "gone" }; return false })
        #expect(set.up.contains { if case .alterPrincipal(let a, let b) = $0 { return a.connectionLimit == 5 && b.connectionLimit == 9 }; return false })
        #expect(set.up.contains { if case .setSetting(let s, let previous) = $0 { return s.values == ["5s"] && previous?.values == ["3s"] }; return false })
        #expect(set.up.contains { if case .grantMembership(let m, let previous) = $0 { return m.admin && previous?.admin == false }; return false })
        // The old revoke is no longer declared: nothing is granted back; the new one is revoked.
        #expect(set.up.contains { if case .stopEnforcing(let g) = $0 { return g.privilege == "TEMPORARY" }; return false })
        #expect(set.up.contains { if case .revoke(let g) = $0 { return g.grantee == .publicRole && g.privilege == "CONNECT" }; return false })
    }

    @Test func upLeadsToNewAndDownBackToOld() throws {
        for dialect in DialectRegistry.all {
            let text1 = Self.v1.replacingOccurrences(of: "set statement_timeout = '3s'", with: "")
            let text2 = Self.v2.replacingOccurrences(of: "set statement_timeout = '5s'", with: "")
            // Settings, revokes on databases and bulk grants are PostgreSQL-only: the portable part.
            guard dialect.name == "postgres" else { continue }
            let old = try ir(text1, dialect: dialect), new = try ir(text2, dialect: dialect)
            let set = Diff.changes(from: old, to: new)
            let defaults = (old.revokes + new.revokes).filter { Diff.serverDefault($0, dialect: "postgres") }
            var state = State(old, serverDefaults: defaults)
            state.apply(set.up)
            #expect(state == State.afterUp(new, set, serverDefaults: defaults))
            state.apply(set.down)
            #expect(state == State(old, serverDefaults: defaults))
        }
        let old = try ir(Self.v1), new = try ir(Self.v2)
        let set = Diff.changes(from: old, to: new)
        let defaults = (old.revokes + new.revokes).filter { Diff.serverDefault($0, dialect: "postgres") }
        var state = State(old, serverDefaults: defaults)
        state.apply(set.up)
        #expect(state == State.afterUp(new, set, serverDefaults: defaults))
        #expect(state != State(new, serverDefaults: defaults), "a revoke no longer declared is not granted back")
        state.apply(set.down)
        #expect(state == State(old, serverDefaults: defaults))
    }

    @Test func firstMigrationCreatesEverythingAndItsDownRemovesIt() throws {
        let policy = try ir(Self.v1)
        let set = Diff.changes(from: empty(), to: policy)
        let defaults = policy.revokes.filter { Diff.serverDefault($0, dialect: "postgres") }
        var state = State(empty(), serverDefaults: defaults)
        state.apply(set.up)
        #expect(state == State(policy, serverDefaults: defaults))
        state.apply(set.down)
        #expect(state == State(empty(), serverDefaults: defaults), "down returns to the baseline, PUBLIC's defaults included")
        // External principals are never created or dropped.
        #expect(!set.up.contains { if case .createPrincipal(let p) = $0 { return p.name == "owner" }; return false })
        #expect(!set.down.contains { if case .dropPrincipal(let p, _) = $0 { return p.name == "owner" }; return false })
    }

    @Test func inverseOfInverseIsTheChange() throws {
        let set = Diff.changes(from: try ir(Self.v1), to: try ir(Self.v2))
        for change in set.up {
            guard let inverse = change.inverse else {
                if case .stopEnforcing = change { continue }
                Issue.record("\(change) has no inverse")
                continue
            }
            if case .dropPrincipal = inverse { continue }  // successor is not part of a create
            #expect(inverse.inverse == change, "\(change)")
        }
    }

    @Test func aDeclaredRevokeIsUndoneOnlyWhereTheServerHeldItBefore() throws {
        let set = Diff.changes(from: try ir("role r"), to: try ir("""
            role r
            revoke connect on database d from public
            revoke create on schema public from public
            revoke select on table s.t from r
            """))
        #expect(set.up.count == 3)
        // PUBLIC holds CONNECT on every database by default: down grants it back; PostgreSQL
        // 15+ gives PUBLIC no CREATE on schema public, and r was never known to hold SELECT.
        #expect(set.down.count == 1)
        guard case .grant(let g)? = set.down.first else { Issue.record("\(set.down)"); return }
        #expect(g.grantee == .publicRole && g.privilege == "CONNECT")
    }

    @Test func absentPrincipalIsDroppedWithTheSuccessor() throws {
        let old = try ir("role keep")
        let new = try ir("role keep\nabsent role legacy")
        let set = Diff.changes(from: old, to: new, options: Diff.Options(successor: "keep"))
        #expect(set.up == [.dropAbsent(IRAbsent(kind: .role, name: "legacy"), successor: "keep")])
        #expect(set.down.isEmpty, "what an absent role was is unknown: nothing to restore")
    }

    @Test func kindChangeIsAnAlteration() throws {
        for dialect in [PostgresDialect(), MySQLDialect(flavour: .mariadb)] as [any Dialect] {
            let set = Diff.changes(from: try ir("role x", dialect: dialect), to: try ir("user x", dialect: dialect))
            #expect(set.up.count == 1)
            guard case .alterPrincipal(let from, let to)? = set.up.first else {
                Issue.record("expected an alteration, got \(set.up)")
                continue
            }
            #expect(from.kind == .role && to.kind == .user)
        }
    }

    @Test func phasesSplitTheChanges() throws {
        let set = Diff.changes(from: try ir(Self.v1), to: try ir(Self.v2))
        let principals = set.restricted(to: .principals), privileges = set.restricted(to: .privileges)
        #expect(principals.up.allSatisfy { $0.phase == .principals })
        #expect(privileges.up.allSatisfy { $0.phase == .privileges })
        #expect(principals.up.count + privileges.up.count == set.up.count)
    }
}
