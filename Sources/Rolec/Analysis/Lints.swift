/// The warnings of `rolec check` (language.md section 6): risky or useless grants and
/// declarations, each with a stable code W07xx and silenced for a principal by
/// `allow CODE for NAME` in a `policy { }` block.
///
/// Syntactic lints walk the files' trees (for exact source ranges) with the dialect
/// blocks of the target kept; lints about effective access work on the lowered IR, with
/// its facts interned once (`FactIndex`: a million facts are compared as integers), and
/// map a reported fact back to the grant that wrote it through the grantee's grant items.
/// Every pass is linear in the grants times the (small) number of roles a principal
/// reaches.
public enum Lints {
    /// Lints of one target. `syntax` is every file's tree, in the order lowered.
    public static func check(_ syntax: [PolicyAST], ir: PolicyIR) -> [Diagnostic] {
        var run = Run(ir: ir, statements: flatten(syntax.flatMap(\.statements), dialect: ir.dialect))
        run.syntactic()
        run.redundantGrants()
        run.unusedRoles()
        run.readOnlyWithWrites()
        run.inertGrants()
        return run.out
    }

    /// Statements of dialect blocks naming this dialect, inlined (as lowering does).
    static func flatten(_ statements: [Statement], dialect: String) -> [Statement] {
        var out: [Statement] = []
        for statement in statements {
            if case .dialect(let names, let inner, _) = statement {
                if names.contains(where: { $0.text.lowercased() == dialect }) { out.append(contentsOf: flatten(inner, dialect: dialect)) }
            } else {
                out.append(statement)
            }
        }
        return out
    }

    static let writePrivileges: [String] = ["DELETE", "INSERT", "TRUNCATE", "UPDATE"]
    static let writeWords: Set<String> = ["write", "writer", "writers", "writes", "rw", "wr", "readwrite", "admin", "owner"]
    static let readOnlyWords: Set<String> = ["ro", "read", "reader", "readers", "reads", "readonly", "viewer", "viewers"]

    /// Whether a name says it only reads: one of its words (split at anything but
    /// letters and digits, and at lower-to-upper case changes) is `ro`, `read`, `reader`...
    /// and none says it writes (`write`, `rw`, `admin`...).
    static func soundsReadOnly(_ name: String) -> Bool {
        var words: [String] = []
        var current = ""
        var previousLower = false
        for ch in name {
            if ch.isLetter || ch.isNumber {
                if ch.isUppercase && previousLower { words.append(current); current = "" }
                current.append(ch)
                previousLower = ch.isLowercase
            } else {
                words.append(current)
                current = ""
                previousLower = false
            }
        }
        words.append(current)
        let lower = words.map { $0.lowercased() }
        // `app_read_write` says it writes too.
        if lower.contains(where: { writeWords.contains($0) }) { return false }
        return lower.contains { readOnlyWords.contains($0) }
    }

    struct Run {
        let ir: PolicyIR
        let statements: [Statement]
        let access: EffectiveAccess
        /// `ir.grants` with interned names: every pass over the facts works on ids.
        let facts: FactIndex
        var out: [Diagnostic] = []
        var allowed: Set<String> = []
        var principals: [String: IRPrincipal] = [:]
        /// Where each principal is declared (its name in the declaration).
        var declared: [String: SourceRange] = [:]
        /// Grant items of the text by grantee (nil: PUBLIC), in order, to find where a fact
        /// was written. Looked up only for the facts a lint reports, so a million facts
        /// cost no index of their own.
        var itemsByGrantee: [String?: [(objects: [ObjectRef], profile: Bool, range: SourceRange)]] = [:]
        /// Per grantee with many grant items or objects: object -> where first granted.
        var originsByGrantee: [String?: [IRObject: SourceRange]] = [:]
        /// Principals some grant of the text names (even one this dialect cannot render),
        /// or that own or create a schema's objects.
        var grantedInText: Set<String> = []
        /// principal -> every principal that is a member of it (transitively).
        var members: [String: [String]] = [:]
        /// principal -> those that inherit its privileges.
        var inheritors: [String: [String]] = [:]

