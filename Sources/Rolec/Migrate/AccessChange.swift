/// What a change does to login principals' effective access, in plain words, and the
/// reasons `rolec migrate` refuses it (exit 4) without `--accept-loss`.
/// The rules are documented in dialects/migrations.md, "Privilege-loss guard".
public struct AccessDelta: Hashable, Sendable, Codable {
    public var principal: String
    /// Canonical privilege name (SELECT ...), "MEMBER" for a membership, or the attribute
    /// (LOGIN, SUPERUSER, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS) for the others.
    public var privilege: String
    public var object: IRObject?
    public var column: String?
    /// The path in plain words ("via orders_rw"), from the IR where the access existed.
    public var via: String
    /// The whole sentence: "svc_orders loses INSERT on table sales.orders, was via orders_rw".
    public var text: String
    /// Only the grant option changed: the privilege itself is held on both sides.
    public var grantOption: Bool = false
    /// For "MEMBER": the role the principal is (no longer) a member of.
    public var role: String? = nil
}

public struct AccessChange: Sendable {
    /// Reductions of login principals' effective privileges (and of protected principals').
    public var losses: [AccessDelta] = []
    /// Additions, for the log.
    public var gains: [AccessDelta] = []
    /// Why `migrate` refuses the change without `--accept-loss` (empty: it may go ahead).
    public var refusals: [String] = []
    /// The inert-grant findings (W0709) behind refusals, for rendering with their source.
    public var inertGrants: [Diagnostic] = []

    /// The whole report in plain words, one item a line: losses, gains, refusals.
    public var plainWords: String {
        func section(_ title: String, _ lines: [String]) -> String {
            "\(title):\n" + (lines.isEmpty ? "  (none)\n" : lines.map { "  - \($0)\n" }.joined())
        }
        return section("Losses", losses.map(\.text)) + section("Gains", gains.map(\.text)) + section("Refusals", refusals)
    }

    /// `new` is the IR `changes` lead to (with `--phase`: the old policy with that phase's
    /// changes applied); its rules (`protect`) apply. `newSyntax`: the parsed new policy
    /// (its lints find inert grants).
    ///
    /// A revoke the changes stop enforcing stays in force (nothing is granted back) and an
    /// attribute that became unmanaged keeps its value: access is compared with what the
    /// server holds afterwards. Only principals that reach something a change touches are
    /// analysed.
    public static func analyse(old: PolicyIR, new: PolicyIR, changes: ChangeSet, newSyntax: [PolicyAST]) -> AccessChange {
        let after = AccessState.serverState(after: new, old: old, changes: changes.up)
        var result = AccessChange()

        var protected: [String: String] = [:]
        for case .protect(let names) in new.rules {
            for name in names where protected[name] == nil { protected[name] = "protect " + names.joined(separator: ", ") }
        }

        let before = AccessState(ir: old)
        let later = AccessState(ir: after)
        let objects = AccessObjects(before.access.namedObjects + later.access.namedObjects
                                    + old.ownerships.map(\.object) + after.ownerships.map(\.object))
        before.objects = objects
        later.objects = objects

        // Only principals that reach something a change touched can see their access change.
        let touched = AccessState.touched(by: changes.up)
        func affected(_ name: String) -> Bool {
            if touched.everyone || touched.names.contains(name) { return true }
            for state in [before, later] {
                for role in (state.access.membership[name] ?? [:]).keys where touched.names.contains(role) { return true }
            }
            return false
        }
        // Losses of the old policy's login principals, gains of the new one's; protected
        // principals both ways, login or not.
        var losing: Set<String> = [], gaining: Set<String> = []
        for p in old.principals where p.login == true || protected[p.name] != nil { losing.insert(p.name) }
        for p in after.principals where p.login == true || protected[p.name] != nil { gaining.insert(p.name) }

        for name in losing.union(gaining).sorted() where affected(name) {
            let (lost, gained) = AccessState.compare(name, before, later)
            if losing.contains(name) { result.losses.append(contentsOf: lost) }
            if gaining.contains(name) { result.gains.append(contentsOf: gained) }
        }
        result.losses.sort(by: AccessDelta.ordered)
        result.gains.sort(by: AccessDelta.ordered)

        // Refusals, in a fixed order: protected principals, login removal, last admin
        // member, inert grants.
        for delta in result.losses {
            if let rule = protected[delta.principal] { result.refusals.append(AccessWords.refuseProtected(rule: rule, delta)) }
        }
        for p in old.principals where p.login == true {
            if let now = later.principals[p.name], now.login == false { result.refusals.append(AccessWords.refuseLoginRemoval(p)) }
        }
        let membersBefore = before.loginMembers(), membersAfter = later.loginMembers()
        for p in after.principals.sorted() where p.login != true && membersAfter[p.name] == nil {
            guard let had = membersBefore[p.name], !had.isEmpty, let power = later.adminPower(p) else { continue }
            result.refusals.append(AccessWords.refuseLastAdminMember(p, power: power, formerMembers: had.sorted()))
        }
        result.inertGrants = Lints.check(newSyntax, ir: new).filter { $0.code == "W0709" }
        for finding in result.inertGrants { result.refusals.append(AccessWords.refuseInert(finding)) }
        return result
    }
}

