/// The grant facts of an IR with their names interned to small integers, for analyses
/// that look at a million facts: the lints, effective access and `explain`.
///
/// The IR keeps its public shape (facts with `String` names); this index is built from it
/// in one pass. `ir.grants` is sorted by object, so consecutive facts mostly share their
/// object and an object costs one equality test instead of a hash; a grantee costs one
/// hash of a short string. Everything after that compares and hashes integers.
struct FactIndex {
    /// Id of PUBLIC as a grantee.
    static let publicGrantee: Int32 = 0
    /// Id of "no column".
    static let noColumn: Int32 = -1

    /// Grantee names by id; id 0 is PUBLIC (nil).
    private(set) var granteeNames: [String?] = [nil]
    private(set) var granteeIds: [String: Int32] = [:]
    private(set) var objectTable = ObjectTable()
    var objects: [IRObject] { objectTable.objects }
    private(set) var privileges: [String] = []
    private(set) var columns: [String] = []
    private var columnIds: [String: Int32] = [:]

    /// Per fact of `ir.grants`, in its order.
    private(set) var grantee: [Int32] = []
    private(set) var object: [Int32] = []
    private(set) var privilege: [Int32] = []
    private(set) var column: [Int32] = []

    /// Whether each object's facts are one run of consecutive facts, ordered by grantee
    /// name within the run, as lowering sorts them (`IRGrant.<`). Then `objectStart`
    /// holds each run's bounds, and a fact's duplicates by (object, grantee) are adjacent.
    private(set) var runsByObject = true
    /// Facts of object o: `objectStart[o] ..< objectStart[o + 1]` (when `runsByObject`).
    private(set) var objectStart: [Int] = []

    /// Facts by grantee: `byGrantee[granteeStart[g] ..< granteeStart[g + 1]]` are the
    /// indices of grantee g's facts, in the IR's order.
    private(set) var byGrantee: [Int32] = []
    private(set) var granteeStart: [Int] = []

    init(_ facts: [IRGrant]) {
        let count = facts.count
        grantee.reserveCapacity(count)
        object.reserveCapacity(count)
        privilege.reserveCapacity(count)
        column.reserveCapacity(count)
        var lastObject: IRObject?
        var lastObjectId: Int32 = -1
        var lastGrantee: String?? = .none
        var lastGranteeId: Int32 = -1
        var previousName: String?
        for (i, fact) in facts.enumerated() {
            if let last = lastObject, last == fact.object {
                object.append(lastObjectId)
                if runsByObject, let previous = previousName, (fact.grantee.name ?? "") < previous { runsByObject = false }
            } else {
                let known = objectTable.count
                lastObjectId = internObject(fact.object)
                if Int(lastObjectId) != known { runsByObject = false }   // the object had a run before
                if runsByObject { objectStart.append(i) }
                lastObject = fact.object
                object.append(lastObjectId)
            }
            previousName = fact.grantee.name ?? ""
            if let last = lastGrantee, last == fact.grantee.name {
                grantee.append(lastGranteeId)
            } else {
                lastGranteeId = id(ofGrantee: fact.grantee.name, adding: true) ?? 0
                lastGrantee = .some(fact.grantee.name)
                grantee.append(lastGranteeId)
            }
            var p = -1
            for (k, known) in privileges.enumerated() where known == fact.privilege { p = k; break }
            if p < 0 { p = privileges.count; privileges.append(fact.privilege) }
            privilege.append(Int32(p))
            if let name = fact.column {
                if let c = columnIds[name] { column.append(c) } else {
                    let c = Int32(columns.count)
                    columns.append(name)
                    columnIds[name] = c
                    column.append(c)
                }
            } else {
                column.append(FactIndex.noColumn)
            }
        }
        if runsByObject { objectStart.append(count) } else { objectStart = [] }
        // Counting sort of the fact indices by grantee (stable: the IR's order within).
        var start = [Int](repeating: 0, count: granteeNames.count + 1)
        for g in grantee { start[Int(g) + 1] += 1 }
        for g in 0..<granteeNames.count { start[g + 1] += start[g] }
        var fill = start
        var order = [Int32](repeating: 0, count: count)
        for (i, g) in grantee.enumerated() {
            order[fill[Int(g)]] = Int32(i)
            fill[Int(g)] += 1
        }
        byGrantee = order
        granteeStart = start
    }

    private mutating func internObject(_ o: IRObject) -> Int32 {
        objectTable.intern(o)
    }

    /// The id of a grantee (nil: PUBLIC); nil when no fact names it.
    func id(ofGrantee name: String?) -> Int32? {
        guard let name else { return FactIndex.publicGrantee }
        return granteeIds[name]
    }

    private mutating func id(ofGrantee name: String?, adding: Bool) -> Int32? {
        guard let name else { return FactIndex.publicGrantee }
        if let id = granteeIds[name] { return id }
        let id = Int32(granteeNames.count)
        granteeNames.append(name)
        granteeIds[name] = id
        return id
    }

    func id(ofPrivilege name: String) -> Int32? {
        privileges.firstIndex(of: name).map(Int32.init)
    }

    func id(ofObject o: IRObject) -> Int32? { objectTable.id(of: o) }

    /// Whether grantee `g` has privilege `p` on object `o` for column `c`, or for the whole
    /// object when `c` is a column (only when `runsByObject`): a scan of the object's run,
    /// or a binary search by grantee name in a long run.
    func holds(_ g: Int32, _ p: Int32, _ o: Int32, column c: Int32) -> Bool {
        @inline(__always) func matches(_ j: Int) -> Bool {
            privilege[j] == p && (column[j] == c || (c != FactIndex.noColumn && column[j] == FactIndex.noColumn))
        }
        let start = objectStart[Int(o)], end = objectStart[Int(o) + 1]
        if end - start <= 32 {
            for j in start..<end where grantee[j] == g && matches(j) { return true }
            return false
        }
        // A long run is ordered by grantee name: find the first of `g`'s facts.
        let name = granteeNames[Int(g)] ?? ""
        var low = start, high = end
        while low < high {
            let mid = (low + high) / 2
            if (granteeNames[Int(grantee[mid])] ?? "") < name { low = mid + 1 } else { high = mid }
        }
        var j = low
        while j < end && grantee[j] == g {
            if matches(j) { return true }
            j += 1
        }
        return false
    }


    /// The indices of a grantee's facts, in the IR's order.
    func facts(of granteeId: Int32) -> ArraySlice<Int32> {
        byGrantee[granteeStart[Int(granteeId)]..<granteeStart[Int(granteeId) + 1]]
    }

    var granteeCount: Int { granteeNames.count }
    var count: Int { grantee.count }
}

