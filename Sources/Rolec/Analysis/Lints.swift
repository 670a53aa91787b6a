/// The warnings of `rolec check` (language.md section 6): risky or useless grants and
/// declarations, each with a stable code W07xx and silenced for a principal by
/// `allow CODE for NAME` in a `policy { }` block.
///
/// Syntactic lints walk the files' trees (for exact source ranges) with the dialect
/// blocks of the target kept; lints about effective access work on the lowered IR and
/// map facts back to the grant that wrote them through an index built once. Every pass
/// is linear in the grants times the (small) number of roles a principal reaches.
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

    struct FactKey: Hashable {
        var grantee: String?
        var privilege: String
        var object: IRObject
        var column: String?
    }

    struct OriginKey: Hashable {
        var grantee: String?
        var object: IRObject
    }

    struct Run {
        let ir: PolicyIR
        let statements: [Statement]
        let access: EffectiveAccess
        var out: [Diagnostic] = []
        var allowed: Set<String> = []
        var principals: [String: IRPrincipal] = [:]
        /// Where each principal is declared (its name in the declaration).
        var declared: [String: SourceRange] = [:]
        /// (grantee, object) -> the grant that wrote it first.
        var origins: [OriginKey: SourceRange] = [:]
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

        mutating func emit(_ code: String, principal: String?, _ diagnostic: Diagnostic) {
            if !isAllowed(code, principal) { out.append(diagnostic) }
        }

        static func objects(_ ref: ObjectRef) -> [IRObject] {
            switch ref.kind {
            case .database(let n): return [.database(n.text)]
            case .schema(let n): return [.schema(n.text)]
            case .server: return [.server]
            case .relation(let kind, let q): return [.relation(kind, schema: q.schema?.text, name: q.name.text)]
            case .routine(let kind, let q, let arguments): return [.routine(kind, schema: q.schema?.text, name: q.name.text, arguments: arguments)]
            case .bulk(let kind, _, let schema): return schema.map { [.allInSchema(kind, schema: $0.text)] } ?? []
            }
        }

        static func profileObjects(_ ref: ObjectRef) -> [IRObject] {
            guard case .schema(let n) = ref.kind else { return [] }
            return [.schema(n.text)] + [BulkKind.tables, .sequences, .functions, .procedures, .routines].map { .allInSchema($0, schema: n.text) }
        }

        mutating func note(_ grantee: String?, _ objects: [IRObject], _ range: SourceRange) {
            if let grantee { grantedInText.insert(grantee) }
            for object in objects where origins[OriginKey(grantee: grantee, object: object)] == nil {
                origins[OriginKey(grantee: grantee, object: object)] = range
            }
        }

        mutating func indexStatements() {
            for statement in statements {
                switch statement {
                case .principal(let decl):
                    for name in decl.names where declared[name.text] == nil { declared[name.text] = name.range }
                    for item in decl.items {
                        switch item {
                        case .grant(_, let objects, _, let range):
                            for name in decl.names { note(name.text, objects.flatMap(Run.objects), range) }
                        case .profile(_, let objects, let range):
                            for name in decl.names { note(name.text, objects.flatMap(Run.profileObjects), range) }
                        default: break
                        }
                    }
                case .owner(let decl):
                    // Owners and creators of a schema's objects are in use.
                    if let owner = decl.ownedBy { grantedInText.insert(owner.text) }
                    for creator in decl.createdBy { grantedInText.insert(creator.text) }
                case .grant(let stmt) where !stmt.isRevoke:
                    let objects = stmt.objects.flatMap(Run.objects)
                    for grantee in stmt.grantees {
                        switch grantee {
                        case .publicRole(let r): note(nil, objects, r)
                        case .principal(let n): note(n.text, objects, n.range)
                        }
                    }
                default: break
                }
            }
        }

        func origin(_ grantee: String?, _ object: IRObject) -> SourceRange {
            origins[OriginKey(grantee: grantee, object: object)] ?? grantee.flatMap { declared[$0] } ?? .none
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

        mutating func redundantGrants() {
            var facts: Set<FactKey> = []
            facts.reserveCapacity(ir.grants.count)
            for g in ir.grants { facts.insert(FactKey(grantee: g.grantee.name, privilege: g.privilege, object: g.object, column: g.column)) }
            struct Finding { var range: SourceRange; var grantee: String; var via: String; var privileges: [String]; var columns: [String: [String]]; var object: IRObject }
            var findings: [String: Finding] = [:]
            var order: [String] = []
            var sortedReach: [String: [(key: String, value: [String])]] = [:]
            for g in ir.grants {
                guard let grantee = g.grantee.name, !isAllowed("W0706", grantee) else { continue }
                let reached: [(key: String, value: [String])]
                if let known = sortedReach[grantee] {
                    reached = known
                } else {
                    reached = (access.reach[grantee] ?? [:]).sorted(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) })
                    sortedReach[grantee] = reached
                }
                guard !reached.isEmpty else { continue }
                var covering: [IRObject] = [g.object]
                if case .relation(let kind, let schema?, _) = g.object {
                    covering.append(.allInSchema(kind == .sequence ? .sequences : .tables, schema: schema))
                }
                if case .routine(let kind, let schema?, _, _) = g.object {
                    covering.append(.allInSchema(kind == .function ? .functions : .procedures, schema: schema))
                    covering.append(.allInSchema(.routines, schema: schema))
                }
                var via: String?
                for (role, path) in reached {
                    let hit = covering.contains { object in
                        facts.contains(FactKey(grantee: role, privilege: g.privilege, object: object, column: g.column))
                            || (g.column != nil && facts.contains(FactKey(grantee: role, privilege: g.privilege, object: object, column: nil)))
                    }
                    if hit { via = path.joined(separator: " -> "); break }
                }
                guard let via else { continue }
                let range = origin(grantee, g.object)
                let key = "\(range.file):\(range.start):\(grantee):\(via):\(g.object.display)"
                let privilege = g.privilege.lowercased()
                if findings[key] == nil {
                    findings[key] = Finding(range: range, grantee: grantee, via: via, privileges: [], columns: [:], object: g.object)
                    order.append(key)
                }
                if findings[key]?.privileges.contains(privilege) == false { findings[key]?.privileges.append(privilege) }
                if let column = g.column { findings[key]?.columns[privilege, default: []].append(column) }
            }
            for key in order {
                guard let f = findings[key] else { continue }
                let shown = f.privileges.map { p in f.columns[p].map { "\(p) (\($0.joined(separator: ", ")))" } ?? p }
                out.append(.lintRedundantGrant(f.grantee, privileges: shown, object: f.object.display, via: f.via, at: f.range))
            }
        }

        // MARK: W0707 unused roles

        mutating func unusedRoles() {
            var used: Set<String> = []
            for m in ir.memberships { used.insert(m.role) }
            for g in ir.grants { if let n = g.grantee.name { used.insert(n) } }
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
            for p in ir.principals where !isAllowed("W0708", p.name) {
                let byProfile = readonlyProfile.contains(p.name)
                guard byProfile || Lints.soundsReadOnly(p.name) else { continue }
                var holders: [(String, [String])] = [(p.name, [])]
                for (role, path) in (access.reach[p.name] ?? [:]).sorted(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }) {
                    holders.append((role, path))
                }
                var found: (IRGrant, [String])?
                search: for (holder, path) in holders {
                    for g in access.grantsByGrantee[holder] ?? [] where Lints.writePrivileges.contains(g.privilege) {
                        found = (g, path)
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
            for g in ir.grants where g.privilege == "USAGE" {
                if case .schema(let s) = g.object {
                    if let n = g.grantee.name { usageHolders[s, default: []].insert(n) } else { publicUsage.insert(s) }
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
            var done: Set<String> = []
            var exercisableIn: [String: Bool] = [:]
            for g in ir.grants {
                guard let grantee = g.grantee.name, !isAllowed("W0709", grantee) else { continue }
                let schema: String
                switch g.object {
                case .relation(_, let s?, _), .routine(_, let s?, _, _), .allInSchema(_, let s): schema = s
                default: continue
                }
                if publicUsage.contains(schema) || principals[grantee]?.external == true { continue }
                let key = "\(grantee)\u{0}\(g.object.display)"
                guard !done.contains(key) else { continue }
                done.insert(key)
                let pair = grantee + "\u{0}" + schema
                let exercisable: Bool
                if let known = exercisableIn[pair] {
                    exercisable = known
                } else {
                    exercisable = canUse(grantee, schema) || (inheritors[grantee] ?? []).contains { canUse($0, schema) }
                    exercisableIn[pair] = exercisable
                }
                if !exercisable {
                    out.append(.lintInertNoUsage(grantee, object: g.object.display, schema: schema, at: origin(grantee, g.object)))
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
            for g in ir.grants where g.privilege == "CONNECT" {
                if case .database(let d) = g.object { connectHolders[d, default: []].insert(g.grantee.name) }
            }
            // A database's owner holds CONNECT on it.
            for o in ir.ownerships where o.scope == .database { connectHolders[o.name, default: []].insert(o.owner) }
            for p in ir.principals where p.login == true && p.superuser != true && !isAllowed("W0709", p.name) {
                let reached = access.reach[p.name] ?? [:]
                let holdsSomething = !(access.grantsByGrantee[p.name] ?? []).isEmpty
                    || reached.keys.contains { !(access.grantsByGrantee[$0] ?? []).isEmpty }
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
            for g in ir.grants { if let n = g.grantee.name { holdsPrivileges.insert(n) } }
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