extension AccessDelta {
    /// Principal, then attributes, memberships, object privileges; each in a fixed order.
    static func ordered(_ a: AccessDelta, _ b: AccessDelta) -> Bool {
        if a.principal != b.principal { return a.principal < b.principal }
        let ca = a.category, cb = b.category
        if ca != cb { return ca < cb }
        switch (a.object, b.object) {
        case (let x?, let y?):
            let c = IRObject.compareKeys(x, y)
            if c != 0 { return c < 0 }
        case (nil, _?): return true
        case (_?, nil): return false
        case (nil, nil): break
        }
        if a.role != b.role { return (a.role ?? "") < (b.role ?? "") }
        if a.privilege != b.privilege {
            let ra = AccessWords.attributes.firstIndex(of: a.privilege) ?? Int.max
            let rb = AccessWords.attributes.firstIndex(of: b.privilege) ?? Int.max
            return ra != rb ? ra < rb : a.privilege < b.privilege
        }
        if a.column != b.column { return (a.column ?? "") < (b.column ?? "") }
        if a.grantOption != b.grantOption { return !a.grantOption }
        return a.text < b.text
    }

    var category: Int { privilege == "MEMBER" ? 1 : object == nil ? 0 : 2 }
}

extension IROwnership {
    var object: IRObject { scope == .schema ? .schema(name) : .database(name) }
}

/// The plain words of the report and of the refusals.
enum AccessWords {
    /// Attributes that give power of their own (never inherited), in report order.
    static let attributes = ["LOGIN", "SUPERUSER", "CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS"]

    static func what(_ privilege: String, _ object: IRObject, _ column: String?, grantOption: Bool) -> String {
        let held = column.map { "\(privilege) (\($0))" } ?? privilege
        return (grantOption ? "the grant option of " : "") + "\(held) on \(object.display)"
    }

    static func lost(_ who: String, _ what: String, was via: String) -> String { "\(who) loses \(what), was \(via)" }
    static func gained(_ who: String, _ what: String, _ via: String) -> String { "\(who) gains \(what), \(via)" }

    static func membership(_ who: String, _ role: String, path: [String], lost: Bool) -> (via: String, text: String) {
        let via = path.count > 1 ? "via " + path.dropLast().joined(separator: " -> ") : "granted directly"
        let head = lost ? "\(who) is no longer a member of \(role)" : "\(who) is now a member of \(role)"
        return (via, path.count > 1 ? head + (lost ? ", was " : ", ") + via : head)
    }

    static func attribute(_ who: String, _ attribute: String, lost: Bool, principalGoneOrNew: Bool) -> String {
        let head = "\(who) \(lost ? "loses" : "gains") \(attribute)"
        guard principalGoneOrNew else { return head }
        return head + (lost ? " (the principal is dropped)" : " (a new principal)")
    }

    static func via(_ path: [String]) -> String { path.isEmpty ? "granted directly" : "via " + path.joined(separator: " -> ") }

    static func viaOwner(_ path: [String], _ owned: IRObject) -> String {
        path.isEmpty ? "via ownership of \(owned.display)" : "via \(path.joined(separator: " -> ")) (owner of \(owned.display))"
    }

    static func refuseProtected(rule: String, _ delta: AccessDelta) -> String {
        "Policy rule '\(rule)' forbids reducing the access of \(delta.principal), but \(delta.text)."
    }

    static func refuseLoginRemoval(_ p: IRPrincipal) -> String {
        "Guard rule 'login removal': \(p.kind.rawValue) \(p.name) loses LOGIN but stays in the policy, which locks out whatever connects as it."
    }

