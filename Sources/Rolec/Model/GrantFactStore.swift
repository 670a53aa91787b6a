/// The grant facts lowering collects, with names interned to ids: a large policy has a
/// million facts, and a `Set<IRGrant>` hashed five strings per fact and then had to be
/// sorted by comparing strings. Here a fact is 16 bytes of ids; at the end the distinct
/// objects, grantees, columns and privileges are sorted once, each fact becomes one
/// 64-bit key in `IRGrant`'s order, and the keys are sorted and de-duplicated as integers.
///
/// The result is exactly `Set(facts)` sorted by `IRGrant.<`. When ids cannot reproduce
/// that order (two distinct objects or names that `<` ranks equal, or more distinct
/// values than 64 bits hold), `sortedFactsWithRanks` falls back to the plain algorithm.
struct GrantFactStore {
    struct Fact {
        var object: Int32
        var grantee: Int32
        var column: Int32
        var privilege: UInt16
        var grantable: Bool

        func same(_ other: Fact) -> Bool {
            object == other.object && grantee == other.grantee && column == other.column
                && privilege == other.privilege && grantable == other.grantable
        }
    }

    private(set) var objects = ObjectTable()
    /// Grantee names by id (nil: PUBLIC).
    private var grantees: [String?] = []
    private var granteeIds: [String: Int32] = [:]
    private var publicId: Int32 = -1
    private var privileges: [String] = []
    private var columns: [String] = []
    private var columnIds: [String: Int32] = [:]
    /// Every fact added, in order, with duplicates, and where each was written.
    private(set) var facts: [Fact] = []
    private var rangeOf: [Int32] = []
    private var ranges: [SourceRange] = []
    /// Whether any fact has the grant option.
    private(set) var anyGrantable = false

    var isEmpty: Bool { facts.isEmpty }

    mutating func reserveCapacity(_ n: Int) {
        facts.reserveCapacity(n)
        rangeOf.reserveCapacity(n)
    }

    mutating func objectId(_ object: IRObject) -> Int32 { objects.intern(object) }

    mutating func granteeId(_ grantee: PrincipalRef) -> Int32 {
        guard let name = grantee.name else {
            if publicId < 0 { publicId = Int32(grantees.count); grantees.append(nil) }
            return publicId
        }
        if let id = granteeIds[name] { return id }
        let id = Int32(grantees.count)
        grantees.append(name)
        granteeIds[name] = id
        return id
    }

    mutating func privilegeId(_ name: String) -> UInt16 {
        for (k, known) in privileges.enumerated() where known == name { return UInt16(k) }
        privileges.append(name)
        return UInt16(privileges.count - 1)
    }

    /// -1: no column.
    mutating func columnId(_ name: String?) -> Int32 {
        guard let name else { return -1 }
        if let id = columnIds[name] { return id }
        let id = Int32(columns.count)
        columns.append(name)
        columnIds[name] = id
        return id
    }

    /// A range id for `add`: facts of one grant item share it.
    mutating func rangeId(_ range: SourceRange) -> Int32 {
        if let last = ranges.last, last == range { return Int32(ranges.count - 1) }
        ranges.append(range)
        return Int32(ranges.count - 1)
    }

    mutating func add(_ fact: Fact, range: Int32) {
        facts.append(fact)
        rangeOf.append(range)
        if fact.grantable { anyGrantable = true }
    }

    func grant(_ fact: Fact) -> IRGrant {
        IRGrant(grantee: PrincipalRef(name: grantees[Int(fact.grantee)]), privilege: privileges[Int(fact.privilege)],
                object: objects[fact.object], column: fact.column < 0 ? nil : columns[Int(fact.column)], grantable: fact.grantable)
    }

    /// The facts once every one is added: sorted keys, or the plain set when ids cannot
    /// express `IRGrant`'s order.
    enum Sealed {
        case keys(sorted: [UInt64], encode: (Fact) -> UInt64, layout: KeyLayout)
        case set(Set<IRGrant>)
    }
    private(set) var sealed: Sealed?

    /// Sorts the facts; call once, after the last `add`.
    mutating func seal() {
        if let (keys, encode, layout) = sortKeys() {
            var sorted = keys
            sorted.sort()
            sealed = .keys(sorted: sorted, encode: encode, layout: layout)
        } else {
            sealed = .set(Set(facts.map(grant)))
        }
    }

