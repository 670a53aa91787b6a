/// The intermediate representation: sorted, de-duplicated sets of atomic facts,
/// lowered for one target (dialect + server version). Diff is set difference;
/// backends regroup facts into as few statements as their dialect allows.

public struct PrincipalRef: Hashable, Comparable, Sendable, Codable {
    /// nil is PUBLIC, the pseudo-role every principal holds.
    public var name: String?
    public static let publicRole = PrincipalRef(name: nil)
    public init(name: String?) { self.name = name }
    public static func < (a: PrincipalRef, b: PrincipalRef) -> Bool { (a.name ?? "") < (b.name ?? "") }
    public var display: String { name ?? "public" }
}

public struct IRPrincipal: Hashable, Sendable, Codable, Comparable {
    public var name: String
    public var kind: PrincipalKind
    /// Exists already: referenced, converged where the policy lists something, never created or dropped.
    public var external: Bool
    /// Attributes: nil means "not managed" (only for external principals).
    public var login: Bool?
    public var superuser: Bool?
    public var createdb: Bool?
    public var createrole: Bool?
    public var replication: Bool?
    public var bypassrls: Bool?
    public var inherit: Bool?
    public var connectionLimit: Int?
    /// "infinity" when a managed principal has no expiry.
    public var validUntil: String?
    /// nil: unmanaged; "" : managed and empty (no comment).
    public var comment: String?
    public var hosts: [String]
    /// Pre-hashed verifiers as written; the backend picks the one its dialect takes.
    public var passwordHashes: [String]
    public var defaultRoles: DefaultRoleSpec?

    public static func < (a: IRPrincipal, b: IRPrincipal) -> Bool { a.name < b.name }
}

public enum DefaultRoleSpec: Hashable, Sendable, Codable {
    case roles([String]), all, none
}

public struct IRMembership: Hashable, Sendable, Codable, Comparable {
    public var role: String
    public var member: String
    public var admin: Bool
    /// nil: the server's default (PostgreSQL 16+: the member's INHERIT attribute; SET TRUE).
    public var inherit: Bool?
    public var set: Bool?

    public static func < (a: IRMembership, b: IRMembership) -> Bool { (a.role, a.member) < (b.role, b.member) }
}

/// An object a privilege is held on.
public enum IRObject: Hashable, Sendable, Codable, Comparable {
    case database(String)
    case schema(String)
    case server
    case relation(RelationKind, schema: String?, name: String)
    /// arguments nil: no signature was written.
    case routine(RoutineKind, schema: String?, name: String, arguments: [String]?)
    /// Every existing object of a kind in one schema (the bulk grant).
    case allInSchema(BulkKind, schema: String)

    var sortKey: (Int, String, String, String) {
        switch self {
        case .database(let n): return (0, n, "", "")
        case .schema(let n): return (1, n, "", "")
        case .server: return (2, "", "", "")
        case .relation(let k, let s, let n): return (k == .sequence ? 4 : 3, s ?? "", n, "")
        case .routine(let k, let s, let n, let a): return (k == .function ? 5 : 6, s ?? "", n, a?.joined(separator: ",") ?? "\u{1}")
        case .allInSchema(let k, let s): return (7, s, k.rawValue, "")
        }
    }

    public static func < (a: IRObject, b: IRObject) -> Bool { compareKeys(a, b) < 0 }

    /// The first element of `sortKey`; equal ranks mean the same case.
    var rank: Int {
        switch self {
        case .database: return 0
        case .schema: return 1
        case .server: return 2
        case .relation(let k, _, _): return k == .sequence ? 4 : 3
        case .routine(let k, _, _, _): return k == .function ? 5 : 6
        case .allInSchema: return 7
        }
    }

    /// Compares `sortKey`s (-1, 0, 1) without building them: sorting a large IR
    /// spends most of its time here, and the tuples cost a copy of every string.
    static func compareKeys(_ a: IRObject, _ b: IRObject) -> Int {
        @inline(__always) func order(_ x: String, _ y: String) -> Int { x == y ? 0 : (x < y ? -1 : 1) }
        let ra = a.rank, rb = b.rank
        if ra != rb { return ra < rb ? -1 : 1 }
        switch a {
        case .database(let x):
            guard case .database(let y) = b else { return 0 }
            return order(x, y)
        case .schema(let x):
            guard case .schema(let y) = b else { return 0 }
            return order(x, y)
        case .server:
            return 0
        case .relation(_, let s1, let n1):
            guard case .relation(_, let s2, let n2) = b else { return 0 }
            let c = order(s1 ?? "", s2 ?? "")
            return c != 0 ? c : order(n1, n2)
        case .routine(_, let s1, let n1, let a1):
            guard case .routine(_, let s2, let n2, let a2) = b else { return 0 }
            var c = order(s1 ?? "", s2 ?? "")
            if c == 0 { c = order(n1, n2) }
            return c != 0 ? c : order(a1?.joined(separator: ",") ?? "\u{1}", a2?.joined(separator: ",") ?? "\u{1}")
        case .allInSchema(let k1, let s1):
            guard case .allInSchema(let k2, let s2) = b else { return 0 }
            let c = order(s1, s2)
            return c != 0 ? c : order(k1.rawValue, k2.rawValue)
        }
    }