        init(ir: PolicyIR, statements: [Statement]) {
            self.ir = ir
            self.statements = statements
            self.access = EffectiveAccess(ir: ir)
            self.facts = access.facts
            for rule in ir.rules {
                if case .allow(let code, let names) = rule {
                    for name in names { allowed.insert(code + "\u{0}" + name) }
                }
            }
            for p in ir.principals { principals[p.name] = p }
            for (member, roles) in access.membership { for role in roles.keys { members[role, default: []].append(member) } }
            for (member, roles) in access.reach { for role in roles.keys { inheritors[role, default: []].append(member) } }
            for key in members.keys { members[key]?.sort() }
            for key in inheritors.keys { inheritors[key]?.sort() }
            indexStatements()
        }

        func isAllowed(_ code: String, _ principal: String?) -> Bool {
            allowed.contains(code + "\u{0}" + (principal ?? "public"))
        }

        /// `isAllowed(code, grantee)` for every grantee id of `facts`.
        func allowedByGrantee(_ code: String) -> [Bool] {
            facts.granteeNames.map { isAllowed(code, $0) }
        }

        mutating func emit(_ code: String, principal: String?, _ diagnostic: Diagnostic) {
            if !isAllowed(code, principal) { out.append(diagnostic) }
        }

        static func profileObjects(_ ref: ObjectRef) -> [IRObject] {
            guard case .schema(let n) = ref.kind else { return [] }
            return [.schema(n.text)] + [BulkKind.tables, .sequences, .functions, .procedures, .routines].map { .allInSchema($0, schema: n.text) }
        }

        mutating func note(_ grantee: String?, _ objects: [ObjectRef], profile: Bool, _ range: SourceRange) {
            if let grantee { grantedInText.insert(grantee) }
            itemsByGrantee[grantee, default: []].append((objects, profile, range))
        }

        mutating func indexStatements() {
            for statement in statements {
                switch statement {
                case .principal(let decl):
                    for name in decl.names where declared[name.text] == nil { declared[name.text] = name.range }
                    for item in decl.items {
                        switch item {
                        case .grant(_, let objects, _, let range):
                            for name in decl.names { note(name.text, objects, profile: false, range) }
                        case .profile(_, let objects, let range):
                            for name in decl.names { note(name.text, objects, profile: true, range) }
                        default: break
                        }
                    }
                case .owner(let decl):
                    // Owners and creators of a schema's objects are in use.
                    if let owner = decl.ownedBy { grantedInText.insert(owner.text) }
                    for creator in decl.createdBy { grantedInText.insert(creator.text) }
                case .grant(let stmt) where !stmt.isRevoke:
                    for grantee in stmt.grantees {
                        switch grantee {
                        case .publicRole(let r): note(nil, stmt.objects, profile: false, r)
                        case .principal(let n): note(n.text, stmt.objects, profile: false, n.range)
                        }
                    }
                default: break
                }
            }
        }

        /// Where the grant that first gave `grantee` a fact on `object` was written, else
        /// where the grantee is declared.
        mutating func origin(_ grantee: String?, _ object: IRObject) -> SourceRange {
            let items = itemsByGrantee[grantee] ?? []
            if items.count > 8 || items.contains(where: { $0.objects.count > 64 }) {
                // Many objects: index them once rather than scan them for every finding.
                if originsByGrantee[grantee] == nil {
                    var index: [IRObject: SourceRange] = [:]
                    for item in items {
                        for ref in item.objects {
                            for o in item.profile ? Run.profileObjects(ref) : Run.object(ref).map({ [$0] }) ?? [] where index[o] == nil {
                                index[o] = item.range
                            }
                        }
                    }
                    originsByGrantee[grantee] = index
                }
                if let range = originsByGrantee[grantee]?[object] { return range }
            } else {
                for item in items {
                    let hit = item.profile ? item.objects.contains { Run.profileObjects($0).contains(object) }
                                           : item.objects.contains { Run.names($0, object) }
                    if hit { return item.range }
                }
            }
            return grantee.flatMap { declared[$0] } ?? .none
        }