    static func refuseLastAdminMember(_ p: IRPrincipal, power: String, formerMembers: [String]) -> String {
        let who = formerMembers.count == 1 ? "its last login member, \(formerMembers[0])" : "its last login members, \(formerMembers.joined(separator: ", "))"
        return "Guard rule 'last admin member': \(p.kind.rawValue) \(p.name) holds admin power (\(power)) and loses \(who), so nobody could use that power any more."
    }

    static func refuseInert(_ finding: Diagnostic) -> String {
        "Guard rule 'inert grants': the new policy leaves an \(finding.message) [\(finding.code)]."
    }
}

/// The concrete objects both policies name, indexed for the bulk facts that cover them.
struct AccessObjects {
    var all: [IRObject]
    var bySchema: [String: [IRObject]] = [:]

    init(_ objects: [IRObject]) {
        all = Array(Set(objects)).sorted()
        for object in all {
            switch object {
            case .relation(_, let s?, _), .routine(_, let s?, _, _), .allInSchema(_, let s): bySchema[s, default: []].append(object)
            default: break
            }
        }
    }

    /// Candidates a fact on `held` may cover besides `held` itself.
    func candidates(_ held: IRObject) -> [IRObject] {
        switch held {
        case .server: return all
        case .schema(let s), .allInSchema(_, let s): return bySchema[s] ?? []
        default: return []
        }
    }
}

/// One side of the comparison: an IR, its effective access, and the privileges each
/// grantee's facts stand for on the named objects (computed once per grantee).
final class AccessState {
    struct Held: Hashable {
        var privilege: String
        var object: IRObject
        var column: String?
    }

    /// How a privilege is held: lower ranks are explained first (a grant through the
    /// principal or its roles, shortest path first, then PUBLIC, PostgreSQL's built-in
    /// PUBLIC privileges, then ownership).
    struct Rank: Comparable {
        var category: Int
        var length: Int
        var via: String
        static func < (a: Rank, b: Rank) -> Bool { (a.category, a.length, a.via) < (b.category, b.length, b.via) }
    }

    struct Way {
        var rank: Rank
        var grantable: Bool
        /// The best way that carries the grant option.
        var grantRank: Rank?
    }

    let ir: PolicyIR
    let access: EffectiveAccess
    let principals: [String: IRPrincipal]
    let dialect: (any Dialect)?
    var objects = AccessObjects([])
    private var expanded: [String?: [(Held, Bool)]] = [:]
    private var validByClass: [ObjectClass: Set<String>] = [:]

    init(ir: PolicyIR) {
        self.ir = ir
        self.access = EffectiveAccess(ir: ir)
        var principals: [String: IRPrincipal] = [:]
        for p in ir.principals { principals[p.name] = p }
        self.principals = principals
        self.dialect = DialectRegistry.named(ir.dialect)
    }

    func valid(_ privilege: String, on object: IRObject) -> Bool {
        guard let dialect else { return true }
        let objectClass = EffectiveAccess.objectClass(of: object)
        if let known = validByClass[objectClass] { return known.contains(privilege) }
        let keys = Set(dialect.privileges(on: objectClass, version: ir.serverVersion).keys)
        validByClass[objectClass] = keys
        return keys.contains(privilege)
    }

    /// What a grantee's own facts give on the named objects (bulk and schema-wide facts
    /// apply to the concrete objects they cover), each with its grant option.
    func elements(of grantee: String?) -> [(Held, Bool)] {
        if let known = expanded[grantee] { return known }
        var out: [(Held, Bool)] = []
        for fact in access.grantsByGrantee[grantee] ?? [] {
            out.append((Held(privilege: fact.privilege, object: fact.object, column: fact.column), fact.grantable))
            var privileges = [fact.privilege]
            for other in ["SELECT", "INSERT"] where EffectiveAccess.grantedAs(fact, other, dialect: ir.dialect) {
                privileges.append(other)
                out.append((Held(privilege: other, object: fact.object, column: fact.column), fact.grantable))
            }
            guard fact.column == nil else { continue }
            for object in objects.candidates(fact.object) where object != fact.object {
                for privilege in privileges
                where EffectiveAccess.covers(fact.object, object, privilege: privilege, dialect: ir.dialect) && valid(privilege, on: object) {
                    out.append((Held(privilege: privilege, object: object, column: nil), fact.grantable))
                }
            }
        }
        expanded[grantee] = out
        return out
    }

