/// The rows of rolec's SQLite catalog (`rolec_principal`, `rolec_membership`,
/// `rolec_grant`), as the renderer writes them and RolecSQLite reads them back.
/// Key columns never hold NULL (a NULL would defeat the primary keys that make the
/// upserts idempotent): '' stands for "none" / "every", and the view
/// `rolec_effective_grant` shows those as NULL.
public struct SQLiteCatalog: Hashable, Sendable {
    public struct Principal: Hashable, Comparable, Sendable {
        public var name: String
        /// "role" or "user".
        public var kind: String
        public var external: Bool
        /// nil: not managed by the policy (an external principal).
        public var login: Bool?
        public var inherit: Bool?
        /// 'infinity', a timestamp, or nil (not managed).
        public var validUntil: String?
        /// '' for none, nil for not managed.
        public var comment: String?

        public init(name: String, kind: String, external: Bool, login: Bool?, inherit: Bool?, validUntil: String?, comment: String?) {
            self.name = name
            self.kind = kind
            self.external = external
            self.login = login
            self.inherit = inherit
            self.validUntil = validUntil
            self.comment = comment
        }

        public static func < (a: Self, b: Self) -> Bool { a.name < b.name }
    }

    public struct Membership: Hashable, Comparable, Sendable {
        public var role: String
        public var member: String
        public var admin: Bool

        public init(role: String, member: String, admin: Bool) {
            self.role = role
            self.member = member
            self.admin = admin
        }

        public static func < (a: Self, b: Self) -> Bool { (a.role, a.member) < (b.role, b.member) }
    }

    /// `objectKind`: 'database' (objectName = the database), 'schema' (schemaName),
    /// 'table' / 'view' (schemaName.objectName, optionally one column), or
    /// 'all tables' (every table and view of schemaName, existing and future).
    public struct Grant: Hashable, Comparable, Sendable {
        public var grantee: String
        public var privilege: String
        public var objectKind: String
        public var schemaName: String
        public var objectName: String
        public var columnName: String
        public var grantable: Bool

        public init(grantee: String, privilege: String, objectKind: String, schemaName: String, objectName: String, columnName: String, grantable: Bool) {
            self.grantee = grantee
            self.privilege = privilege
            self.objectKind = objectKind
            self.schemaName = schemaName
            self.objectName = objectName
            self.columnName = columnName
            self.grantable = grantable
        }

        /// The primary key: everything but `grantable`.
        public var key: [String] { [grantee, privilege, objectKind, schemaName, objectName, columnName] }

        public static func < (a: Self, b: Self) -> Bool {
            if a.grantee != b.grantee { return a.grantee < b.grantee }
            if a.privilege != b.privilege { return a.privilege < b.privilege }
            if a.objectKind != b.objectKind { return a.objectKind < b.objectKind }
            if a.schemaName != b.schemaName { return a.schemaName < b.schemaName }
            if a.objectName != b.objectName { return a.objectName < b.objectName }
            if a.columnName != b.columnName { return a.columnName < b.columnName }
            return !a.grantable && b.grantable
        }

        /// The primary key as a value (everything but `grantable`).
        struct Key: Hashable {
            var grantee, privilege, objectKind, schemaName, objectName, columnName: String
        }

        var keyValue: Key { Key(grantee: grantee, privilege: privilege, objectKind: objectKind, schemaName: schemaName, objectName: objectName, columnName: columnName) }
    }

    public var principals: [Principal]
    public var memberships: [Membership]
    public var grants: [Grant]

    public init(principals: [Principal] = [], memberships: [Membership] = [], grants: [Grant] = []) {
        self.principals = principals.sorted()
        self.memberships = memberships.sorted()
        self.grants = grants.sorted()
    }

    /// The grantee that stands for PUBLIC (no principal may be called 'public', in any case).
    public static let publicGrantee = "public"
    /// The schema an object named without one lives in.
    public static let defaultSchema = "main"

    public static let principalTable = "rolec_principal"
    public static let membershipTable = "rolec_membership"
    public static let grantTable = "rolec_grant"
    public static let effectiveGrantView = "rolec_effective_grant"
    /// Every object of the catalog: no principal may write, alter or drop them.
    public static let objectNames: Set<String> = [principalTable, membershipTable, grantTable, effectiveGrantView]

    /// Where a fact's object lands in `rolec_grant`: (object_kind, schema_name,
    /// object_name), or nil for objects SQLite has no place for (lowering refuses them).
    public static func location(of object: IRObject) -> (kind: String, schema: String, name: String)? {
        switch object {
        case .database(let name): return ("database", "", name)
        case .schema(let name): return ("schema", name, "")
        case .relation(.table, let schema, let name): return ("table", schema ?? defaultSchema, name)
        case .relation(.view, let schema, let name): return ("view", schema ?? defaultSchema, name)
        case .allInSchema(.tables, let schema): return ("all tables", schema, "")
        case .relation(.sequence, _, _), .routine, .allInSchema, .server: return nil
        }
    }

    public static func grantee(_ ref: PrincipalRef) -> String { ref.name ?? publicGrantee }