        /// The object a reference names (nil: a bulk reference without a schema).
        static func object(_ ref: ObjectRef) -> IRObject? {
            switch ref.kind {
            case .database(let n): return .database(n.text)
            case .schema(let n): return .schema(n.text)
            case .server: return .server
            case .relation(let kind, let q): return .relation(kind, schema: q.schema?.text, name: q.name.text)
            case .routine(let kind, let q, let arguments): return .routine(kind, schema: q.schema?.text, name: q.name.text, arguments: arguments)
            case .bulk(let kind, _, let schema): return schema.map { .allInSchema(kind, schema: $0.text) }
            }
        }

        /// `Run.object(ref) == object`, without building the object.
        static func names(_ ref: ObjectRef, _ object: IRObject) -> Bool {
            switch (ref.kind, object) {
            case (.database(let n), .database(let m)), (.schema(let n), .schema(let m)): return n.text == m
            case (.server, .server): return true
            case (.relation(let k, let q), .relation(let k2, let s, let n)): return k == k2 && q.name.text == n && q.schema?.text == s
            case (.routine(let k, let q, let a), .routine(let k2, let s, let n, let a2)): return k == k2 && q.name.text == n && q.schema?.text == s && a == a2
            case (.bulk(let k, _, let schema?), .allInSchema(let k2, let s)): return k == k2 && schema.text == s
            default: return false
            }
        }

        // MARK: W0701-W0705: what the text says

        mutating func syntactic() {
            for statement in statements {
                switch statement {
                case .principal(let decl):
                    for item in decl.items {
                        switch item {
                        case .attribute(.flag(let kind, let range)) where [.superuser, .bypassrls, .createrole, .replication].contains(kind):
                            for name in decl.names {
                                emit("W0704", principal: name.text, .lintDangerousAttribute(name.text, attribute: kind.rawValue, at: range))
                            }
                        case .grant(let privileges, _, let grantOption, let range):
                            for name in decl.names {
                                if case .all(let r) = privileges { emit("W0702", principal: name.text, .lintAllPrivileges([name.text], at: r)) }
                                if grantOption { emit("W0703", principal: name.text, .lintGrantOption([name.text], at: range)) }
                                if principals[name.text]?.kind == .user { emit("W0705", principal: name.text, .lintDirectUserGrant(name.text, at: range)) }
                            }
                        case .profile(_, _, let range):
                            for name in decl.names where principals[name.text]?.kind == .user {
                                emit("W0705", principal: name.text, .lintDirectUserGrant(name.text, at: range))
                            }
                        default: break
                        }
                    }
                case .grant(let stmt) where !stmt.isRevoke:
                    var names: [String?] = []
                    for grantee in stmt.grantees {
                        switch grantee {
                        case .publicRole(let r):
                            names.append(nil)
                            emit("W0701", principal: nil, .lintPublicGrant(at: r))
                        case .principal(let n):
                            names.append(n.text)
                            if principals[n.text]?.kind == .user { emit("W0705", principal: n.text, .lintDirectUserGrant(n.text, at: n.range)) }
                        }
                    }
                    if case .all(let r) = stmt.privileges {
                        let shown = names.filter { !isAllowed("W0702", $0) }.map { $0 ?? "public" }
                        if !shown.isEmpty { out.append(.lintAllPrivileges(shown, at: r)) }
                    }
                    if stmt.withGrantOption {
                        let shown = names.filter { !isAllowed("W0703", $0) }.map { $0 ?? "public" }
                        if !shown.isEmpty { out.append(.lintGrantOption(shown, at: stmt.range)) }
                    }
                default: break
                }
            }
        }

        // MARK: W0706 redundant grants

        /// The objects whose facts cover a fact on object `o`: itself, and the bulk facts
        /// of its schema (ids of objects that have facts only).
        func covering(_ o: Int32) -> [Int32] {
            var out: [Int32] = [o]
            func add(_ object: IRObject) { if let id = facts.id(ofObject: object) { out.append(id) } }
            switch facts.objects[Int(o)] {
            case .relation(let kind, let schema?, _):
                add(.allInSchema(kind == .sequence ? .sequences : .tables, schema: schema))
            case .routine(let kind, let schema?, _, _):
                add(.allInSchema(kind == .function ? .functions : .procedures, schema: schema))
                add(.allInSchema(.routines, schema: schema))
            default: break
            }
            return out
        }