    /// PostgreSQL's privileges of PUBLIC on the named objects that the policy does not revoke.
    lazy var builtinPublic: [Held] = {
        var out: [Held] = []
        for object in objects.all {
            for privilege in ["CONNECT", "TEMPORARY", "EXECUTE", "USAGE"] where access.builtinPublic(privilege, object) != nil {
                out.append(Held(privilege: privilege, object: object, column: nil))
            }
        }
        return out
    }()

    /// Everything `principal` effectively holds on the named objects, with the best way.
    /// A column privilege is left out when the whole object's is held.
    func held(_ principal: String) -> [Held: Way] {
        var out: [Held: Way] = [:]
        guard principals[principal] != nil else { return out }
        func add(_ held: Held, _ grantable: Bool, _ rank: Rank) {
            if var way = out[held] {
                if rank < way.rank { way.rank = rank }
                if grantable {
                    way.grantable = true
                    if way.grantRank.map({ rank < $0 }) ?? true { way.grantRank = rank }
                }
                out[held] = way
            } else {
                out[held] = Way(rank: rank, grantable: grantable, grantRank: grantable ? rank : nil)
            }
        }
        let reached = access.reach[principal] ?? [:]
        for (held, grantable) in elements(of: principal) { add(held, grantable, Rank(category: 0, length: 0, via: AccessWords.via([]))) }
        for (role, path) in reached {
            let rank = Rank(category: 0, length: path.count, via: AccessWords.via(path))
            for (held, grantable) in elements(of: role) { add(held, grantable, rank) }
        }
        let viaPublic = Rank(category: 1, length: 0, via: "via public")
        for (held, grantable) in elements(of: nil) { add(held, grantable, viaPublic) }
        let builtin = Rank(category: 2, length: 0, via: "via public")
        for held in builtinPublic { add(held, false, builtin) }
        if ir.dialect == "postgres" {
            // Predefined data roles hold their privileges on every relation and schema.
            for (role, privileges, kinds) in EffectiveAccess.predefinedDataRoles {
                guard let path = principal == role ? [] : reached[role] else { continue }
                let rank = Rank(category: 0, length: path.count, via: AccessWords.via(path.isEmpty ? [role] : path))
                for object in objects.all {
                    let kind: String
                    switch object {
                    case .relation(let k, _, _): kind = k == .sequence ? "sequence" : "table"
                    case .schema: kind = "schema"
                    default: continue
                    }
                    guard kinds.contains(kind) else { continue }
                    for privilege in privileges.sorted() where valid(privilege, on: object) {
                        add(Held(privilege: privilege, object: object, column: nil), false, rank)
                    }
                }
            }
        }
        // An owner's implicit privileges: USAGE and CREATE on its schema; on PostgreSQL
        // CONNECT, CREATE, TEMPORARY on its database, and USAGE, CREATE on schema public
        // (owned by pg_database_owner) unless the policy gives public an owner.
        for ownership in ir.ownerships {
            guard let path = ownership.owner == principal ? [] : reached[ownership.owner] else { continue }
            let owned = ownership.object
            let rank = Rank(category: 3, length: path.count, via: AccessWords.viaOwner(path, owned))
            switch ownership.scope {
            case .schema:
                for privilege in ["CREATE", "USAGE"] where valid(privilege, on: owned) {
                    add(Held(privilege: privilege, object: owned, column: nil), true, rank)
                }
            case .database where ir.dialect == "postgres":
                for privilege in ["CONNECT", "CREATE", "TEMPORARY"] { add(Held(privilege: privilege, object: owned, column: nil), true, rank) }
                if !ir.ownerships.contains(where: { $0.scope == .schema && $0.name == "public" }) {
                    for privilege in ["CREATE", "USAGE"] { add(Held(privilege: privilege, object: .schema("public"), column: nil), true, rank) }
                }
            case .database:
                break
            }
        }
        for key in Array(out.keys) where key.column != nil {
            if out[Held(privilege: key.privilege, object: key.object, column: nil)] != nil { out[key] = nil }
        }
        return out
    }

    func isSuperuser(_ name: String) -> Bool { ir.dialect == "postgres" && principals[name]?.superuser == true }

