/// Renders migrations (incremental changes) for SQLite: the catalog rows each change
/// adds or removes, as idempotent upserts and deletes (see dialects/sqlite.md,
/// "Migrations"). The full script makes the catalog equal to the policy; a migration
/// brings every row a change touches to the state the policy after it declares, so
/// the two agree after every migration, and running one twice changes nothing.
extension SQLiteDialect {
    public func renderMigration(_ changes: [Change], context: MigrationContext) -> [MigrationSection] {
        SQLiteMigrationRenderer(context: context).render(changes)
    }
}

struct SQLiteMigrationRenderer {
    typealias Q = SQLiteQuoting
    typealias C = SQLiteCatalog
    typealias R = SQLiteRenderer

    /// The sections of a migration, in the order of `Change.step`: every prefix is safe.
    enum Section: Int, CaseIterable {
        case catalog, principals, attributes, settings, memberships, owners, privileges, grantOptionsRevoked,
             privilegesRevoked, revokes, membershipsRevoked, principalsDropped

        var title: String {
            switch self {
            case .catalog: return R.catalogTitle
            case .principals: return "Principals"
            case .attributes: return "Principal attributes"
            case .settings: return "Role settings"
            case .memberships: return "Memberships"
            case .owners: return "Owners"
            case .privileges: return "Privileges"
            case .grantOptionsRevoked: return "Grant options revoked"
            case .privilegesRevoked: return "Privileges revoked"
            case .revokes: return "Revokes"
            case .membershipsRevoked: return "Memberships revoked"
            case .principalsDropped: return "Principals dropped (with their memberships and grants)"
            }
        }
    }

    /// What one section does, collected from the changes, deduplicated, rendered sorted.
    struct Work {
        var comments: [String] = []
        var principalUpserts: [String: C.Principal] = [:]
        var membershipUpserts: [MemberKey: C.Membership] = [:]
        var grantUpserts: [C.Grant.Key: C.Grant] = [:]
        var grantDeletes: [C.Grant.Key: C.Grant] = [:]
        var revokes: Set<IRGrant> = []
        var membershipDeletes: [MemberKey: C.Membership] = [:]
        var principalDeletes: Set<String> = []

        mutating func comment(_ text: String) {
            let line = "-- note: " + text
            if !comments.contains(line) { comments.append(line) }
        }
    }

    struct MemberKey: Hashable { var role: String; var member: String }

    /// A privilege fact without its grant option: what a revoke names.
    struct FactKey: Hashable {
        var grantee: PrincipalRef; var privilege: String; var object: IRObject; var column: String?
        init(_ g: IRGrant) { grantee = g.grantee; privilege = g.privilege; object = g.object; column = g.column }
    }

    let before: PolicyIR
    let after: PolicyIR
    /// The catalog rows `after` leaves (what the full script makes the catalog).
    let principals: [String: C.Principal]
    let memberships: [MemberKey: C.Membership]
    let grants: [C.Grant.Key: C.Grant]
    let grantsByGrantee: [String: [C.Grant]]
    let revokesBefore: Set<FactKey>
    let revokesAfter: Set<FactKey>
    let namesBefore: Set<String>