    /// Human description: `table sales.orders`.
    public var display: String {
        func q(_ s: String?, _ n: String) -> String { s.map { "\($0).\(n)" } ?? n }
        switch self {
        case .database(let n): return "database \(n)"
        case .schema(let n): return "schema \(n)"
        case .server: return "server"
        case .relation(let k, let s, let n): return "\(k.rawValue) \(q(s, n))"
        case .routine(let k, let s, let n, let a): return "\(k.rawValue) \(q(s, n))" + (a.map { "(\($0.joined(separator: ", ")))" } ?? "")
        case .allInSchema(let k, let s): return "all existing \(k.rawValue) in schema \(s)"
        }
    }
}

/// One privilege on one object (optionally one column) for one grantee.
public struct IRGrant: Hashable, Sendable, Codable, Comparable {
    public var grantee: PrincipalRef
    /// Canonical upper-case name: SELECT, USAGE, EXECUTE, MAINTAIN ...
    public var privilege: String
    public var object: IRObject
    public var column: String?
    public var grantable: Bool

    public static func < (a: IRGrant, b: IRGrant) -> Bool {
        // Same order as `if a.object != b.object { return a.object < b.object }`, with one
        // key comparison instead of an equality test plus two key tuples.
        let c = IRObject.compareKeys(a.object, b.object)
        if c != 0 { return c < 0 }
        if a.object != b.object { return false }
        return lessOnSameObject(a, b)
    }

    /// The rest of `<` once the objects are equal.
    @inline(__always)
    static func lessOnSameObject(_ a: IRGrant, _ b: IRGrant) -> Bool {
        if a.grantee != b.grantee { return a.grantee < b.grantee }
        if a.column != b.column { return (a.column ?? "") < (b.column ?? "") }
        if a.privilege != b.privilege { return a.privilege < b.privilege }
        return !a.grantable && b.grantable
    }

    /// The same array as `Array(facts).sorted()`, in a fraction of the time for a large
    /// IR: the facts are bucketed by object (one hash each, then a counting sort over the
    /// distinct objects in key order), written straight into their bucket, and only each
    /// object's few facts are compared, in place. Falls back to the plain sort when two
    /// distinct objects share a sort key (say a table and a view of the same name), where
    /// `<` alone decides how their facts interleave.
    static func sortedFacts<C: Collection>(_ facts: C) -> [IRGrant] where C.Element == IRGrant {
        let count = facts.count
        guard count > 256 else { return Array(facts).sorted() }
        var ids: [IRObject: Int] = [:]
        var objects: [IRObject] = []
        var objectOf: [Int] = []
        objectOf.reserveCapacity(count)
        for fact in facts {
            if let id = ids[fact.object] {
                objectOf.append(id)
            } else {
                ids[fact.object] = objects.count
                objectOf.append(objects.count)
                objects.append(fact.object)
            }
        }
        let order = objects.indices.sorted { objects[$0] < objects[$1] }
        for k in order.indices.dropFirst() where IRObject.compareKeys(objects[order[k - 1]], objects[order[k]]) == 0 {
            return Array(facts).sorted()
        }
        var rank = [Int](repeating: 0, count: objects.count)
        for (r, id) in order.enumerated() { rank[id] = r }
        // Counting sort by object rank; a bucket keeps the facts in their original order.
        var bucketStart = [Int](repeating: 0, count: objects.count + 1)
        for id in objectOf { bucketStart[rank[id] + 1] += 1 }
        for r in 0..<objects.count { bucketStart[r + 1] += bucketStart[r] }
        var fill = bucketStart
        var sorted = [IRGrant](unsafeUninitializedCapacity: count) { buffer, initialized in
            // A collection yields its elements in the same order every time.
            var i = 0
            for fact in facts {
                let r = rank[objectOf[i]]
                buffer.initializeElement(at: fill[r], to: fact)
                fill[r] += 1
                i += 1
            }
            initialized = count
        }
        sorted.withUnsafeMutableBufferPointer { facts in
            // `lessOnSameObject(facts[i], facts[j])`, reading the fields in place instead of
            // copying two whole facts per comparison.
            func less(_ i: Int, _ j: Int) -> Bool {
                if facts[i].grantee != facts[j].grantee { return facts[i].grantee < facts[j].grantee }
                if facts[i].column != facts[j].column { return (facts[i].column ?? "") < (facts[j].column ?? "") }
                if facts[i].privilege != facts[j].privilege { return facts[i].privilege < facts[j].privilege }
                return !facts[i].grantable && facts[j].grantable
            }
            for r in 0..<objects.count {
                let lower = bucketStart[r], upper = bucketStart[r + 1]
                if upper - lower > 32 {
                    // Stable, like the sort it replaces.
                    var bucket = UnsafeMutableBufferPointer(rebasing: facts[lower..<upper])
                    bucket.sort(by: lessOnSameObject)
                    continue
                }
                // Small bucket: insertion sort by swaps (stable too; swaps move, never copy).
                var k = lower + 1
                while k < upper {
                    var m = k
                    while m > lower, less(m, m - 1) {
                        facts.swapAt(m, m - 1)
                        m -= 1
                    }
                    k += 1
                }
            }
        }
        return sorted
    }
}