    func attributeValues(_ p: IRPrincipal) -> [String: Bool] {
        ["LOGIN": p.login == true, "SUPERUSER": p.superuser == true, "CREATEDB": p.createdb == true,
         "CREATEROLE": p.createrole == true, "REPLICATION": p.replication == true, "BYPASSRLS": p.bypassrls == true]
    }

    /// The losses and gains of one principal from `a` to `b`.
    static func compare(_ name: String, _ a: AccessState, _ b: AccessState) -> (lost: [AccessDelta], gained: [AccessDelta]) {
        var lost: [AccessDelta] = [], gained: [AccessDelta] = []
        let pa = a.principals[name], pb = b.principals[name]

        // Attributes (never inherited).
        let va = pa.map(a.attributeValues) ?? [:], vb = pb.map(b.attributeValues) ?? [:]
        for attribute in AccessWords.attributes {
            let x = va[attribute] ?? false, y = vb[attribute] ?? false
            if x && !y {
                lost.append(AccessDelta(principal: name, privilege: attribute, object: nil, column: nil, via: "",
                                        text: AccessWords.attribute(name, attribute, lost: true, principalGoneOrNew: pb == nil)))
            } else if y && !x {
                gained.append(AccessDelta(principal: name, privilege: attribute, object: nil, column: nil, via: "",
                                          text: AccessWords.attribute(name, attribute, lost: false, principalGoneOrNew: pa == nil)))
            }
        }

        // Memberships (transitive, whatever inheritance says: SET ROLE still works).
        let ma = pa == nil ? [:] : (a.access.membership[name] ?? [:])
        let mb = pb == nil ? [:] : (b.access.membership[name] ?? [:])
        for (role, path) in ma where mb[role] == nil {
            let words = AccessWords.membership(name, role, path: path, lost: true)
            lost.append(AccessDelta(principal: name, privilege: "MEMBER", object: nil, column: nil, via: words.via, text: words.text, role: role))
        }
        for (role, path) in mb where ma[role] == nil {
            let words = AccessWords.membership(name, role, path: path, lost: false)
            gained.append(AccessDelta(principal: name, privilege: "MEMBER", object: nil, column: nil, via: words.via, text: words.text, role: role))
        }

        // Object privileges. A PostgreSQL superuser passes every check: while it is one on
        // both sides nothing changes; otherwise SUPERUSER above says the rest.
        if a.isSuperuser(name) && b.isSuperuser(name) { return (lost, gained) }
        let ha = a.held(name), hb = b.held(name)
        func counterpart(_ key: Held, in other: [Held: Way]) -> Way? {
            if let way = other[key] { return way }
            guard key.column != nil else { return nil }
            return other[Held(privilege: key.privilege, object: key.object, column: nil)]
        }
        func delta(_ key: Held, _ via: String, grantOption: Bool, lost isLoss: Bool) -> AccessDelta {
            let what = AccessWords.what(key.privilege, key.object, key.column, grantOption: grantOption)
            let text = isLoss ? AccessWords.lost(name, what, was: via) : AccessWords.gained(name, what, via)
            return AccessDelta(principal: name, privilege: key.privilege, object: key.object, column: key.column, via: via,
                               text: text, grantOption: grantOption)
        }
        for (key, way) in ha {
            if let other = counterpart(key, in: hb) {
                if let grantRank = way.grantRank, !other.grantable { lost.append(delta(key, grantRank.via, grantOption: true, lost: true)) }
            } else {
                lost.append(delta(key, way.rank.via, grantOption: false, lost: true))
            }
        }
        for (key, way) in hb {
            if let other = counterpart(key, in: ha) {
                if let grantRank = way.grantRank, !other.grantable { gained.append(delta(key, grantRank.via, grantOption: true, lost: false)) }
            } else {
                gained.append(delta(key, way.rank.via, grantOption: false, lost: false))
            }
        }
        return (lost, gained)
    }

