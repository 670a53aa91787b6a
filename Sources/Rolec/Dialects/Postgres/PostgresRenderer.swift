/// Renders the IR as one idempotent PostgreSQL script: principals, attributes,
/// settings, memberships, then ownership, grants, default privileges, revokes and
/// drops, each consolidated into as few statements as PostgreSQL allows.
struct PostgresRenderer {
    let ir: PolicyIR
    let options: RenderOptions
    let dialect: PostgresDialect

    var version: Int { PostgresDialect.number(ir.serverVersion) }
    typealias Q = PostgresQuoting

    func render() -> String {
        var out = ScriptWriter()
        out.header(dialect: dialect.displayName, version: ir.serverVersion, phase: options.phase?.rawValue, sources: options.sources)
        var notes = ir.notes
        for p in ir.principals where !p.hosts.isEmpty {
            notes.append("hosts of \(p.name) apply to MySQL/MariaDB accounts only")
        }
        for p in ir.principals where p.defaultRoles != nil {
            notes.append("default role of \(p.name): PostgreSQL activates memberships through INHERIT; nothing to render")
        }
        out.notes(notes)
        if options.transaction { out.line("BEGIN;") }
        if options.phase != .privileges {
            out.section("Principals", principals(ir.principals))
            out.section("Settings", settings(ir.settings))
            out.section("Memberships", memberships(ir.memberships))
        }
        if options.phase != .principals {
            out.section("Ownership", ownership(ir.ownerships))
            out.section("Privileges", grantStatements(ir.grants, .grant, ranks: ir.grantRanks.ranks))
            out.section("Default privileges for future objects", defaultStatements(ir.defaultGrants, .grant))
            out.section("Revokes", grantStatements(ir.revokes, .revoke))
            out.section("Default privileges revoked", defaultStatements(ir.defaultRevokes, .revoke))
            out.section("Absent principals", ir.absent.map { dropRole($0.name, successor: nil) })
        }
        if options.transaction { out.blank(); out.line("COMMIT;") }
        return out.text
    }

    // MARK: principals

    func principals(_ list: [IRPrincipal]) -> [String] {
        list.flatMap { principalStatements($0, from: nil, create: !$0.external) }
    }

    /// A principal's statements: the race-free CREATE (`create`), then one ALTER ROLE
    /// for its attributes and password, then its comment. With `old`, only what is
    /// managed (non-nil) in `p` and differs from `old` is converged (a migration).
    func principalStatements(_ p: IRPrincipal, from old: IRPrincipal?, create: Bool) -> [String] {
        var statements: [String] = []
        let name = Q.identifier(p.name)
        if create { statements.append(createRole(p.name)) }
        /// The value to converge: managed in `p` and (in a migration) changed.
        func converge<T: Equatable>(_ value: KeyPath<IRPrincipal, T?>) -> T? {
            guard let new = p[keyPath: value] else { return nil }
            return old?[keyPath: value] == new ? nil : new
        }
        var attributes: [String] = []
        func flag(_ value: KeyPath<IRPrincipal, Bool?>, _ word: String) {
            if let value = converge(value) { attributes.append(value ? word : "NO" + word) }
        }
        flag(\.login, "LOGIN")
        flag(\.superuser, "SUPERUSER")
        flag(\.createdb, "CREATEDB")
        flag(\.createrole, "CREATEROLE")
        flag(\.replication, "REPLICATION")
        flag(\.bypassrls, "BYPASSRLS")
        flag(\.inherit, "INHERIT")
        if let limit = converge(\.connectionLimit) { attributes.append("CONNECTION LIMIT \(limit)") }
        if let until = converge(\.validUntil) { attributes.append("VALID UNTIL \(Q.literal(until))") }
        if let verifier = Self.password(p, dialect), old.map({ Self.password($0, dialect) }) != verifier {
            attributes.append("PASSWORD \(Q.literal(verifier))")
        }
        if !attributes.isEmpty { statements.append("ALTER ROLE \(name) WITH \(attributes.joined(separator: " "));") }
        if let comment = converge(\.comment) {
            statements.append("COMMENT ON ROLE \(name) IS \(comment.isEmpty ? "NULL" : Q.literal(comment));")
        }
        return statements
    }

