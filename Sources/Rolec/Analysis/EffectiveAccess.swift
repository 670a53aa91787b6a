import Foundation

/// Who can effectively do what: the closure of a policy's memberships over its grants,
/// with the path that grants each privilege. Works on the IR of one target, since
/// inheritance differs by dialect (PostgreSQL inherits through INHERIT memberships;
/// MySQL and MariaDB only through the roles active at login).
public struct EffectiveAccess: Sendable {
    /// One way a principal comes to hold a privilege.
    public struct Path: Sendable, Hashable {
        /// The roles walked through, from the principal (excluded) to the grantee (included);
        /// empty when the grant is direct.
        public var via: [String]
        /// What grants it at the end of the path.
        public var source: Source

        public enum Source: Sendable, Hashable {
            case grant(grantee: PrincipalRef, privilege: String, object: IRObject)
            case builtinPublic(String)
            case superuser
            case owner(IRObject)
        }

        /// Plain words: "member of orders_rw, which has delete on table sales.orders".
        public func explain(_ principal: String) -> String {
            let holder: String
            switch source {
            case .superuser: return "\(principal) is a superuser"
            case .builtinPublic(let why): return "every role holds it through PUBLIC (\(why))"
            case .owner(let object): holder = "owns \(object.display)"
                return via.isEmpty ? "\(principal) \(holder)" : "member of \(via.joined(separator: " -> ")), which \(holder)"
            case .grant(let grantee, let privilege, let object):
                let what = "\(privilege.lowercased()) on \(object.display)"
                if grantee == .publicRole { return "granted to public: \(what)" }
                if via.isEmpty { return "granted \(what) directly" }
                return "member of \(via.joined(separator: " -> ")), which has \(what)"
            }
        }
    }

    let ir: PolicyIR
    let kind: Inheritance
    /// principal -> roles it holds privileges through, each with the shortest path.
    let reach: [String: [String: [String]]]
    /// principal -> every role it is a member of (transitively, whatever inheritance says).
    let membership: [String: [String: [String]]]
    /// Indexes built on first use (a large IR has a million facts, and rules such as
    /// `separate` need none of them).
    let cache = Cache()
    /// Names of the superusers.
    let superusers: Set<String>
    /// Schema name -> its owners (in `ir.ownerships` order); the database ownerships.
    let schemaOwners: [String: [String]]
    let databaseOwnerships: [IROwnership]