    /// role -> its login members (transitively, whatever inheritance says).
    func loginMembers() -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for p in ir.principals where p.login == true {
            for role in (access.membership[p.name] ?? [:]).keys { out[role, default: []].insert(p.name) }
        }
        return out
    }

    /// Why `p` holds admin power, or nil: the superuser or createrole attribute, or every
    /// privilege `profile admin on schema S` stands for in this dialect and version, for
    /// some schema S, held by `p` itself or through the roles it inherits from.
    func adminPower(_ p: IRPrincipal) -> String? {
        if p.superuser == true { return "superuser" }
        if p.createrole == true { return "createrole" }
        guard let dialect else { return nil }
        struct Fact: Hashable { var privilege: String; var object: IRObject }
        var facts: Set<Fact> = []
        var schemas: Set<String> = []
        for holder in [p.name] + (access.reach[p.name] ?? [:]).keys.sorted() {
            for g in access.grantsByGrantee[holder] ?? [] where g.column == nil {
                facts.insert(Fact(privilege: g.privilege, object: g.object))
                switch g.object {
                case .schema(let s), .allInSchema(_, let s): schemas.insert(s)
                default: break
                }
            }
        }
        guard !schemas.isEmpty else { return nil }
        let expansion = dialect.expandProfile(.admin, version: ir.serverVersion, at: .none)
        for schema in schemas.sorted() {
            var complete = true
            check: for grant in expansion.grants {
                let object: IRObject
                let objectClass: ObjectClass
                switch grant.target {
                case .schema:
                    object = .schema(schema)
                    objectClass = .schema
                case .all(let kind):
                    object = .allInSchema(kind, schema: schema)
                    objectClass = Lowering.objectClass(of: kind)
                }
                // Lowering renders only the privileges the dialect renders.
                let table = dialect.privileges(on: objectClass, version: ir.serverVersion)
                for privilege in grant.privileges {
                    guard case .rendered = table[privilege] else { continue }
                    if !facts.contains(Fact(privilege: privilege, object: object)) { complete = false; break check }
                }
            }
            if complete { return "the admin profile's privileges on schema \(schema)" }
        }
        return nil
    }

    /// Names a change touches; `everyone` when it touches PUBLIC (every principal holds it).
    static func touched(by changes: [Change]) -> (names: Set<String>, everyone: Bool) {
        var names: Set<String> = []
        var everyone = false
        func grantee(_ ref: PrincipalRef) {
            if let n = ref.name { names.insert(n) } else { everyone = true }
        }
        for change in changes {
            switch change {
            case .createPrincipal(let p), .dropPrincipal(let p, _): names.insert(p.name)
            case .alterPrincipal(_, let p): names.insert(p.name)
            case .dropAbsent(let a, _): names.insert(a.name)
            case .grantMembership(let m, _), .revokeMembership(let m): names.insert(m.member)
            case .setOwner(let o, let previous):
                names.insert(o.owner)
                if let previous { names.insert(previous.owner) }
                // On PostgreSQL the database owner owns schema public too.
                if o.scope == .database { everyone = true }
            case .grant(let g), .revoke(let g), .grantGrantOption(let g), .revokeGrantOption(let g): grantee(g.grantee)
            case .setSetting, .resetSetting, .grantDefault, .revokeDefault, .replaceDefault, .stopEnforcing, .stopEnforcingDefault: break
            }
        }
        return (names, everyone)
    }

    /// What the server holds after the changes, as far as access goes: `new`, except that
    /// a revoke the changes stop enforcing stays in force (nothing is granted back) and an
    /// attribute that became unmanaged (nil) keeps the value it had.
    static func serverState(after new: PolicyIR, old: PolicyIR, changes: [Change]) -> PolicyIR {
        var ir = new
        var before: [String: IRPrincipal] = [:]
        for p in old.principals { before[p.name] = p }
        for index in ir.principals.indices {
            if let p = before[ir.principals[index].name] { ir.principals[index] = AccessState.converge(p, ir.principals[index]) }
        }
        for case .stopEnforcing(let revoke) in changes { ir.revokes.append(revoke) }
        return ir
    }

    /// What `alterPrincipal` leaves: every managed part of `to`; an unmanaged (nil) part
    /// keeps the value it had.
    static func converge(_ before: IRPrincipal?, _ to: IRPrincipal) -> IRPrincipal {
        guard let before else { return to }
        var p = to
        guard p.kind == before.kind else { return p }
        p.login = to.login ?? before.login
        p.superuser = to.superuser ?? before.superuser
        p.createdb = to.createdb ?? before.createdb
        p.createrole = to.createrole ?? before.createrole
        p.replication = to.replication ?? before.replication
        p.bypassrls = to.bypassrls ?? before.bypassrls
        p.inherit = to.inherit ?? before.inherit
        p.defaultRoles = to.defaultRoles ?? before.defaultRoles
        return p
    }
}
