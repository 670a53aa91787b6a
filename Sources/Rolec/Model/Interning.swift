/// Interning for large policies: names and objects as small integer ids, and hash tables
/// keyed by ids. The IR keeps `String`s and `IRObject`s in its public shape; lowering and
/// the analyses intern them once so that a million facts are hashed, compared and sorted
/// as integers.

/// Interns `IRObject`s to dense ids (in first-seen order) with an FNV-1a hash of their
/// names: the synthesized `Hashable` runs SipHash over every field and was the largest
/// single cost of indexing a large policy's objects.
struct ObjectTable {
    private(set) var objects: [IRObject] = []
    private var hashes: [UInt64] = []
    /// Open addressing; a slot keeps the hash beside the id so that a probe reads one
    /// cache line, and the object itself is compared only when the hashes agree.
    private var slots: [Slot]
    private var mask: Int

    struct Slot {
        var hash: UInt64
        var id: Int32   // -1: empty
    }

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(hash: 0, id: -1), count: size)
        mask = size - 1
        objects.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
    }

    var count: Int { objects.count }
    subscript(id: Int32) -> IRObject { objects[Int(id)] }

    static func hash(_ object: IRObject) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func byte(_ b: UInt8) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        func text(_ s: String) {
            for b in s.utf8 { byte(b) }
            byte(0xff)   // never part of UTF-8: separates fields
        }
        switch object {
        case .database(let n): byte(0); text(n)
        case .schema(let n): byte(1); text(n)
        case .server: byte(2)
        case .relation(let kind, let schema, let name):
            byte(kind == .table ? 3 : kind == .view ? 4 : 5)
            if let schema { text(schema) } else { byte(0xfe) }
            text(name)
        case .routine(let kind, let schema, let name, let arguments):
            byte(kind == .function ? 6 : 7)
            if let schema { text(schema) } else { byte(0xfe) }
            text(name)
            if let arguments { for a in arguments { text(a) } } else { byte(0xfe) }
        case .allInSchema(let kind, let schema):
            byte(8)
            text(kind.rawValue)
            text(schema)
        }
        // Final avalanche (splitmix64): FNV alone clusters in the low bits.
        h ^= h >> 30
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 27
        h = h &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        return h
    }

    func id(of object: IRObject) -> Int32? {
        let h = ObjectTable.hash(object)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry.id < 0 { return nil }
            if entry.hash == h && objects[Int(entry.id)] == object { return entry.id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `object`, adding it if new.
    mutating func intern(_ object: IRObject) -> Int32 {
        let h = ObjectTable.hash(object)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry.id < 0 { break }
            if entry.hash == h && objects[Int(entry.id)] == object { return entry.id }
            slot = (slot + 1) & mask
        }
        let id = Int32(objects.count)
        objects.append(object)
        hashes.append(h)
        slots[slot] = Slot(hash: h, id: id)
        if objects.count * 2 > slots.count { grow() }
        return id
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Slot](repeating: Slot(hash: 0, id: -1), count: size)
        mask = size - 1
        for (id, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot].id >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Slot(hash: h, id: Int32(id))
        }
    }
}

/// An open-addressing hash table from a pair of 64-bit integers to an `Int32`: the
/// analyses' keys are tuples of ids, which need no SipHash.
struct IdPairTable {
    /// One entry per slot (both keys and the value in one cache line); `hi == empty` is free.
    private struct Entry {
        var hi: UInt64
        var lo: UInt64
        var value: Int32
    }
    private var entries: [Entry]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = [Entry](repeating: Entry(hi: IdPairTable.empty, lo: 0, value: 0), count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func hash(_ a: UInt64, _ b: UInt64) -> Int {
        var h = (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &+ 0x632B_E59B_D9B4_E019)
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }

    /// The value stored for (a, b). `a` must not be `UInt64.max`.
    func get(_ a: UInt64, _ b: UInt64) -> Int32? {
        var slot = IdPairTable.hash(a, b) & mask
        while true {
            let entry = entries[slot]
            if entry.hi == IdPairTable.empty { return nil }
            if entry.hi == a && entry.lo == b { return entry.value }
            slot = (slot + 1) & mask
        }
    }

    func contains(_ a: UInt64, _ b: UInt64) -> Bool { get(a, b) != nil }

    /// Stores `value` for (a, b) unless a value is there; returns whether it was stored.
    @discardableResult
    mutating func insert(_ a: UInt64, _ b: UInt64, _ value: Int32 = 0) -> Bool {
        if (count + 1) * 2 > entries.count { grow() }
        var slot = IdPairTable.hash(a, b) & mask
        while true {
            let entry = entries[slot]
            if entry.hi == IdPairTable.empty {
                entries[slot] = Entry(hi: a, lo: b, value: value)
                count += 1
                return true
            }
            if entry.hi == a && entry.lo == b { return false }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(hi: IdPairTable.empty, lo: 0, value: 0), count: old.count * 2)
        mask = entries.count - 1
        count = 0
        for entry in old where entry.hi != IdPairTable.empty { insert(entry.hi, entry.lo, entry.value) }
    }
}

extension IdPairTable {
    /// Two 32-bit ids in one word (ids are never negative here, but -1 = "none" must survive).
    @inline(__always)
    static func pack(_ x: Int32, _ y: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: x)) << 32 | UInt64(UInt32(bitPattern: y))
    }
}