        /// The roles a grantee holds privileges through that hold any fact, nearest first
        /// (then by name), with their paths.
        func reachedGrantees(_ name: String) -> [(role: Int32, path: [String])] {
            (access.reach[name] ?? [:]).sorted(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }).compactMap { role, path in
                facts.id(ofGrantee: role).map { ($0, path) }
            }
        }

        mutating func redundantGrants() {
            let count = facts.count
            let pack = IdPairTable.pack
            // Whether a role holds a fact: in the IR's order (runs by object) a scan of the
            // object's few facts; otherwise a hash table of every fact.
            var held = IdPairTable()
            if !facts.runsByObject {
                held = IdPairTable(capacity: count)
                for i in 0..<count {
                    held.insert(pack(facts.object[i], facts.grantee[i]), pack(facts.privilege[i], facts.column[i]))
                }
            }
            let facts = self.facts
            func holds(_ role: Int32, _ p: Int32, _ object: Int32, _ c: Int32) -> Bool {
                if facts.runsByObject { return facts.holds(role, p, object, column: c) }
                return held.contains(pack(object, role), pack(p, c))
                    || (c != FactIndex.noColumn && held.contains(pack(object, role), pack(p, FactIndex.noColumn)))
            }
            let allowed = allowedByGrantee("W0706")
            // PUBLIC's grants in the policy make the same grant to anyone redundant (PUBLIC's
            // server defaults do not: granting CONNECT or EXECUTE explicitly keeps a policy
            // right when they are revoked).
            let publicHolds = !facts.facts(of: FactIndex.publicGrantee).isEmpty
            struct Finding { var range: SourceRange; var grantee: String; var via: String; var privileges: [String]; var columns: [String: [String]]; var object: IRObject }
            var findings: [String: Finding] = [:]
            var order: [String] = []
            var reachOf = [[(role: Int32, path: [String])]?](repeating: nil, count: facts.granteeCount)
            var coveringOf = [[Int32]?](repeating: nil, count: facts.objects.count)
            for i in 0..<count {
                let g = facts.grantee[i]
                guard g != FactIndex.publicGrantee, !allowed[Int(g)], let grantee = facts.granteeNames[Int(g)] else { continue }
                let reached: [(role: Int32, path: [String])]
                if let known = reachOf[Int(g)] { reached = known } else {
                    reached = reachedGrantees(grantee)
                    reachOf[Int(g)] = reached
                }
                guard !reached.isEmpty || publicHolds else { continue }
                let o = facts.object[i]
                let cover: [Int32]
                if let known = coveringOf[Int(o)] { cover = known } else {
                    cover = covering(o)
                    coveringOf[Int(o)] = cover
                }
                let p = facts.privilege[i], c = facts.column[i]
                var via: String?
                for (role, path) in reached {
                    let hit = cover.contains { object in holds(role, p, object, c) }
                    if hit { via = path.joined(separator: " -> "); break }
                }
                if via == nil && publicHolds {
                    let hit = cover.contains { object in holds(FactIndex.publicGrantee, p, object, c) }
                    // No role can be named public, so "public" never clashes with a path.
                    if hit { via = "public" }
                }
                guard let via else { continue }
                let fact = ir.grants[i]
                let range = origin(grantee, fact.object)
                let key = "\(range.file):\(range.start):\(grantee):\(via):\(fact.object.display)"
                let privilege = fact.privilege.lowercased()
                if findings[key] == nil {
                    findings[key] = Finding(range: range, grantee: grantee, via: via, privileges: [], columns: [:], object: fact.object)
                    order.append(key)
                }
                if findings[key]?.privileges.contains(privilege) == false { findings[key]?.privileges.append(privilege) }
                if let column = fact.column { findings[key]?.columns[privilege, default: []].append(column) }
            }
            for key in order {
                guard let f = findings[key] else { continue }
                let shown = f.privileges.map { p in f.columns[p].map { "\(p) (\($0.joined(separator: ", ")))" } ?? p }
                if f.via == "public" {
                    out.append(.lintRedundantPublicGrant(f.grantee, privileges: shown, object: f.object.display, at: f.range))
                } else {
                    out.append(.lintRedundantGrant(f.grantee, privileges: shown, object: f.object.display, via: f.via, at: f.range))
                }
            }
        }

        // MARK: W0707 unused roles