    /// `CREATE ROLE` in a `DO` block that traps `duplicate_object`: race-free and idempotent.
    func createRole(_ role: String) -> String {
        let create = "CREATE ROLE \(Q.identifier(role));"
        let tag = Q.dollarTag(for: create)
        return "DO \(tag)\nBEGIN\n  \(create)\nEXCEPTION WHEN duplicate_object THEN\n  NULL;\nEND\n\(tag);"
    }

    /// The verifier PostgreSQL takes of a principal's hashes (nil: password not managed);
    /// what the script sets and `rolec verify` expects in pg_authid.
    static func password(_ p: IRPrincipal, _ dialect: PostgresDialect) -> String? {
        p.passwordHashes.isEmpty ? nil : dialect.choosePassword(p.passwordHashes, at: .none).0
    }

    func settings(_ list: [IRSetting]) -> [String] {
        list.map { s in
            "ALTER ROLE \(settingTarget(s)) SET \(settingName(s)) TO \(s.values.map(Q.literal).joined(separator: ", "));"
        }
    }

    /// `ALTER ROLE r [IN DATABASE d] RESET name` for settings a policy no longer has.
    func resetSettings(_ list: [IRSetting]) -> [String] {
        list.map { "ALTER ROLE \(settingTarget($0)) RESET \(settingName($0));" }
    }

    func settingTarget(_ s: IRSetting) -> String {
        Q.identifier(s.role) + (s.database.map { " IN DATABASE \(Q.identifier($0))" } ?? "")
    }

    func settingName(_ s: IRSetting) -> String {
        s.name.split(separator: ".").map { Q.identifier(String($0)) }.joined(separator: ".")
    }

    func memberships(_ list: [IRMembership]) -> [String] {
        struct Key: Hashable, Comparable {
            var role: String, admin: Bool, inherit: Bool?, set: Bool?
            static func < (a: Key, b: Key) -> Bool {
                (a.role, a.admin ? 1 : 0, a.inherit.map { $0 ? 2 : 1 } ?? 0, a.set.map { $0 ? 2 : 1 } ?? 0)
                    < (b.role, b.admin ? 1 : 0, b.inherit.map { $0 ? 2 : 1 } ?? 0, b.set.map { $0 ? 2 : 1 } ?? 0)
            }
        }
        var groups: [Key: [String]] = [:]
        for m in list {
            groups[Key(role: m.role, admin: m.admin, inherit: m.inherit, set: m.set), default: []].append(m.member)
        }
        return groups.keys.sorted().map { key in
            let members = groups[key, default: []].sorted().map(Q.identifier).joined(separator: ", ")
            var options: [String] = []
            if version >= 16 {
                if key.admin { options.append("ADMIN TRUE") }
                if let inherit = key.inherit { options.append("INHERIT \(inherit ? "TRUE" : "FALSE")") }
                if let set = key.set { options.append("SET \(set ? "TRUE" : "FALSE")") }
            } else if key.admin {
                options.append("ADMIN OPTION")
            }
            let with = options.isEmpty ? "" : " WITH " + options.joined(separator: ", ")
            return "GRANT \(Q.identifier(key.role)) TO \(members)\(with);"
        }
    }

    // MARK: privileges

    func ownership(_ list: [IROwnership]) -> [String] {
        list.map { o in
            "ALTER \(o.scope == .schema ? "SCHEMA" : "DATABASE") \(Q.identifier(o.name)) OWNER TO \(Q.identifier(o.owner));"
        }
    }