    /// A principal's row.
    public static func row(_ p: IRPrincipal) -> Principal {
        Principal(name: p.name, kind: p.kind.rawValue, external: p.external, login: p.login, inherit: p.inherit,
                  validUntil: p.validUntil, comment: p.comment)
    }

    /// A membership's row.
    public static func row(_ m: IRMembership) -> Membership {
        Membership(role: m.role, member: m.member, admin: m.admin)
    }

    /// A grant fact's row, or nil for an object SQLite has no place for (lowering refuses those).
    public static func row(_ fact: IRGrant) -> Grant? {
        guard let place = location(of: fact.object) else { return nil }
        return Grant(grantee: grantee(fact.grantee), privilege: fact.privilege, objectKind: place.kind, schemaName: place.schema,
                     objectName: place.name, columnName: fact.column ?? "", grantable: fact.grantable)
    }

    /// The rows the policy declares, before its revokes are applied.
    public static func declared(_ ir: PolicyIR) -> SQLiteCatalog {
        // `table t` and `table main.t` are one row: the stronger grant option wins.
        var grants: [Grant.Key: Grant] = [:]
        grants.reserveCapacity(ir.grants.count)
        for fact in ir.grants {
            guard let grant = row(fact) else { continue }
            let key = grant.keyValue
            if let existing = grants[key], existing.grantable { continue }
            grants[key] = grant
        }
        return SQLiteCatalog(principals: ir.principals.map { row($0) }, memberships: ir.memberships.map { row($0) }, grants: Array(grants.values))
    }

    /// What one revoke removes from `rolec_grant`: the rows of these grantees and
    /// privileges on the object. A revoke on a table or view also takes its column
    /// rows, and one on all tables of a schema every table, view and column row in it
    /// (PostgreSQL's REVOKE does the same).
    public struct Revoke: Hashable, Comparable, Sendable {
        public var grantees: [String]
        public var privileges: [String]
        /// object_kind values the revoke reaches.
        public var objectKinds: [String]
        public var schemaName: String?
        public var objectName: String?
        public var columnName: String?

        public static func < (a: Self, b: Self) -> Bool {
            func key(_ r: Self) -> [String] {
                [r.objectKinds.joined(separator: ","), r.schemaName ?? "", r.objectName ?? "", r.columnName ?? "",
                 r.privileges.joined(separator: ","), r.grantees.joined(separator: ",")]
            }
            return key(a).lexicographicallyPrecedes(key(b))
        }

        /// Whether the revoke removes this row.
        public func covers(_ row: Grant) -> Bool {
            grantees.contains(row.grantee) && privileges.contains(row.privilege) && objectKinds.contains(row.objectKind)
                && (schemaName.map { $0 == row.schemaName } ?? true)
                && (objectName.map { $0 == row.objectName } ?? true)
                && (columnName.map { $0 == row.columnName } ?? true)
        }
    }

    /// The policy's revokes, grouped: one per object and privilege set, with every
    /// grantee that loses exactly that set.
    public static func revokes(_ ir: PolicyIR) -> [Revoke] { revokes(ir.revokes) }

    /// Revoke facts grouped as `revokes(_: PolicyIR)` groups a policy's.
    public static func revokes(_ facts: [IRGrant]) -> [Revoke] {
        struct Target: Hashable { var kinds: [String]; var schema: String?; var name: String?; var column: String? }
        func target(_ fact: IRGrant) -> Target? {
            switch fact.object {
            case .database(let name): return Target(kinds: ["database"], schema: nil, name: name, column: nil)
            case .schema(let name): return Target(kinds: ["schema"], schema: name, name: nil, column: nil)
            case .relation(let kind, let schema, let name) where kind != .sequence:
                return Target(kinds: ["table", "view"], schema: schema ?? defaultSchema, name: name, column: fact.column)
            case .allInSchema(.tables, let schema):
                return Target(kinds: ["all tables", "table", "view"], schema: schema, name: nil, column: nil)
            default: return nil
            }
        }
        struct Holder: Hashable { var target: Target; var grantee: String }
        var byHolder: [Holder: Set<String>] = [:]
        for fact in facts {
            guard let t = target(fact) else { continue }
            byHolder[Holder(target: t, grantee: grantee(fact.grantee)), default: []].insert(fact.privilege)
        }
        struct Shared: Hashable { var target: Target; var privileges: [String] }
        var grantees: [Shared: [String]] = [:]
        for (holder, privileges) in byHolder {
            grantees[Shared(target: holder.target, privileges: privileges.sorted()), default: []].append(holder.grantee)
        }
        return grantees.map { shared, names in
            Revoke(grantees: names.sorted(), privileges: shared.privileges, objectKinds: shared.target.kinds,
                   schemaName: shared.target.schema, objectName: shared.target.name, columnName: shared.target.column)
        }.sorted()
    }

    /// The catalog after the script: the declared rows less those a revoke covers.
    public static func expected(_ ir: PolicyIR) -> SQLiteCatalog {
        var catalog = declared(ir)
        let revokes = revokes(ir)
        catalog.grants.removeAll { row in revokes.contains { $0.covers(row) } }
        return catalog
    }
}