    /// Whether a fact equal to `grant` was added (after `seal`).
    func contains(_ grant: IRGrant) -> Bool {
        switch sealed {
        case .set(let set)?: return set.contains(grant)
        case .keys(let sorted, let encode, _)?:
            guard let fact = fact(grant) else { return false }
            let key = encode(fact)
            var low = 0, high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if sorted[mid] < key { low = mid + 1 } else { high = mid }
            }
            return low < sorted.count && sorted[low] == key
        case nil: return fact(grant).map { f in facts.contains { $0.same(f) } } ?? false
        }
    }

    /// Where the first fact equal to `grant` was written.
    func origin(of grant: IRGrant) -> SourceRange? {
        guard let f = fact(grant), let index = facts.firstIndex(where: { $0.same(f) }) else { return nil }
        return ranges[Int(rangeOf[index])]
    }

    /// `grant` in ids, or nil when one of its parts was never added.
    private func fact(_ grant: IRGrant) -> Fact? {
        guard let o = objects.id(of: grant.object) else { return nil }
        let g: Int32
        if let name = grant.grantee.name {
            guard let id = granteeIds[name] else { return nil }
            g = id
        } else {
            guard publicId >= 0 else { return nil }
            g = publicId
        }
        guard let p = privileges.firstIndex(of: grant.privilege) else { return nil }
        var c: Int32 = -1
        if let column = grant.column {
            guard let id = columnIds[column] else { return nil }
            c = id
        }
        return Fact(object: o, grantee: g, column: c, privilege: UInt16(p), grantable: grant.grantable)
    }

    /// The distinct facts in `IRGrant` order (after `seal`); with `strongest`, a fact
    /// without grant option is dropped when the same fact with grant option is there.
    /// Also the same facts as ranks (`GrantRanks`) when ids express the order.
    func sortedFactsWithRanks(strongest: Bool) -> (grants: [IRGrant], ranks: GrantRanks?) {
        switch sealed {
        case nil:
            return ([], nil)
        case .set(let set):
            // The plain algorithm, for orders that ids cannot express.
            if strongest {
                return (IRGrant.sortedFacts(set.filter { g in
                    g.grantable || !set.contains(IRGrant(grantee: g.grantee, privilege: g.privilege, object: g.object, column: g.column, grantable: true))
                }), nil)
            }
            return (IRGrant.sortedFacts(set), nil)
        case .keys(let sorted, _, let layout):
            var out: [IRGrant] = []
            out.reserveCapacity(sorted.count)
            var ranked: [GrantRanks.Fact] = []
            ranked.reserveCapacity(sorted.count)
            var k = 0
            while k < sorted.count {
                let key = sorted[k]
                k += 1
                if k < sorted.count && sorted[k] == key { continue }   // a later copy is kept
                if strongest && key & 1 == 0 && k < sorted.count && sorted[k] == key | 1 { continue }
                let ranks = layout.ranks(key)
                out.append(grant(layout.fact(ranks)))
                ranked.append(ranks)
            }
            let ranks = GrantRanks(objects: layout.objectOrder.map { objects[Int32($0)] },
                                   grantees: layout.granteeOrder.map { PrincipalRef(name: grantees[$0]) },
                                   columns: layout.columnOrder.map { columns[$0] },
                                   privileges: layout.privilegeOrder.map { privileges[$0] },
                                   facts: ranked)
            return (out, ranks)
        }
    }

    /// Where each part of a 64-bit fact key sits, and the ids in rank order.
    struct KeyLayout {
        var objectShift: UInt64, granteeShift: UInt64, columnShift: UInt64, privilegeShift: UInt64
        var objectMask: UInt64, granteeMask: UInt64, columnMask: UInt64, privilegeMask: UInt64
        var objectOrder: [Int], granteeOrder: [Int], columnOrder: [Int], privilegeOrder: [Int]

        /// The key's parts as ranks (column: -1 for none).
        func ranks(_ key: UInt64) -> GrantRanks.Fact {
            let column = (key >> columnShift) & columnMask
            return GrantRanks.Fact(object: Int32(truncatingIfNeeded: (key >> objectShift) & objectMask),
                                   grantee: Int32(truncatingIfNeeded: (key >> granteeShift) & granteeMask),
                                   column: column == 0 ? -1 : Int32(truncatingIfNeeded: column - 1),
                                   privilege: UInt16(truncatingIfNeeded: (key >> privilegeShift) & privilegeMask),
                                   grantable: key & 1 == 1)
        }

        /// The fact in ids whose parts have these ranks.
        func fact(_ ranks: GrantRanks.Fact) -> Fact {
            Fact(object: Int32(objectOrder[Int(ranks.object)]), grantee: Int32(granteeOrder[Int(ranks.grantee)]),
                 column: ranks.column < 0 ? -1 : Int32(columnOrder[Int(ranks.column)]),
                 privilege: UInt16(privilegeOrder[Int(ranks.privilege)]), grantable: ranks.grantable)
        }
    }

    /// The indices of `objects` in `IRObject.<` order, or nil when two distinct objects
    /// compare equal. `sortKey` is (rank, three strings): the distinct strings are sorted
    /// once (a few thousand names, not a hundred thousand objects), and the objects are
    /// sorted by four integers.
    static func order(_ objects: [IRObject]) -> [Int]? {
        var ids: [String: Int32] = [:]
        var strings: [String] = []
        func id(_ s: String) -> Int32 {
            if let known = ids[s] { return known }
            let new = Int32(strings.count)
            strings.append(s)
            ids[s] = new
            return new
        }
        var parts = [(Int32, Int32, Int32, Int32)]()
        parts.reserveCapacity(objects.count)
        for object in objects {
            // The same fields `IRObject.compareKeys` compares, in its order.
            switch object {
            case .database(let n): parts.append((0, id(n), -1, -1))
            case .schema(let n): parts.append((1, id(n), -1, -1))
            case .server: parts.append((2, -1, -1, -1))
            case .relation(let k, let s, let n): parts.append((k == .sequence ? 4 : 3, id(s ?? ""), id(n), -1))
            case .routine(let k, let s, let n, let a):
                parts.append((k == .function ? 5 : 6, id(s ?? ""), id(n), id(a?.joined(separator: ",") ?? "\u{1}")))
            case .allInSchema(let k, let s): parts.append((7, id(s), id(k.rawValue), -1))
            }
        }
        let byString = strings.indices.sorted { strings[$0] < strings[$1] }
        var rank = [Int32](repeating: 0, count: strings.count)
        for (r, k) in byString.enumerated() { rank[k] = Int32(r) }
        // Strings that `<` ranks equal (canonically equivalent) share a dictionary id
        // already; nothing else can tie.
        func key(_ k: Int) -> (Int32, Int32, Int32, Int32) {
            let p = parts[k]
            return (p.0, p.1 < 0 ? -1 : rank[Int(p.1)], p.2 < 0 ? -1 : rank[Int(p.2)], p.3 < 0 ? -1 : rank[Int(p.3)])
        }
        let keys = parts.indices.map(key)
        let order = objects.indices.sorted { keys[$0] < keys[$1] }
        for k in order.indices.dropFirst() where keys[order[k - 1]] == keys[order[k]] { return nil }
        return order
    }

    /// The facts as 64-bit keys whose integer order is `IRGrant.<`:
    /// object rank, grantee rank, column rank, privilege rank, grantable.
    private func sortKeys() -> (keys: [UInt64], encode: (Fact) -> UInt64, layout: KeyLayout)? {
        func bits(_ n: Int) -> Int { n <= 1 ? 0 : Int.bitWidth - (n - 1).leadingZeroBitCount }
        let objectCount = objects.count
        guard let objectOrder = GrantFactStore.order(objects.objects) else { return nil }
        // PrincipalRef and columns compare nil as "": a name "" would tie with it.
        guard !grantees.contains(""), !columns.contains("") else { return nil }
        let granteeOrder = grantees.indices.sorted { (grantees[$0] ?? "") < (grantees[$1] ?? "") }
        let columnOrder = columns.indices.sorted { columns[$0] < columns[$1] }
        let privilegeOrder = privileges.indices.sorted { privileges[$0] < privileges[$1] }
        let objectBits = bits(objectCount), granteeBits = bits(grantees.count)
        let columnBits = bits(columns.count + 1), privilegeBits = bits(privileges.count)
        guard objectBits + granteeBits + columnBits + privilegeBits + 1 <= 64 else { return nil }
        var objectRank = [UInt64](repeating: 0, count: objectCount)
        for (r, id) in objectOrder.enumerated() { objectRank[id] = UInt64(r) }
        var granteeRank = [UInt64](repeating: 0, count: grantees.count)
        for (r, id) in granteeOrder.enumerated() { granteeRank[id] = UInt64(r) }
        // Rank 0 is "no column".
        var columnRank = [UInt64](repeating: 0, count: columns.count)
        for (r, id) in columnOrder.enumerated() { columnRank[id] = UInt64(r + 1) }
        var privilegeRank = [UInt64](repeating: 0, count: privileges.count)
        for (r, id) in privilegeOrder.enumerated() { privilegeRank[id] = UInt64(r) }
        let privilegeShift = UInt64(1), columnShift = privilegeShift + UInt64(privilegeBits)
        let granteeShift = columnShift + UInt64(columnBits), objectShift = granteeShift + UInt64(granteeBits)
        let encode = { (f: Fact) -> UInt64 in
            objectRank[Int(f.object)] << objectShift | granteeRank[Int(f.grantee)] << granteeShift
                | (f.column < 0 ? 0 : columnRank[Int(f.column)]) << columnShift
                | privilegeRank[Int(f.privilege)] << privilegeShift | (f.grantable ? 1 : 0)
        }
        let keys = facts.map(encode)
        func mask(_ width: Int) -> UInt64 { width == 0 ? 0 : (UInt64.max >> UInt64(64 - width)) }
        let layout = KeyLayout(objectShift: objectShift, granteeShift: granteeShift, columnShift: columnShift,
                               privilegeShift: privilegeShift, objectMask: mask(objectBits), granteeMask: mask(granteeBits),
                               columnMask: mask(columnBits), privilegeMask: mask(privilegeBits),
                               objectOrder: objectOrder, granteeOrder: granteeOrder, columnOrder: columnOrder,
                               privilegeOrder: privilegeOrder)
        return (keys, encode, layout)
    }
}