    static let privilegeOrder = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN",
                                 "USAGE", "CREATE", "CONNECT", "TEMPORARY", "EXECUTE"]

    static func sortPrivileges(_ privileges: [String]) -> [String] {
        privileges.sorted { (privilegeOrder.firstIndex(of: $0) ?? 99, $0) < (privilegeOrder.firstIndex(of: $1) ?? 99, $1) }
    }

    /// The `ON ...` keyword group an object belongs to, and its rendering.
    static func objectClause(_ object: IRObject) -> (group: String, rank: Int, name: String) {
        switch object {
        case .database(let n): return ("DATABASE", 0, Q.identifier(n))
        case .schema(let n): return ("SCHEMA", 1, Q.identifier(n))
        case .server: return ("SERVER", 2, "")
        case .relation(.sequence, let s, let n): return ("SEQUENCE", 4, Q.qualified(s, n))
        case .relation(_, let s, let n): return ("TABLE", 3, Q.qualified(s, n))
        case .routine(let kind, let s, let n, let args):
            let signature = args.map { "(" + $0.joined(separator: ", ") + ")" } ?? ""
            return (kind == .function ? "FUNCTION" : "PROCEDURE", kind == .function ? 5 : 6, Q.qualified(s, n) + signature)
        case .allInSchema(let kind, let s):
            return ("ALL \(kind.rawValue.uppercased()) IN SCHEMA", 7, Q.identifier(s))
        }
    }

    /// What a GRANT/REVOKE statement does with its privileges.
    enum Verb {
        case grant, revoke
        /// `REVOKE GRANT OPTION FOR`: the privilege stays, the right to pass it on goes.
        case revokeGrantOption

        /// `GRANT <privileges> ON ... TO who [WITH GRANT OPTION];` or its REVOKE forms.
        func statement(_ privilegesAndObjects: String, _ who: String, grantable: Bool) -> String {
            switch self {
            case .grant: return "GRANT \(privilegesAndObjects) TO \(who)\(grantable ? " WITH GRANT OPTION" : "");"
            case .revoke: return "REVOKE \(privilegesAndObjects) FROM \(who);"
            case .revokeGrantOption: return "REVOKE GRANT OPTION FOR \(privilegesAndObjects) FROM \(who);"
            }
        }
    }

    /// `ranks`: the facts as ranks (lowering's), for the fastest grouping; ignored unless
    /// it describes `facts`.
    func grantStatements(_ facts: [IRGrant], _ verb: Verb, ranks: GrantRanks? = nil) -> [String] {
        var rendered: [(key: [String], text: String)]
        if let ranks, ranks.describes(facts), let fast = rankedObjectStatements(ranks, verb) {
            rendered = fast
        } else {
            rendered = groupedObjectStatements(facts, verb) ?? objectStatements(facts, verb)
        }
        // Column privileges: one statement per table, privilege-with-columns list and grantee set.
        struct ColumnHolder: Hashable { var object: IRObject; var grantee: PrincipalRef; var grantable: Bool }
        var columnPrivileges: [ColumnHolder: [String: [String]]] = [:]
        for fact in facts {
            if let column = fact.column {
                columnPrivileges[ColumnHolder(object: fact.object, grantee: fact.grantee, grantable: fact.grantable), default: [:]][fact.privilege, default: []].append(column)
            }
        }
        struct ColumnStatement: Hashable { var object: IRObject; var list: String; var grantable: Bool }
        var columnGrantees: [ColumnStatement: [PrincipalRef]] = [:]
        for (holder, byPrivilege) in columnPrivileges {
            let list = PostgresRenderer.sortPrivileges(Array(byPrivilege.keys)).map { privilege in
                "\(privilege) (\(byPrivilege[privilege, default: []].sorted().map(Q.identifier).joined(separator: ", ")))"
            }.joined(separator: ", ")
            columnGrantees[ColumnStatement(object: holder.object, list: list, grantable: holder.grantable), default: []].append(holder.grantee)
        }
        for (statement, holders) in columnGrantees {
            let clause = PostgresRenderer.objectClause(statement.object)
            let who = holders.sorted().map(renderGrantee).joined(separator: ", ")
            let text = verb.statement("\(statement.list) ON TABLE \(clause.name)", who, grantable: statement.grantable)
            rendered.append(([format3(clause.rank) + "c", clause.name, statement.list, who, statement.grantable ? "1" : "0"], text))
        }
        return rendered.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.text)
    }

    /// One GRANT (REVOKE) of a privilege list on objects of one group, with its sort key.
    func objectStatement(group: String, rank: Int, privileges: String, grantable: Bool, names: String, who: String,
                         _ verb: Verb) -> (key: [String], text: String) {
        let text = verb.statement("\(privileges) ON \(group) \(names)", who, grantable: grantable)
        return ([format3(rank), group, names, privileges, who, grantable ? "1" : "0"], text)
    }

    /// Statements for the facts without a column: the grantees of each (object, privilege
    /// set, grantable), then the objects of each (object group, privilege set, grantable,
    /// grantees). `groupedObjectStatements` computes the same faster; this is the plain form.
    func objectStatements(_ facts: [IRGrant], _ verb: Verb) -> [(key: [String], text: String)] {
        // 1. per (object, column-less, grantee, grantable): the privilege set
        struct Holder: Hashable { var object: IRObject; var grantee: PrincipalRef; var grantable: Bool }
        var objectPrivileges: [Holder: [String]] = [:]
        for fact in facts where fact.column == nil {
            objectPrivileges[Holder(object: fact.object, grantee: fact.grantee, grantable: fact.grantable), default: []].append(fact.privilege)
        }
        // 2. per (object, privilege set, grantable): the grantees
        struct Shared: Hashable { var object: IRObject; var privileges: String; var grantable: Bool }
        var grantees: [Shared: [PrincipalRef]] = [:]
        for (holder, privileges) in objectPrivileges {
            let list = PostgresRenderer.sortPrivileges(privileges).joined(separator: ", ")
            grantees[Shared(object: holder.object, privileges: list, grantable: holder.grantable), default: []].append(holder.grantee)
        }
        // 3. per (object group, privilege set, grantable, grantees): the objects
        struct Statement: Hashable { var group: String; var rank: Int; var privileges: String; var grantable: Bool; var grantees: [PrincipalRef] }
        var objects: [Statement: [IRObject]] = [:]
        for (shared, holders) in grantees {
            let clause = PostgresRenderer.objectClause(shared.object)
            objects[Statement(group: clause.group, rank: clause.rank, privileges: shared.privileges, grantable: shared.grantable, grantees: holders.sorted()), default: []].append(shared.object)
        }
        var rendered: [(key: [String], text: String)] = []
        for (statement, list) in objects {
            let sortedObjects = list.sorted()
            let names = sortedObjects.map { PostgresRenderer.objectClause($0).name }.joined(separator: ", ")
            let who = statement.grantees.map(renderGrantee).joined(separator: ", ")
            rendered.append(objectStatement(group: statement.group, rank: statement.rank, privileges: statement.privileges,
                                            grantable: statement.grantable, names: names, who: who, verb))
        }
        return rendered
    }

    /// `objectStatements` for large scripts (a million facts): each object is numbered once
    /// (consecutive facts usually share it) and its clause rendered once, a privilege set
    /// is a bit mask, so the three groupings hash integers and a grantee name instead of
    /// whole objects and string arrays. The groups, hence the statements, are the same.
    /// Nil (use the plain form) when the facts name more than 64 distinct privileges or
    /// list a fact twice.
    func groupedObjectStatements(_ facts: [IRGrant], _ verb: Verb) -> [(key: [String], text: String)]? {
        var objectIDs: [IRObject: Int] = [:]
        var objects: [IRObject] = []
        var privilegeNames: [String] = []   // bit i of a mask stands for privilegeNames[i]
        // 1. per (object, grantee, grantable): the privilege set
        struct Holder: Hashable { var object: Int; var grantee: PrincipalRef; var grantable: Bool }
        var holderIndex: [Holder: Int] = [:]
        var holders: [Holder] = []
        var masks: [UInt64] = []
        // At most one holder per fact: sized once rather than rehashed while growing.
        holderIndex.reserveCapacity(facts.count)
        var lastObject: (object: IRObject, id: Int)?
        for fact in facts where fact.column == nil {
            let id: Int
            if let last = lastObject, last.object == fact.object {
                id = last.id
            } else if let known = objectIDs[fact.object] {
                id = known
                lastObject = (fact.object, id)
            } else {
                id = objects.count
                objectIDs[fact.object] = id
                objects.append(fact.object)
                lastObject = (fact.object, id)
            }
            var bitIndex = 0
            while bitIndex < privilegeNames.count, privilegeNames[bitIndex] != fact.privilege { bitIndex += 1 }
            if bitIndex == privilegeNames.count {
                guard bitIndex < 64 else { return nil }
                privilegeNames.append(fact.privilege)
            }
            let bit = UInt64(1) << UInt64(bitIndex)
            let holder = Holder(object: id, grantee: fact.grantee, grantable: fact.grantable)
            // A fact listed twice would repeat its privilege in the plain form: leave it that.
            if let last = holders.indices.last, holders[last] == holder {
                if masks[last] & bit != 0 { return nil }
                masks[last] |= bit
            } else if let index = holderIndex[holder] {
                if masks[index] & bit != 0 { return nil }
                masks[index] |= bit
            } else {
                holderIndex[holder] = holders.count
                holders.append(holder)
                masks.append(bit)
            }
        }
        // 2. per (object, privilege set, grantable): the grantees
        struct Shared: Hashable { var object: Int; var mask: UInt64; var grantable: Bool }
        var sharedIndex: [Shared: Int] = [:]
        sharedIndex.reserveCapacity(holders.count)
        var shared: [Shared] = []
        var sharedGrantees: [[PrincipalRef]] = []
        for (k, holder) in holders.enumerated() {
            let key = Shared(object: holder.object, mask: masks[k], grantable: holder.grantable)
            if let index = sharedIndex[key] {
                sharedGrantees[index].append(holder.grantee)
            } else {
                sharedIndex[key] = shared.count
                shared.append(key)
                sharedGrantees.append([holder.grantee])
            }
        }
        // 3. per (object group, privilege set, grantable, grantees): the objects
        let clauses = objects.map(PostgresRenderer.objectClause)
        var privilegeLists: [UInt64: String] = [:]
        struct Statement: Hashable { var group: String; var rank: Int; var privileges: String; var grantable: Bool; var grantees: [PrincipalRef] }
        var statementIndex: [Statement: Int] = [:]
        statementIndex.reserveCapacity(shared.count)
        var statements: [Statement] = []
        var statementObjects: [[Int]] = []
        for (k, s) in shared.enumerated() {
            let privileges: String
            if let known = privilegeLists[s.mask] {
                privileges = known
            } else {
                let names = privilegeNames.indices.filter { s.mask & (UInt64(1) << UInt64($0)) != 0 }.map { privilegeNames[$0] }
                privileges = PostgresRenderer.sortPrivileges(names).joined(separator: ", ")
                privilegeLists[s.mask] = privileges
            }
            let clause = clauses[s.object]
            let key = Statement(group: clause.group, rank: clause.rank, privileges: privileges, grantable: s.grantable, grantees: sharedGrantees[k].sorted())
            if let index = statementIndex[key] {
                statementObjects[index].append(s.object)
            } else {
                statementIndex[key] = statements.count
                statements.append(key)
                statementObjects.append([s.object])
            }
        }
        // Objects in `IRObject` order: sort the distinct objects once, then compare ranks.
        var objectRank = [Int](repeating: 0, count: objects.count)
        for (rank, id) in objects.indices.sorted(by: { objects[$0] < objects[$1] }).enumerated() { objectRank[id] = rank }
        var rendered: [(key: [String], text: String)] = []
        rendered.reserveCapacity(statements.count)
        for (index, statement) in statements.enumerated() {
            let names = statementObjects[index].sorted { objectRank[$0] < objectRank[$1] }.map { clauses[$0].name }.joined(separator: ", ")
            let who = statement.grantees.map(renderGrantee).joined(separator: ", ")
            rendered.append(objectStatement(group: statement.group, rank: statement.rank, privileges: statement.privileges,
                                            grantable: statement.grantable, names: names, who: who, verb))
        }
        return rendered
    }

    /// `objectStatements` over lowering's ranks (a million facts in well under a second):
    /// the facts come sorted by object, grantee, column, privilege and grant option, so
    /// each (object, grantee)'s column-less facts are consecutive and become two bit
    /// masks (without and with grant option) with no hashing; the grantees of an object
    /// are grouped by mask in a short list; and a statement is keyed by integers. Ranks
    /// order like the values, so objects and grantees come out in the plain form's order
    /// without sorting. Nil (use another form) with more than 64 distinct privileges.
    func rankedObjectStatements(_ ranks: GrantRanks, _ verb: Verb) -> [(key: [String], text: String)]? {
        guard ranks.privileges.count <= 64 else { return nil }
        let facts = ranks.facts
        // Privilege lists by mask, grantee and object renderings: each made once.
        var privilegeLists: [UInt64: String] = [:]
        func privilegeList(_ mask: UInt64) -> String {
            if let known = privilegeLists[mask] { return known }
            let names = ranks.privileges.indices.filter { mask & (UInt64(1) << UInt64($0)) != 0 }.map { ranks.privileges[$0] }
            let list = PostgresRenderer.sortPrivileges(names).joined(separator: ", ")
            privilegeLists[mask] = list
            return list
        }
        var granteeTexts = [String?](repeating: nil, count: ranks.grantees.count)
        var clauses = [(group: String, rank: Int, name: String)?](repeating: nil, count: ranks.objects.count)
        var groups: [String] = []          // group id -> group keyword(s)
        var groupRanks: [Int] = []
        var objectGroup = [Int32](repeating: -1, count: ranks.objects.count)
        func group(of object: Int32) -> Int32 {
            if objectGroup[Int(object)] >= 0 { return objectGroup[Int(object)] }
            let clause = PostgresRenderer.objectClause(ranks.objects[Int(object)])
            clauses[Int(object)] = clause
            var id = 0
            while id < groups.count, groups[id] != clause.group || groupRanks[id] != clause.rank { id += 1 }
            if id == groups.count { groups.append(clause.group); groupRanks.append(clause.rank) }
            objectGroup[Int(object)] = Int32(id)
            return Int32(id)
        }
        // Grantee sets (sorted rank lists) as ids.
        var granteeSetIds: [[Int32]: Int32] = [:]
        var granteeSets: [[Int32]] = []
        struct Statement: Hashable { var group: Int32; var mask: UInt64; var grantable: Bool; var grantees: Int32 }
        var statementIndex: [Statement: Int] = [:]
        var statements: [Statement] = []
        var statementObjects: [[Int32]] = []
        // One object's shared groups: (mask, grantable) -> grantees, in grantee order.
        var shared: [(mask: UInt64, grantable: Bool, grantees: [Int32])] = []
        func flush(_ object: Int32) {
            guard !shared.isEmpty else { return }
            let g = group(of: object)
            for entry in shared {
                let set: Int32
                if let known = granteeSetIds[entry.grantees] {
                    set = known
                } else {
                    set = Int32(granteeSets.count)
                    granteeSetIds[entry.grantees] = set
                    granteeSets.append(entry.grantees)
                }
                let key = Statement(group: g, mask: entry.mask, grantable: entry.grantable, grantees: set)
                if let index = statementIndex[key] {
                    statementObjects[index].append(object)
                } else {
                    statementIndex[key] = statements.count
                    statements.append(key)
                    statementObjects.append([object])
                }
            }
            shared.removeAll(keepingCapacity: true)
        }
        func add(_ mask: UInt64, _ grantable: Bool, _ grantee: Int32) {
            guard mask != 0 else { return }
            for k in shared.indices where shared[k].mask == mask && shared[k].grantable == grantable {
                shared[k].grantees.append(grantee)
                return
            }
            shared.append((mask, grantable, [grantee]))
        }
        var k = 0
        var currentObject: Int32 = -1
        while k < facts.count {
            let first = facts[k]
            if first.column >= 0 { k += 1; continue }
            if first.object != currentObject { flush(currentObject); currentObject = first.object }
            // The run of column-less facts of (object, grantee).
            var plain: UInt64 = 0, withOption: UInt64 = 0
            while k < facts.count {
                let f = facts[k]
                guard f.object == first.object, f.grantee == first.grantee, f.column < 0 else { break }
                let bit = UInt64(1) << UInt64(f.privilege)
                if f.grantable { withOption |= bit } else { plain |= bit }
                k += 1
            }
            add(plain, false, first.grantee)
            add(withOption, true, first.grantee)
        }
        flush(currentObject)
        var rendered: [(key: [String], text: String)] = []
        rendered.reserveCapacity(statements.count)
        for (index, statement) in statements.enumerated() {
            let names = statementObjects[index].map { clauses[Int($0)]?.name ?? "" }.joined(separator: ", ")
            let who = granteeSets[Int(statement.grantees)].map { g -> String in
                if let text = granteeTexts[Int(g)] { return text }
                let text = renderGrantee(ranks.grantees[Int(g)])
                granteeTexts[Int(g)] = text
                return text
            }.joined(separator: ", ")
            rendered.append(objectStatement(group: groups[Int(statement.group)], rank: groupRanks[Int(statement.group)],
                                            privileges: privilegeList(statement.mask), grantable: statement.grantable,
                                            names: names, who: who, verb))
        }
        return rendered
    }

    func format3(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }

    func renderGrantee(_ grantee: PrincipalRef) -> String {
        grantee.name.map(Q.identifier) ?? "PUBLIC"
    }

    func defaultStatements(_ facts: [IRDefaultGrant], _ verb: Verb) -> [String] {
        struct Holder: Hashable { var creator: String?; var schema: String?; var kind: DefaultObjectKind; var grantee: PrincipalRef; var grantable: Bool }
        var privileges: [Holder: [String]] = [:]
        for fact in facts {
            privileges[Holder(creator: fact.creator, schema: fact.schema, kind: fact.kind, grantee: fact.grantee, grantable: fact.grantable), default: []].append(fact.privilege)
        }
        struct Shared: Hashable { var creator: String?; var schema: String?; var kind: DefaultObjectKind; var privileges: String; var grantable: Bool }
        var grantees: [Shared: [PrincipalRef]] = [:]
        for (holder, list) in privileges {
            let joined = PostgresRenderer.sortPrivileges(list).joined(separator: ", ")
            grantees[Shared(creator: holder.creator, schema: holder.schema, kind: holder.kind, privileges: joined, grantable: holder.grantable), default: []].append(holder.grantee)
        }
        var rendered: [(key: [String], text: String)] = []
        for (shared, holders) in grantees {
            let who = holders.sorted().map(renderGrantee).joined(separator: ", ")
            var text = "ALTER DEFAULT PRIVILEGES"
            if let creator = shared.creator { text += " FOR ROLE \(Q.identifier(creator))" }
            if let schema = shared.schema { text += " IN SCHEMA \(Q.identifier(schema))" }
            let kind = shared.kind.rawValue.uppercased()
            text += " " + verb.statement("\(shared.privileges) ON \(kind)", who, grantable: shared.grantable)
            rendered.append(([shared.creator ?? "", shared.schema ?? "", kind, shared.privileges, who, shared.grantable ? "1" : "0"], text))
        }
        return rendered.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.text)
    }

    /// Drops a role with what it leaves behind, in a `DO` block that does nothing when
    /// the role does not exist (re-runs, other databases): its objects go to `successor`
    /// (nil: the role that runs the script), its privileges and default privileges are
    /// dropped. REASSIGN/DROP OWNED act on the current database only (and on shared
    /// objects): the role is dropped by the run in the last database where it still had
    /// objects; earlier runs say what is left instead of failing the deployment.
    func dropRole(_ role: String, successor: String?) -> String {
        let name = Q.identifier(role)
        let literal = Q.literal(role)
        let heir = successor.map(Q.identifier) ?? "CURRENT_USER"
        let body = """
        BEGIN
          IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = \(literal)) THEN
            REASSIGN OWNED BY \(name) TO \(heir);
            DROP OWNED BY \(name);
            IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d
                       JOIN pg_catalog.pg_roles r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
                       JOIN pg_catalog.pg_database db ON db.oid = d.dbid
                       WHERE r.rolname = \(literal) AND db.datname <> current_database()) THEN
              RAISE NOTICE 'role % still owns or holds objects in other databases: run this script there too; it is dropped there', \(literal);
            ELSE
              DROP ROLE \(name);
            END IF;
          END IF;
        END
        """
        let tag = Q.dollarTag(for: body)
        return "DO \(tag)\n\(body)\n\(tag);"
    }
}