        mutating func unusedRoles() {
            var used: Set<String> = []
            for m in ir.memberships { used.insert(m.role) }
            for case let name? in facts.granteeNames { used.insert(name) }
            for g in ir.defaultGrants {
                if let n = g.grantee.name { used.insert(n) }
            }
            for o in ir.ownerships { used.insert(o.owner) }
            used.formUnion(grantedInText)
            for p in ir.principals where p.kind == .role && !p.external && p.login != true && !used.contains(p.name) {
                emit("W0707", principal: p.name, .lintUnusedRole(p.name, at: declared[p.name] ?? .none))
            }
        }

        // MARK: W0708 read-only by name or profile, with writes

        mutating func readOnlyWithWrites() {
            var readonlyProfile: Set<String> = []
            for case .principal(let decl) in statements {
                for case .profile(let profile, _, _) in decl.items where profile.text.lowercased() == "readonly" {
                    for name in decl.names { readonlyProfile.insert(name.text) }
                }
            }
            let writes = Set(Lints.writePrivileges.compactMap { facts.id(ofPrivilege: $0) })
            for p in ir.principals where !isAllowed("W0708", p.name) {
                let byProfile = readonlyProfile.contains(p.name)
                guard byProfile || Lints.soundsReadOnly(p.name) else { continue }
                var holders: [(String, [String])] = [(p.name, [])]
                for (role, path) in (access.reach[p.name] ?? [:]).sorted(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }) {
                    holders.append((role, path))
                }
                var found: (IRGrant, [String])?
                search: for (holder, path) in holders {
                    guard let id = facts.id(ofGrantee: holder) else { continue }
                    for i in facts.facts(of: id) where writes.contains(facts.privilege[Int(i)]) {
                        found = (ir.grants[Int(i)], path)
                        break search
                    }
                }
                guard let (g, path) = found else { continue }
                let range = path.isEmpty ? origin(p.name, g.object) : (declared[p.name] ?? .none)
                out.append(.lintReadOnlyWrites(p.name, why: byProfile ? "has the readonly profile" : "is named as read-only",
                                               privilege: g.privilege.lowercased(), object: g.object.display,
                                               via: path.isEmpty ? nil : path.joined(separator: " -> "), at: range))
            }
        }

        // MARK: W0709 inert grants

        mutating func inertGrants() {
            if ir.dialect == "postgres" {
                schemaUsage()
                revokedConnect()
            }
            noLoginPath()
        }

        /// PostgreSQL: privileges on objects in a schema nobody holding them may use.
        mutating func schemaUsage() {
            var usageHolders: [String: Set<String>] = [:]
            var publicUsage: Set<String> = []
            if let usage = facts.id(ofPrivilege: "USAGE") {
                for i in 0..<facts.count where facts.privilege[i] == usage {
                    if case .schema(let s) = facts.objects[Int(facts.object[i])] {
                        if let n = facts.granteeNames[Int(facts.grantee[i])] { usageHolders[s, default: []].insert(n) } else { publicUsage.insert(s) }
                    }
                }
            }
            for o in ir.ownerships where o.scope == .schema { usageHolders[o.name, default: []].insert(o.owner) }
            if access.builtinPublic("USAGE", .schema("public")) != nil { publicUsage.insert("public") }
            var memo: [String: Bool] = [:]
            func canUse(_ principal: String, _ schema: String) -> Bool {
                let key = principal + "\u{0}" + schema
                if let known = memo[key] { return known }
                let holders = usageHolders[schema] ?? []
                var result = principals[principal]?.superuser == true || principals[principal]?.external == true || holders.contains(principal)
                if !result { result = (access.reach[principal] ?? [:]).keys.contains { holders.contains($0) || principals[$0]?.external == true } }
                memo[key] = result
                return result
            }
            // Per object: the id of its schema among `schemas` (-1: not in a schema), and
            // whether PUBLIC may use that schema.
            var schemas: [String] = []
            var schemaIds: [String: Int32] = [:]
            let schemaOf: [Int32] = facts.objects.map { object in
                let schema: String
                switch object {
                case .relation(_, let s?, _), .routine(_, let s?, _, _), .allInSchema(_, let s): schema = s
                default: return -1
                }
                if let id = schemaIds[schema] { return id }
                let id = Int32(schemas.count)
                schemas.append(schema)
                schemaIds[schema] = id
                return id
            }
            let publicMayUse = schemas.map { publicUsage.contains($0) }
            let allowed = allowedByGrantee("W0709")
            let external = facts.granteeNames.map { $0.map { principals[$0]?.external == true } ?? false }
            let pack = IdPairTable.pack
            var done = IdPairTable()
            var exercisableIn = IdPairTable()
            for i in 0..<facts.count {
                let g = facts.grantee[i], o = facts.object[i]
                guard g != FactIndex.publicGrantee, !allowed[Int(g)], let grantee = facts.granteeNames[Int(g)] else { continue }
                let s = schemaOf[Int(o)]
                guard s >= 0, !publicMayUse[Int(s)], !external[Int(g)] else { continue }
                // Reported once per (grantee, object); in the IR's order duplicates are adjacent.
                if facts.runsByObject {
                    if i > 0 && facts.object[i - 1] == o && facts.grantee[i - 1] == g { continue }
                } else {
                    guard done.insert(pack(o, g), 0) else { continue }
                }
                let schema = schemas[Int(s)]
                let exercisable: Bool
                if let known = exercisableIn.get(pack(g, s), 0) {
                    exercisable = known == 1
                } else {
                    exercisable = canUse(grantee, schema) || (inheritors[grantee] ?? []).contains { canUse($0, schema) }
                    exercisableIn.insert(pack(g, s), 0, exercisable ? 1 : 0)
                }
                if !exercisable {
                    let object = facts.objects[Int(o)]
                    out.append(.lintInertNoUsage(grantee, object: object.display, schema: schema, at: origin(grantee, object)))
                }
            }
        }

        /// PostgreSQL: a login principal that cannot connect to a database whose CONNECT
        /// was revoked from PUBLIC, while it holds privileges.
        mutating func revokedConnect() {
            let databases = ir.revokes.compactMap { r -> String? in
                guard r.grantee == .publicRole, r.privilege == "CONNECT", case .database(let d) = r.object else { return nil }
                return d
            }
            guard !databases.isEmpty else { return }
            var connectHolders: [String: Set<String?>] = [:]
            if let connect = facts.id(ofPrivilege: "CONNECT") {
                for i in 0..<facts.count where facts.privilege[i] == connect {
                    if case .database(let d) = facts.objects[Int(facts.object[i])] { connectHolders[d, default: []].insert(facts.granteeNames[Int(facts.grantee[i])]) }
                }
            }
            // A database's owner holds CONNECT on it.
            for o in ir.ownerships where o.scope == .database { connectHolders[o.name, default: []].insert(o.owner) }
            for p in ir.principals where p.login == true && p.superuser != true && !isAllowed("W0709", p.name) {
                let reached = access.reach[p.name] ?? [:]
                // A grantee id exists only for a principal with facts.
                let holdsSomething = facts.id(ofGrantee: p.name) != nil || reached.keys.contains { facts.id(ofGrantee: $0) != nil }
                guard holdsSomething else { continue }
                for database in Array(Set(databases)).sorted() {
                    let holders = connectHolders[database] ?? []
                    if holders.contains(nil) || holders.contains(p.name) || reached.keys.contains(where: { holders.contains($0) || principals[$0]?.external == true }) { continue }
                    out.append(.lintInertNoConnect(p.name, database: database, at: declared[p.name] ?? .none))
                }
            }
        }

        /// A managed role with privileges that no login principal is a member of.
        mutating func noLoginPath() {
            var holdsPrivileges: Set<String> = []
            for case let name? in facts.granteeNames { holdsPrivileges.insert(name) }
            for g in ir.defaultGrants { if let n = g.grantee.name { holdsPrivileges.insert(n) } }
            for p in ir.principals where p.kind == .role && !p.external && p.login != true && holdsPrivileges.contains(p.name) {
                guard !isAllowed("W0709", p.name) else { continue }
                let reachable = (members[p.name] ?? []).contains { m in
                    guard let q = principals[m] else { return true }
                    return q.login != false
                }
                if !reachable { out.append(.lintInertNoLogin(p.name, at: declared[p.name] ?? .none)) }
            }
        }
    }
}