    init(context: MigrationContext) {
        before = context.before
        after = context.after
        let expected = C.expected(after)
        principals = Dictionary(expected.principals.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        memberships = Dictionary(expected.memberships.map { (MemberKey(role: $0.role, member: $0.member), $0) }, uniquingKeysWith: { a, _ in a })
        grants = Dictionary(expected.grants.map { ($0.keyValue, $0) }, uniquingKeysWith: { a, _ in a })
        grantsByGrantee = Dictionary(grouping: expected.grants, by: \.grantee)
        revokesBefore = Set(before.revokes.map(FactKey.init))
        revokesAfter = Set(after.revokes.map(FactKey.init))
        namesBefore = Set(before.principals.map(\.name))
    }

    /// Whether a policy puts no row into the catalog: a migration from it is the first
    /// one, and creates the catalog.
    static func hasNoRows(_ ir: PolicyIR) -> Bool {
        ir.principals.isEmpty && ir.memberships.isEmpty && ir.grants.isEmpty && ir.revokes.isEmpty && ir.absent.isEmpty
    }

    func render(_ changes: [Change]) -> [MigrationSection] {
        var work = [Work](repeating: Work(), count: Section.allCases.count)
        var namedPrincipals: Set<String> = []
        var namedFacts: Set<FactKey> = []

        for change in changes {
            switch change {
            case .createPrincipal(let p):
                namedPrincipals.insert(p.name)
                principal(p.name, upsertIn: .principals, &work)
                for note in [R.hostsNote(p), R.defaultRoleNote(p), R.passwordNote(p)].compactMap({ $0 }) {
                    work[Section.principals.rawValue].comment(note)
                }
            case .alterPrincipal(let from, let to):
                namedPrincipals.insert(to.name)
                let isNew = !namesBefore.contains(to.name)
                principal(to.name, upsertIn: isNew ? .principals : .attributes, &work)
                // What the catalog does not hold changed: say so, nothing to render.
                var notes: [String?] = []
                if from.hosts != to.hosts { notes.append(R.hostsNote(to) ?? R.hostsNote(from)) }
                if from.defaultRoles != to.defaultRoles { notes.append(R.defaultRoleNote(to) ?? R.defaultRoleNote(from)) }
                if from.passwordHashes != to.passwordHashes { notes.append(R.passwordNote(to) ?? R.passwordNote(from)) }
                for note in notes.compactMap({ $0 }) { work[(isNew ? Section.principals : .attributes).rawValue].comment(note) }
            case .setSetting(let s, _), .resetSetting(let s):
                // Lowering refuses role settings for SQLite; should one reach here, it is said, not dropped.
                work[Section.settings.rawValue].comment("setting \(s.name) of \(s.role): SQLite has no role settings; nothing to render")
            case .grantMembership(let m, _), .revokeMembership(let m):
                membership(m, &work)
            case .setOwner(let o, _):
                work[Section.owners.rawValue].comment(R.ownershipNote(o))
            case .grant(let g), .grantGrantOption(let g):
                namedFacts.insert(FactKey(g))
                if revokesBefore.contains(FactKey(g)) {
                    // Undoes a declared revoke (where the Diff gives it an inverse): the rows
                    // it took that the policy after declares come back.
                    restore(g, in: .privileges, &work)
                } else {
                    grant(g, upsertIn: .privileges, &work)
                }
            case .revoke(let g):
                namedFacts.insert(FactKey(g))
                if revokesAfter.contains(FactKey(g)) {
                    // A revoke the policy declares: its DELETE, as the full script has it.
                    work[Section.revokes.rawValue].revokes.insert(g)
                } else {
                    grant(g, upsertIn: .privileges, &work)
                }
            case .revokeGrantOption(let g):
                namedFacts.insert(FactKey(g))
                grant(g, upsertIn: .grantOptionsRevoked, &work)
            case .stopEnforcing(let r):
                namedFacts.insert(FactKey(r))
                work[Section.revokes.rawValue].comment("revoke of \(describe(r)) is no longer declared: nothing is granted back")
                // Grants the policy declares that the revoke kept out of the catalog come in.
                restore(r, in: .revokes, &work)
            case .grantDefault(let d), .replaceDefault(_, let d):
                // SQLite has no default privileges (a grant on all tables covers future ones):
                // lowering never produces them; should one reach here, it is said, not dropped.
                work[Section.privileges.rawValue].comment(noDefaultPrivileges(d))
            case .revokeDefault(let d), .stopEnforcingDefault(let d):
                work[Section.revokes.rawValue].comment(noDefaultPrivileges(d))
            case .dropPrincipal(let p, _):
                namedPrincipals.insert(p.name)
                principal(p.name, upsertIn: .principals, &work)
            case .dropAbsent(let a, _):
                namedPrincipals.insert(a.name)
                principal(a.name, upsertIn: .principals, &work)
            }
        }
        reconcile(namedPrincipals: namedPrincipals, namedFacts: namedFacts, &work)

        var sections: [MigrationSection] = []
        for section in Section.allCases {
            let statements = self.statements(work[section.rawValue])
            if !statements.isEmpty { sections.append(MigrationSection(section.title, statements)) }
        }
        guard !sections.isEmpty else { return [] }
        if SQLiteMigrationRenderer.hasNoRows(before) {
            sections.insert(MigrationSection(Section.catalog.title, R.catalogDDL.map { MigrationStatement($0) }), at: 0)
        }
        return sections
    }

    /// What the Diff leaves to the target, because it does not concern PostgreSQL or MySQL:
    /// - an external principal the policy stops naming (no change: rolec never drops an
    ///   external role) still has its row, which the full script deletes; one a down
    ///   migration brings back gets it again; a principal that only stops (or starts)
    ///   being external keeps its attributes but not its `external` column;
    /// - a declared revoke has no inverse unless the server held the privilege before any
    ///   policy (never in SQLite's catalog): the down of the migration that added it
    ///   brings back the rows of the older policy it covers;
    /// - a revoke that kept declared grants out of the catalog and that a migration
    ///   stopped enforcing (the grants came in) has no inverse either: its down deletes
    ///   them again.
    func reconcile(namedPrincipals: Set<String>, namedFacts: Set<FactKey>, _ work: inout [Work]) {
        var rowsBefore: [String: C.Principal] = [:]
        for p in before.principals { rowsBefore[p.name] = C.row(p) }
        for (name, row) in principals where !namedPrincipals.contains(name) && rowsBefore[name] != row {
            principal(name, upsertIn: rowsBefore[name] == nil ? .principals : .attributes, &work)
        }
        for name in rowsBefore.keys where principals[name] == nil && !namedPrincipals.contains(name) {
            principal(name, upsertIn: .principals, &work)
        }
        for r in after.revokes where !revokesBefore.contains(FactKey(r)) && !namedFacts.contains(FactKey(r)) {
            work[Section.revokes.rawValue].revokes.insert(r)
        }
        for r in before.revokes where !revokesAfter.contains(FactKey(r)) && !namedFacts.contains(FactKey(r)) {
            restore(r, in: .revokes, &work)
        }
    }

    // MARK: row states

    /// The principal's row as the policy after declares it (upserted), or deleted with
    /// its memberships and grants when that policy does not have it.
    func principal(_ name: String, upsertIn section: Section, _ work: inout [Work]) {
        if let row = principals[name] {
            work[section.rawValue].principalUpserts[name] = row
        } else {
            work[Section.principalsDropped.rawValue].principalDeletes.insert(name)
        }
    }

    func membership(_ m: IRMembership, _ work: inout [Work]) {
        let key = MemberKey(role: m.role, member: m.member)
        if let row = memberships[key] {
            work[Section.memberships.rawValue].membershipUpserts[key] = row
            if row.admin { work[Section.memberships.rawValue].comment(R.optionsNote) }
        } else {
            work[Section.membershipsRevoked.rawValue].membershipDeletes[key] = C.row(m)
        }
    }

    /// The fact's row as the policy after has it: `table t` and `table main.t` are one
    /// row, so a fact that goes may leave a row another fact still declares.
    func grant(_ g: IRGrant, upsertIn section: Section, _ work: inout [Work]) {
        guard let row = C.row(g) else {
            // Lowering refuses objects SQLite has no place for.
            work[section.rawValue].comment("\(describe(g)): SQLite has no such object; nothing to render")
            return
        }
        if let declared = grants[row.keyValue] {
            work[section.rawValue].grantUpserts[row.keyValue] = declared
            if declared.grantable { work[section.rawValue].comment(R.optionsNote) }
        } else {
            work[Section.privilegesRevoked.rawValue].grantDeletes[row.keyValue] = row
        }
    }

    /// Upserts the rows of the policy after that the revoke `r` covers.
    func restore(_ r: IRGrant, in section: Section, _ work: inout [Work]) {
        guard let pattern = C.revokes([r]).first else { return }
        for row in grantsByGrantee[C.grantee(r.grantee)] ?? [] where pattern.covers(row) {
            work[section.rawValue].grantUpserts[row.keyValue] = row
        }
    }

    func noDefaultPrivileges(_ d: IRDefaultGrant) -> String {
        "default privilege \(d.privilege.lowercased()) on future \(d.kind.rawValue) for \(d.grantee.display): SQLite has no default privileges; nothing to render"
    }

    func describe(_ g: IRGrant) -> String {
        let object: String
        switch g.object {
        case .allInSchema(let kind, let schema): object = "all \(kind.rawValue) in schema \(schema)"
        default: object = g.object.display
        }
        return g.privilege.lowercased() + (g.column.map { " (\($0))" } ?? "") + " on \(object) for \(g.grantee.display)"
    }

    // MARK: statements

    func statements(_ work: Work) -> [MigrationStatement] {
        var sql = work.comments
        sql += R.principalUpserts(work.principalUpserts.values.sorted())
        sql += R.membershipUpserts(work.membershipUpserts.values.sorted())
        sql += R.grantUpserts(work.grantUpserts.values.sorted())
        if !work.grantDeletes.isEmpty {
            sql += R.deleteKeys(table: C.grantTable, keyColumns: R.grantKey, keys: work.grantDeletes.values.sorted().map(R.grantKey))
        }
        sql += C.revokes(Array(work.revokes)).map(R.revokeDelete)
        if !work.membershipDeletes.isEmpty {
            sql += R.deleteKeys(table: C.membershipTable, keyColumns: ["role", "member"],
                                keys: work.membershipDeletes.values.sorted().map(R.membershipKey))
        }
        if !work.principalDeletes.isEmpty {
            // No foreign keys (dialects/sqlite.md): the rows naming the principal go first,
            // so no prefix leaves a membership or grant of a principal that is gone.
            let names = work.principalDeletes.sorted().map(Q.literal)
            sql += R.deleteKeys(table: C.grantTable, keyColumns: ["grantee"], keys: names)
            sql += R.deleteKeys(table: C.membershipTable, keyColumns: ["member"], keys: names)
            sql += R.deleteKeys(table: C.membershipTable, keyColumns: ["role"], keys: names)
            sql += R.deleteKeys(table: C.principalTable, keyColumns: ["name"], keys: names)
        }
        return sql.map { MigrationStatement($0) }
    }
}