/// `PolicyIR.grants` as ranks: every object, grantee, column and privilege the facts
/// name, each table in the order `IRGrant.<` sorts by (objects by `IRObject.<`, grantees
/// and columns by name, nil/PUBLIC as ""), and each fact as its four ranks. Comparing
/// ranks is comparing the values, so a consumer (the PostgreSQL renderer) can group and
/// order a million facts as integers. Lowering builds it beside the facts it sorted.
struct GrantRanks: Sendable {
    struct Fact: Sendable, Equatable {
        var object: Int32
        var grantee: Int32
        /// -1: no column.
        var column: Int32
        var privilege: UInt16
        var grantable: Bool
    }
    var objects: [IRObject]
    var grantees: [PrincipalRef]
    var columns: [String]
    var privileges: [String]
    /// Parallel to the grants: `facts[k]` is `grants[k]`.
    var facts: [Fact]

    /// Whether `grants` is what these ranks describe (a cheap check: counts and ends).
    func describes(_ grants: [IRGrant]) -> Bool {
        guard grants.count == facts.count else { return false }
        for k in [0, grants.count - 1] where k >= 0 && k < grants.count {
            if grant(k) != grants[k] { return false }
        }
        return true
    }

    func grant(_ k: Int) -> IRGrant {
        let f = facts[k]
        return IRGrant(grantee: grantees[Int(f.grantee)], privilege: privileges[Int(f.privilege)], object: objects[Int(f.object)],
                       column: f.column < 0 ? nil : columns[Int(f.column)], grantable: f.grantable)
    }
}

/// Holds a `GrantRanks` inside `PolicyIR` without being part of its value: equal to any
/// other, hashes nothing, never encoded. `PolicyIR.grants` drops it on any change.
struct GrantRanksSlot: Hashable, Sendable {
    var ranks: GrantRanks?
    static func == (a: Self, b: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