/// The kinds of future object that default privileges apply to.
public enum DefaultObjectKind: String, Hashable, Sendable, Codable, Comparable {
    case tables, sequences, functions
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A privilege given to future objects created by `creator` (nil: whoever runs the script)
/// in `schema` (nil: the whole database).
public struct IRDefaultGrant: Hashable, Sendable, Codable, Comparable {
    public var creator: String?
    public var schema: String?
    public var kind: DefaultObjectKind
    public var grantee: PrincipalRef
    public var privilege: String
    public var grantable: Bool

    public static func < (a: IRDefaultGrant, b: IRDefaultGrant) -> Bool {
        ((a.creator ?? ""), (a.schema ?? ""), a.kind.rawValue, (a.grantee.name ?? ""), a.privilege, a.grantable ? 1 : 0)
            < ((b.creator ?? ""), (b.schema ?? ""), b.kind.rawValue, (b.grantee.name ?? ""), b.privilege, b.grantable ? 1 : 0)
    }
}

public struct IROwnership: Hashable, Sendable, Codable, Comparable {
    public enum Scope: String, Hashable, Sendable, Codable { case database, schema }
    public var scope: Scope
    public var name: String
    public var owner: String
    public static func < (a: Self, b: Self) -> Bool { (a.scope.rawValue, a.name) < (b.scope.rawValue, b.name) }
}

public struct IRSetting: Hashable, Sendable, Codable, Comparable {
    public var role: String
    public var database: String?
    public var name: String
    public var values: [String]
    public static func < (a: Self, b: Self) -> Bool { (a.role, a.database ?? "", a.name) < (b.role, b.database ?? "", b.name) }
}

public struct IRAbsent: Hashable, Sendable, Codable, Comparable {
    public var kind: PrincipalKind
    public var name: String
    public static func < (a: Self, b: Self) -> Bool { a.name < b.name }
}

public enum IRRule: Hashable, Sendable, Codable {
    case separate([String])
    case forbid(privileges: [String], objects: [IRObject], except: [String])
    case forbidAttribute(String, except: [String])
    case limitMembers(role: String, count: Int)
    case protect([String])
    case allow(code: String, principals: [String])
}

public struct IRTest: Hashable, Sendable, Codable {
    public enum Expectation: Hashable, Sendable, Codable {
        case privilege(principal: String, can: Bool, privileges: [String], object: IRObject)
        case member(principal: String, isMember: Bool, role: String)
    }
    public var title: String
    public var expectations: [Expectation]
}

public struct PolicyIR: Hashable, Sendable, Codable {
    public var dialect: String
    public var serverVersion: String
    public var principals: [IRPrincipal] = []
    public var memberships: [IRMembership] = []
    public var ownerships: [IROwnership] = []
    public var settings: [IRSetting] = []
    public var grants: [IRGrant] = [] { didSet { grantRanks.ranks = nil } }
    public var defaultGrants: [IRDefaultGrant] = []
    public var revokes: [IRGrant] = []
    public var defaultRevokes: [IRDefaultGrant] = []
    public var absent: [IRAbsent] = []
    public var rules: [IRRule] = []
    public var tests: [IRTest] = []
    /// What the script must mention in `--` notes (implied privileges, other dialects' blocks).
    public var notes: [String] = []
    /// Where each rule of `rules` was written (same order), for diagnostics.
    public var ruleRanges: [SourceRange] = []
    /// `grants` as ranks, set by lowering; any change to `grants` drops it. Not part of
    /// the value: ignored by `==`, hashing and coding.
    var grantRanks = GrantRanksSlot()

    enum CodingKeys: String, CodingKey {
        case dialect, serverVersion, principals, memberships, ownerships, settings, grants, defaultGrants, revokes,
             defaultRevokes, absent, rules, tests, notes, ruleRanges
    }

    public init(dialect: String, serverVersion: String) {
        self.dialect = dialect
        self.serverVersion = serverVersion
    }

    public func principal(named name: String) -> IRPrincipal? { principals.first { $0.name == name } }
}