    final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var facts: FactIndex?
        var namedObjects: [IRObject]?
        var explain: ExplainIndex?
        var grantsByGrantee: [String?: [IRGrant]]?
    }

    /// What `privileges(of:)` needs of the whole policy, built once.
    struct ExplainIndex {
        var named: [IRObject] = []
        /// Index in `named` of each object.
        var position: [IRObject: Int] = [:]
        /// Named objects in each schema (relations, routines, bulk objects).
        var bySchema: [String: [Int]] = [:]
        var nonDatabase: [Int] = []
        /// PostgreSQL: what PUBLIC holds on named objects unless revoked.
        var publicDefaults: [(Int, Set<String>)] = []
        /// Every privilege any fact names, and those PUBLIC holds by default, sorted.
        var privileges: [String] = []
        /// Columns some fact names, by object, sorted.
        var columns: [IRObject: [String]] = [:]
    }

    var explainIndex: ExplainIndex {
        cache.lock.lock()
        if let known = cache.explain { cache.lock.unlock(); return known }
        cache.lock.unlock()
        var index = ExplainIndex()
        index.named = namedObjects
        let facts = self.facts
        for (k, object) in index.named.enumerated() {
            index.position[object] = k
            switch object {
            case .relation(_, let s?, _), .routine(_, let s?, _, _), .allInSchema(_, let s): index.bySchema[s, default: []].append(k)
            default: break
            }
            if case .database = object {} else { index.nonDatabase.append(k) }
            switch object {
            case .database: index.publicDefaults.append((k, ["CONNECT", "TEMPORARY"]))
            case .routine: index.publicDefaults.append((k, ["EXECUTE"]))
            case .schema("public"): index.publicDefaults.append((k, ["USAGE"]))
            default: break
            }
        }
        index.privileges = Set(facts.privileges).union(["CONNECT", "TEMPORARY", "EXECUTE", "USAGE"]).sorted()
        var columns: [IRObject: Set<String>] = [:]
        for i in 0..<facts.count where facts.column[i] != FactIndex.noColumn {
            columns[facts.objects[Int(facts.object[i])], default: []].insert(facts.columns[Int(facts.column[i])])
        }
        index.columns = columns.mapValues { $0.sorted() }
        cache.lock.lock()
        cache.explain = index
        cache.lock.unlock()
        return index
    }

    /// `ir.grants` interned, with the facts of each grantee.
    var facts: FactIndex {
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let facts = cache.facts { return facts }
        let facts = FactIndex(ir.grants)
        cache.facts = facts
        return facts
    }

    /// grantee (nil = PUBLIC) -> its grants, in the IR's order (built on first use, then kept).
    var grantsByGrantee: [String?: [IRGrant]] {
        cache.lock.lock()
        if let known = cache.grantsByGrantee { cache.lock.unlock(); return known }
        cache.lock.unlock()
        let facts = self.facts
        var out: [String?: [IRGrant]] = [:]
        for g in 0..<Int32(facts.granteeCount) { out[facts.granteeNames[Int(g)]] = facts.facts(of: g).map { ir.grants[Int($0)] } }
        cache.lock.lock()
        cache.grantsByGrantee = out
        cache.lock.unlock()
        return out
    }


    public enum Inheritance: Sendable {
        /// PostgreSQL: a membership passes privileges on when it inherits (16+: per
        /// membership, default the member's INHERIT attribute; 15: the attribute).
        case inheritFlag
        /// MySQL/MariaDB: only roles active at login count: the user's default roles
        /// (all granted roles without a `default role` item), and the roles granted to them.
        case activeAtLogin
    }

    public init(ir: PolicyIR, inheritance: Inheritance) {
        self.ir = ir
        self.kind = inheritance
        var principals: [String: IRPrincipal] = [:]
        for p in ir.principals { principals[p.name] = p }
        var edges: [String: [IRMembership]] = [:]
        for m in ir.memberships { edges[m.member, default: []].append(m) }
        // PostgreSQL's predefined roles are members of each other: a member of
        // pg_monitor is (with inheritance) a member of the three roles it bundles.
        if ir.dialect == "postgres" {
            for (member, role) in EffectiveAccess.builtinMemberships where edges[member]?.contains(where: { $0.role == role }) != true {
                edges[member, default: []].append(IRMembership(role: role, member: member, admin: false, inherit: true, set: nil))
            }
        }
        for list in edges.keys { edges[list]?.sort { $0.role < $1.role } }

        func walk(from start: String, follow: (IRMembership, Bool) -> Bool) -> [String: [String]] {
            var paths: [String: [String]] = [:]
            var queue: [(String, [String])] = [(start, [])]
            var index = 0
            while index < queue.count {
                let (node, path) = queue[index]
                index += 1
                for edge in edges[node] ?? [] where paths[edge.role] == nil && edge.role != start {
                    guard follow(edge, node == start) else { continue }
                    let next = path + [edge.role]
                    paths[edge.role] = next
                    queue.append((edge.role, next))
                }
            }
            return paths
        }

        var reach: [String: [String: [String]]] = [:]
        var membership: [String: [String: [String]]] = [:]
        let names = Set(ir.principals.map(\.name)).union(ir.memberships.flatMap { [$0.member, $0.role] })
        for name in names {
            membership[name] = walk(from: name) { _, _ in true }
            switch inheritance {
            case .inheritFlag:
                reach[name] = walk(from: name) { edge, _ in
                    edge.inherit ?? principals[edge.member]?.inherit ?? true
                }
            case .activeAtLogin:
                let p = principals[name]
                let isUser = p.map { $0.kind == .user || $0.login == true } ?? false
                var active: Set<String>?
                if isUser, let p {
                    switch p.defaultRoles {
                    case .roles(let list)?: active = Set(list)
                    case .none?: active = []
                    case .all?, nil: active = nil
                    }
                }
                reach[name] = walk(from: name) { edge, first in
                    !first || active.map { $0.contains(edge.role) } ?? true
                }
            }
        }
        self.reach = reach
        self.membership = membership
        // The first principal of a name decides, as `ir.principal(named:)` does.
        var superusers: Set<String> = []
        var seen: Set<String> = []
        for p in ir.principals where seen.insert(p.name).inserted && p.superuser == true { superusers.insert(p.name) }
        self.superusers = superusers
        var schemaOwners: [String: [String]] = [:]
        for o in ir.ownerships where o.scope == .schema { schemaOwners[o.name, default: []].append(o.owner) }
        self.schemaOwners = schemaOwners
        self.databaseOwnerships = ir.ownerships.filter { $0.scope == .database }
    }

    /// Memberships among PostgreSQL's predefined roles (member, role), present in every
    /// cluster (10+): pg_monitor is a member of pg_read_all_settings, pg_read_all_stats
    /// and pg_stat_scan_tables.
    static let builtinMemberships: [(String, String)] = [
        ("pg_monitor", "pg_read_all_settings"), ("pg_monitor", "pg_read_all_stats"), ("pg_monitor", "pg_stat_scan_tables"),
    ]

    /// PostgreSQL's predefined roles that hold privileges on every object of a kind
    /// (pg_class_aclmask, pg_namespace_aclmask): role, privileges, object kinds.
    static let predefinedDataRoles: [(String, Set<String>, Set<String>)] = [
        ("pg_read_all_data", ["SELECT"], ["table", "sequence"]),
        ("pg_read_all_data", ["USAGE"], ["schema"]),
        ("pg_write_all_data", ["INSERT", "UPDATE", "DELETE"], ["table", "sequence"]),
        ("pg_write_all_data", ["USAGE"], ["schema"]),
        ("pg_maintain", ["MAINTAIN"], ["table", "sequence"]),
    ]

    /// The standard inheritance of a dialect's IR.
    public init(ir: PolicyIR) {
        self.init(ir: ir, inheritance: ir.dialect == "postgres" || ir.dialect == "sqlite" ? .inheritFlag : .activeAtLogin)
    }

    /// Whether `member` is a member of `role`, directly or through other roles, and how.
    public func membershipPath(_ member: String, of role: String) -> [String]? {
        membership[member]?[role]
    }

    /// Whether an object fact covers a concrete object: the same object, or a bulk or
    /// schema-level fact that includes it.
    static func covers(_ held: IRObject, _ wanted: IRObject, privilege: String, dialect: String) -> Bool {
        if held == wanted { return true }
        let mysqlFamily = dialect == "mysql" || dialect == "mariadb"
        switch (held, wanted) {
        case (.allInSchema(let kind, let s), .relation(let relation, let schema, _)) where schema == s:
            switch kind {
            case .tables: return relation != .sequence || (mysqlFamily && dialect == "mariadb")
            case .sequences: return relation == .sequence
            default: return false
            }
        case (.allInSchema(let kind, let s), .routine(let routine, let schema, _, _)) where schema == s:
            switch kind {
            case .routines: return true
            case .functions: return routine == .function
            case .procedures: return routine == .procedure
            default: return false
            }
        case (.schema(let s), .relation(_, let schema, _)) where mysqlFamily && schema == s: return true
        case (.schema(let s), .routine(_, let schema, _, _)) where mysqlFamily && schema == s: return true
        case (.schema(let s), .allInSchema(_, let schema)) where mysqlFamily && schema == s: return true
        case (.server, _) where mysqlFamily:
            if case .database = wanted { return false }
            return true
        case (.allInSchema(let kind, let s), .allInSchema(let other, let schema)) where s == schema:
            return kind == other || (kind == .routines && (other == .functions || other == .procedures))
        default: return false
        }
    }

    /// Whether a fact is granted on the server as `privilege` too: MariaDB has no USAGE or
    /// UPDATE on sequences, the script grants INSERT and SELECT for them (NEXT VALUE FOR
    /// and SETVAL need both).
    static func grantedAs(_ fact: IRGrant, _ privilege: String, dialect: String) -> Bool {
        guard dialect == "mariadb", privilege == "SELECT" || privilege == "INSERT",
              fact.privilege == "USAGE" || fact.privilege == "UPDATE", case .relation(.sequence, _, _) = fact.object else { return false }
        return true
    }

    /// What PUBLIC holds without being granted anything (PostgreSQL's defaults), unless
    /// the policy revokes it.
    func builtinPublic(_ privilege: String, _ object: IRObject) -> String? {
        guard ir.dialect == "postgres" else { return nil }
        let why: String
        switch object {
        case .database where privilege == "CONNECT" || privilege == "TEMPORARY": why = "PostgreSQL grants CONNECT and TEMPORARY on databases to PUBLIC"
        case .routine where privilege == "EXECUTE": why = "PostgreSQL grants EXECUTE on functions to PUBLIC"
        case .schema("public") where privilege == "USAGE": why = "PostgreSQL grants USAGE on schema public to PUBLIC"
        default: return nil
        }
        let revoked = ir.revokes.contains { r in
            r.grantee == .publicRole && r.privilege == privilege && r.column == nil
                && EffectiveAccess.covers(r.object, object, privilege: privilege, dialect: ir.dialect)
        }
        return revoked ? nil : why
    }

    /// Every way `principal` holds `privilege` on `object` (column nil: the whole object).
    public func paths(_ principal: String, _ privilege: String, on object: IRObject, column: String? = nil) -> [Path] {
        paths(principal, privilege, on: object, column: column, holders: holders(of: principal))
    }

    /// Whose grants a principal holds: itself, the roles it inherits from (nearest first,
    /// then by name) with their paths, and PUBLIC.
    func holders(of principal: String) -> [(String?, [String])] {
        var holders: [(String?, [String])] = [(principal, [])]
        for (role, path) in (reach[principal] ?? [:]).sorted(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }) {
            holders.append((role, path))
        }
        holders.append((nil, []))
        return holders
    }

    /// `paths` with the principal's `holders(of:)` worked out by the caller. `only`: the
    /// facts to look at by grantee (a subset of each grantee's facts, in the IR's order),
    /// instead of all the facts of each holder.
    func paths(_ principal: String, _ privilege: String, on object: IRObject, column: String?, holders: [(String?, [String])],
               only: [String?: [Int32]]? = nil) -> [Path] {
        var out: [Path] = []
        if ir.dialect == "postgres", superusers.contains(principal) {
            out.append(Path(via: [], source: .superuser))
        }
        let facts = self.facts
        let wanted = facts.id(ofPrivilege: privilege)
        // MariaDB grants USAGE and UPDATE on sequences as SELECT and INSERT (`grantedAs`).
        let alias = ir.dialect == "mariadb" && (privilege == "SELECT" || privilege == "INSERT")
        func visit(_ i: Int32, _ via: [String]) {
            guard facts.privilege[Int(i)] == wanted || alias else { return }
            let fact = ir.grants[Int(i)]
            guard fact.privilege == privilege || EffectiveAccess.grantedAs(fact, privilege, dialect: ir.dialect) else { return }
            guard fact.column == nil || fact.column == column else { return }
            if EffectiveAccess.covers(fact.object, object, privilege: privilege, dialect: ir.dialect) {
                out.append(Path(via: via, source: .grant(grantee: fact.grantee, privilege: fact.privilege, object: fact.object)))
            }
        }
        for (holder, via) in holders {
            if let only {
                for i in only[holder] ?? [] { visit(i, via) }
            } else {
                guard let id = facts.id(ofGrantee: holder) else { continue }
                for i in facts.facts(of: id) { visit(i, via) }
            }
        }
        if let why = builtinPublic(privilege, object) { out.append(Path(via: [], source: .builtinPublic(why))) }
        // PostgreSQL's predefined data roles hold their privileges on every relation (and
        // its columns) and schema, to whoever has the privileges of the role (inheritance).
        if ir.dialect == "postgres" {
            for (role, privileges, kinds) in EffectiveAccess.predefinedDataRoles where privileges.contains(privilege) {
                let applies: Bool
                switch object {
                case .relation(let kind, _, _): applies = kinds.contains(kind == .sequence ? "sequence" : "table")
                case .schema: applies = kinds.contains("schema")
                default: applies = false
                }
                guard applies, let via = principal == role ? [] : reach[principal]?[role] else { continue }
                out.append(Path(via: via, source: .grant(grantee: PrincipalRef(name: role), privilege: privilege, object: object)))
            }
        }
        func owner(_ owner: String, _ owned: IRObject) {
            if owner == principal { out.append(Path(via: [], source: .owner(owned))) }
            else if let via = reach[principal]?[owner] { out.append(Path(via: via, source: .owner(owned))) }
        }
        if case .schema(let name) = object {
            for schemaOwner in schemaOwners[name] ?? [] { owner(schemaOwner, object) }
        }
        // The owner of a database holds every privilege on it (CONNECT, CREATE, TEMPORARY);
        // on PostgreSQL it is also pg_database_owner there, which owns schema public
        // (15+) unless the policy gives public another owner.
        for ownership in databaseOwnerships where ir.dialect == "postgres" {
            if case .database(ownership.name) = object, ["CONNECT", "CREATE", "TEMPORARY"].contains(privilege) {
                owner(ownership.owner, .database(ownership.name))
            }
            if case .schema("public") = object, privilege == "USAGE" || privilege == "CREATE", schemaOwners["public"] == nil {
                owner(ownership.owner, .database(ownership.name))
            }
        }
        return out
    }

    public func holds(_ principal: String, _ privilege: String, on object: IRObject, column: String? = nil) -> Bool {
        !paths(principal, privilege, on: object, column: column).isEmpty
    }

    /// Every concrete object the policy names (grants, revokes, tests, rules), for
    /// explanations and reports: bulk facts apply to these.
    public var namedObjects: [IRObject] {
        cache.lock.lock()
        if let known = cache.namedObjects { cache.lock.unlock(); return known }
        cache.lock.unlock()
        let objects = computeNamedObjects()
        cache.lock.lock()
        cache.namedObjects = objects
        cache.lock.unlock()
        return objects
    }

    func computeNamedObjects() -> [IRObject] {
        var objects: Set<IRObject> = []
        objects.formUnion(facts.objects)
        for fact in ir.revokes { objects.insert(fact.object) }
        for test in ir.tests {
            for case .privilege(_, _, _, let object) in test.expectations { objects.insert(object) }
        }
        for rule in ir.rules { if case .forbid(_, let list, _) = rule { objects.formUnion(list) } }
        return objects.sorted()
    }

    /// Every privilege `principal` holds, by object, with the paths.
    static func objectClass(of object: IRObject) -> ObjectClass {
        switch object {
        case .database: return .database
        case .schema: return .schema
        case .server: return .server
        case .relation(.sequence, _, _): return .sequence
        case .relation(.view, _, _): return .view
        case .relation: return .table
        case .routine(.function, _, _, _): return .function
        case .routine: return .procedure
        case .allInSchema(let kind, _): return Lowering.objectClass(of: kind)
        }
    }

    /// Every privilege `principal` holds on the objects the policy names, by object (in
    /// `namedObjects` order), then privilege, with the paths.
    ///
    /// Only the (object, privilege) pairs that one of the principal's sources can reach are
    /// asked of `paths`: the facts of the principal, of the roles it inherits from and of
    /// PUBLIC (with the named objects they cover), PostgreSQL's PUBLIC defaults, predefined
    /// data roles and ownership. A superuser holds everything, so for one every pair is asked.
    /// The work is proportional to what the principal reaches, not to the policy.
    public func privileges(of principal: String) -> [(object: IRObject, privilege: String, column: String?, paths: [Path])] {
        let index = explainIndex
        let named = index.named
        let facts = self.facts
        let postgres = ir.dialect == "postgres"

        // Which named objects to ask about, and for which privileges (nil: all of them).
        var wanted: [Int: Set<String>?] = [:]
        func want(_ k: Int, _ privileges: Set<String>?) {
            guard let privileges else { wanted[k] = .some(nil); return }
            if case .some(.some(let known)) = wanted[k] { wanted[k] = known.union(privileges) }
            else if wanted[k] == nil { wanted[k] = privileges }
        }
        let reached = reach[principal] ?? [:]
        let superuser = postgres && superusers.contains(principal)
        if superuser {
            for k in named.indices { wanted[k] = .some(nil) }
        } else {
            var holders: [String?] = [principal, nil]
            holders.append(contentsOf: reached.keys.map { Optional($0) })
            for holder in holders {
                guard let id = facts.id(ofGrantee: holder) else { continue }
                for i in facts.facts(of: id) {
                    let fact = ir.grants[Int(i)]
                    var privileges: Set<String> = [fact.privilege]
                    if ir.dialect == "mariadb" { privileges.formUnion(["SELECT", "INSERT"]) }   // `grantedAs`
                    if let k = index.position[fact.object] { want(k, privileges) }
                    let covered: [Int]
                    switch fact.object {
                    case .allInSchema(_, let s), .schema(let s): covered = index.bySchema[s] ?? []
                    case .server: covered = index.nonDatabase
                    default: covered = []
                    }
                    for k in covered where EffectiveAccess.covers(fact.object, named[k], privilege: fact.privilege, dialect: ir.dialect) {
                        want(k, privileges)
                    }
                }
            }
            if postgres {
                // PostgreSQL's PUBLIC defaults (`builtinPublic`).
                for (k, privileges) in index.publicDefaults { want(k, privileges) }
                // Predefined data roles the principal has the privileges of.
                for (role, privileges, kinds) in EffectiveAccess.predefinedDataRoles where principal == role || reached[role] != nil {
                    for (k, object) in named.enumerated() {
                        switch object {
                        case .relation(let kind, _, _) where kinds.contains(kind == .sequence ? "sequence" : "table"): want(k, privileges)
                        case .schema where kinds.contains("schema"): want(k, privileges)
                        default: break
                        }
                    }
                }
            }
            func owns(_ owner: String) -> Bool { owner == principal || reached[owner] != nil }
            for ownership in ir.ownerships where owns(ownership.owner) {
                switch ownership.scope {
                case .schema:
                    if let k = index.position[.schema(ownership.name)] { want(k, nil) }
                case .database:
                    if let k = index.position[.database(ownership.name)] { want(k, nil) }
                    if let k = index.position[.schema("public")] { want(k, nil) }
                }
            }
        }

        var out: [(IRObject, String, String?, [Path])] = []
        let holders = self.holders(of: principal)
        var valid = ValidPrivileges(self)
        for k in wanted.keys.sorted() {
            held(principal, on: named[k], only: wanted[k] ?? nil, holders: holders, facts: nil, index: index, valid: &valid, into: &out)
        }
        return out
    }

    /// The privileges that exist for each class of object in the IR's dialect (nil: the
    /// dialect is unknown, every privilege counts), worked out once per class.
    struct ValidPrivileges {
        let dialect: (any Dialect)?
        let version: String
        var byClass: [ObjectClass: Set<String>] = [:]

        init(_ access: EffectiveAccess) {
            dialect = DialectRegistry.named(access.ir.dialect)
            version = access.ir.serverVersion
        }

        mutating func of(_ object: IRObject) -> Set<String>? {
            guard let dialect else { return nil }
            let objectClass = EffectiveAccess.objectClass(of: object)
            if let known = byClass[objectClass] { return known }
            let set = Set(dialect.privileges(on: objectClass, version: version).keys)
            byClass[objectClass] = set
            return set
        }
    }

    /// What `principal` holds on one named object, for the privileges in `only` (nil: all),
    /// in `privileges(of:)`'s order: each privilege, then by column when the whole object
    /// is not held. `facts`: the facts to look at by grantee (see `paths`).
    func held(_ principal: String, on object: IRObject, only: Set<String>?, holders: [(String?, [String])], facts: [String?: [Int32]]?,
              index: ExplainIndex, valid: inout ValidPrivileges, into out: inout [(IRObject, String, String?, [Path])]) {
        // Only privileges that exist for this kind of object: a superuser or an owner
        // passes every check, but holds no CONNECT on a table.
        let valid = valid.of(object)
        for privilege in index.privileges where (valid?.contains(privilege) ?? true) && (only?.contains(privilege) ?? true) {
            let found = paths(principal, privilege, on: object, column: nil, holders: holders, only: facts)
            if !found.isEmpty { out.append((object, privilege, nil, found)) }
            for column in index.columns[object] ?? [] {
                let byColumn = paths(principal, privilege, on: object, column: column, holders: holders, only: facts).filter {
                    if case .grant(_, _, _) = $0.source { return true } else { return false }
                }
                if found.isEmpty, !byColumn.isEmpty { out.append((object, privilege, column, byColumn)) }
            }
        }
    }

    /// Who holds what on one named object: for each principal (in `ir.principals` order),
    /// what `privileges(of:)` lists for it on `object`, in the same order.
    ///
    /// Worked out from the object: the facts that cover it (on it, or bulk, schema- or
    /// server-wide ones), then for each principal only the grantees of those facts that it
    /// reaches, PUBLIC's defaults, predefined data roles and ownership, as
    /// `privileges(of:)` does. The work is proportional to the object's facts and the
    /// number of principals, not to the policy's size.
    public func privileges(on object: IRObject) -> [(principal: String, privilege: String, column: String?, paths: [Path])] {
        let index = explainIndex
        let facts = self.facts
        let postgres = ir.dialect == "postgres"
        guard index.position[object] != nil else { return [] }

        // The facts on the object or covering it, by grantee (in the IR's order).
        var coveringObject = [Bool](repeating: false, count: facts.objects.count)
        for (o, held) in facts.objects.enumerated() {
            switch held {
            case .allInSchema, .schema, .server:
                coveringObject[o] = EffectiveAccess.covers(held, object, privilege: "", dialect: ir.dialect)
            default:
                coveringObject[o] = held == object
            }
        }
        var relevant: [String?: [Int32]] = [:]
        for i in 0..<facts.count where coveringObject[Int(facts.object[i])] {
            relevant[facts.granteeNames[Int(facts.grantee[i])], default: []].append(Int32(i))
        }
        // The privileges each grantee's facts make worth asking about (`privileges(of:)`).
        var privilegesOf: [String?: Set<String>] = [:]
        for (grantee, list) in relevant {
            var privileges: Set<String> = []
            for i in list { privileges.insert(ir.grants[Int(i)].privilege) }
            if ir.dialect == "mariadb" { privileges.formUnion(["SELECT", "INSERT"]) }   // `grantedAs`
            privilegesOf[grantee] = privileges
        }
        var defaults: Set<String>?
        if postgres, let k = index.position[object] {
            for (d, privileges) in index.publicDefaults where d == k { defaults = (defaults ?? []).union(privileges) }
        }
        // Owners that hold everything on the object.
        var owners: [String] = []
        for ownership in ir.ownerships {
            switch ownership.scope {
            case .schema: if object == .schema(ownership.name) { owners.append(ownership.owner) }
            case .database: if object == .database(ownership.name) || object == .schema("public") { owners.append(ownership.owner) }
            }
        }

        var out: [(principal: String, privilege: String, column: String?, paths: [Path])] = []
        var valid = ValidPrivileges(self)
        var rows: [(IRObject, String, String?, [Path])] = []
        for p in ir.principals {
            let principal = p.name
            let reached = reach[principal] ?? [:]
            // Which privileges to ask about (nil: all of them), as `privileges(of:)` does.
            var wanted: Set<String>? = []
            func want(_ privileges: Set<String>?) {
                guard let privileges else { wanted = nil; return }
                wanted = wanted.map { $0.union(privileges) }
            }
            var holders: [(String?, [String])] = []
            if postgres && superusers.contains(principal) { want(nil) }
            if let own = privilegesOf[principal] { want(own); holders.append((principal, [])) }
            var roles: [(String, [String])] = []
            if reached.count <= relevant.count {
                for (role, path) in reached where privilegesOf[role] != nil { roles.append((role, path)) }
            } else {
                for case let role? in relevant.keys { if let path = reached[role] { roles.append((role, path)) } }
            }
            for (role, path) in roles.sorted(by: { ($0.1.count, $0.0) < ($1.1.count, $1.0) }) {
                want(privilegesOf[role]); holders.append((role, path))
            }
            if let publicPrivileges = privilegesOf[nil] { want(publicPrivileges); holders.append((nil, [])) }
            if let defaults { want(defaults) }
            if postgres {
                for (role, privileges, kinds) in EffectiveAccess.predefinedDataRoles where principal == role || reached[role] != nil {
                    switch object {
                    case .relation(let kind, _, _) where kinds.contains(kind == .sequence ? "sequence" : "table"): want(privileges)
                    case .schema where kinds.contains("schema"): want(privileges)
                    default: break
                    }
                }
            }
            for owner in owners where owner == principal || reached[owner] != nil { want(nil) }
            if wanted?.isEmpty == true { continue }
            rows.removeAll(keepingCapacity: true)
            held(principal, on: object, only: wanted, holders: holders, facts: relevant, index: index, valid: &valid, into: &rows)
            for (_, privilege, column, paths) in rows { out.append((principal, privilege, column, paths)) }
        }
        return out
    }
}
