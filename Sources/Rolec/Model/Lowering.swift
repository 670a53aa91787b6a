/// AST -> IR for one target: resolves names, expands profiles and bulk objects,
/// validates privileges against the target's capability table, and reports every
/// problem it finds (it never stops at the first).
public struct Lowering {
    let target: Target
    var dialect: any Dialect { target.dialect }
    let files: [SourceFile]
    var diagnostics: [Diagnostic] = []
    var ir: PolicyIR

    struct Declared {
        var kind: PrincipalKind
        var external: Bool
        var range: SourceRange
    }

    var declared: [String: Declared] = [:]
    var absentNames: [String: SourceRange] = [:]
    let builtins: Set<String>
    var schemaDecls: [String: OwnerDecl] = [:]
    var databaseDecls: [String: OwnerDecl] = [:]
    var warnedFutureScopes: Set<String> = []
    var revokeOrigins: [IRGrant: SourceRange] = [:]
    var defaultGrantOrigins: [IRDefaultGrant: SourceRange] = [:]
    var defaultRevokeOrigins: [IRDefaultGrant: SourceRange] = [:]
    var membershipOrigins: [IRMembership: SourceRange] = [:]
    /// The grant facts, interned (a million in a large policy), with where each was written.
    var grants = GrantFactStore()
    var revokes: Set<IRGrant> = []
    var defaultGrants: Set<IRDefaultGrant> = []
    var defaultRevokes: Set<IRDefaultGrant> = []
    var memberships: [String: IRMembership] = [:]
    var notes: Set<String> = []

    init(target: Target, files: [SourceFile]) {
        self.target = target
        self.files = files
        self.ir = PolicyIR(dialect: target.dialect.name, serverVersion: target.version)
        self.builtins = target.dialect.builtinRoles(version: target.version)
    }

    /// Lowers every file of a policy (in the order given) for one target.
    public static func lower(_ units: [(SourceFile, PolicyAST)], target: Target) -> (PolicyIR, [Diagnostic]) {
        var lowering = Lowering(target: target, files: units.map(\.0))
        let statements = lowering.flatten(units.flatMap { $0.1.statements })
        lowering.collectDeclarations(statements)
        lowering.reserveGrantFacts(statements)
        lowering.lowerStatements(statements)
        lowering.finish()
        return (lowering.ir, lowering.diagnostics)
    }

    /// Sizes the set of grant facts for what the statements can produce (objects x
    /// privileges or columns x grantees per grant), so a large policy does not rehash a
    /// growing set of facts over and over (a third of lowering a million facts).
    mutating func reserveGrantFacts(_ statements: [Statement]) {
        // Doubles: the product of three counts from the input must not overflow.
        func estimate(_ privileges: PrivilegeList, _ objects: [ObjectRef], grantees: Int) -> Double {
            let perObject: Int
            switch privileges {
            case .all: perObject = 8
            case .list(let items): perObject = items.reduce(0) { $0 + ($1.columns?.count ?? 1) }
            }
            return Double(perObject) * Double(objects.count) * Double(grantees)
        }
        var facts = 0.0
        for statement in statements {
            switch statement {
            case .principal(let decl):
                for case .grant(let privileges, let objects, _, _) in decl.items {
                    facts += estimate(privileges, objects, grantees: decl.names.count)
                }
            case .grant(let stmt) where !stmt.isRevoke:
                facts += estimate(stmt.privileges, stmt.objects, grantees: stmt.grantees.count)
            default:
                break
            }
        }
        // Capped: an absurd estimate must not become an absurd allocation (the set still
        // grows if needed, and untouched reserved pages cost no memory).
        let capacity = Int(min(facts, Double(1 << 24)))
        grants.reserveCapacity(capacity)
    }

    mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
    mutating func report(_ list: [Diagnostic]) { diagnostics.append(contentsOf: list) }

    func position(_ range: SourceRange) -> String {
        DiagnosticRenderer(files: files).position(range) ?? "?"
    }

    // MARK: dialect blocks

    /// Keeps the statements of dialect blocks that name this target; notes the others.
    mutating func flatten(_ statements: [Statement]) -> [Statement] {
        var out: [Statement] = []
        for statement in statements {
            guard case .dialect(let names, let inner, let range) = statement else {
                out.append(statement)
                continue
            }
            var matches = false
            for name in names {
                let lower = name.text.lowercased()
                if !DialectRegistry.knownNames.contains(lower) {
                    report(.unknownDialect(name.text, at: name.range, known: DialectRegistry.knownNames.sorted(),
                                           suggestion: closest(to: lower, among: DialectRegistry.knownNames) ?? (lower.hasPrefix("postgres") || lower == "pg" ? "postgres" : nil)))
                }
                if lower == dialect.name { matches = true }
            }
            if matches {
                out.append(contentsOf: flatten(inner))
            } else {
                let list = names.map { $0.text.lowercased() }.joined(separator: ", ")
                notes.insert("statements for \(list) only (\(position(range))) are not part of this script")
            }
        }
        return out
    }

    // MARK: pass 1: declarations

    mutating func collectDeclarations(_ statements: [Statement]) {
        for statement in statements {
            switch statement {
            case .principal(let decl):
                for name in decl.names { declare(name, kind: decl.kind, external: decl.external) }
            case .absent(_, let names, _):
                for name in names {
                    if builtins.contains(name.text) { report(.builtinRedeclared(name.text, at: name.range)); continue }
                    checkReservedName(name)
                    if absentNames[name.text] == nil { absentNames[name.text] = name.range }
                }
            case .owner(let decl):
                checkIdentifier(decl.name)
                if decl.scope == .schema {
                    if let previous = schemaDecls[decl.name.text] {
                        report(.duplicateOwner("schema '\(decl.name.text)'", at: decl.name.range, previous: previous.name.range))
                    } else { schemaDecls[decl.name.text] = decl }
                } else {
                    if let previous = databaseDecls[decl.name.text] {
                        report(.duplicateOwner("database '\(decl.name.text)'", at: decl.name.range, previous: previous.name.range))
                    } else { databaseDecls[decl.name.text] = decl }
                }
            default:
                break
            }
        }
        for (name, range) in absentNames.sorted(by: { $0.value < $1.value }) {
            if let decl = declared[name] { report(.declaredAndAbsent(name, at: range, declared: decl.range)) }
        }
        // Names that differ only by case read as one name in unquoted SQL.
        var byFolded: [String: (String, SourceRange)] = [:]
        for (name, decl) in declared.sorted(by: { $0.value.range < $1.value.range }) {
            let folded = name.lowercased()
            if let other = byFolded[folded], other.0 != name {
                report(.caseCollision(name, other: other.0, at: decl.range, otherRange: other.1))
            } else { byFolded[folded] = (name, decl.range) }
        }
    }

    mutating func declare(_ name: Name, kind: PrincipalKind, external: Bool) {
        if builtins.contains(name.text) {
            report(.builtinRedeclared(name.text, at: name.range))
            return
        }
        checkReservedName(name)
        report(dialect.checkPrincipalName(name.text, created: !external, at: name.range))
        if let previous = declared[name.text] {
            report(.duplicatePrincipal(name.text, at: name.range, previous: previous.range))
            return
        }
        declared[name.text] = Declared(kind: kind, external: external, range: name.range)
    }

    mutating func checkReservedName(_ name: Name) {
        if name.text.lowercased() == "public" {
            report(.reservedName(name.text, at: name.range, why: "'public' is the pseudo-role of every principal"))
        }
    }

    mutating func checkIdentifier(_ name: Name) {
        report(dialect.checkIdentifier(name.text, at: name.range))
    }

    /// The principal a name refers to, or nil after reporting why it refers to none.
    mutating func resolve(_ name: Name) -> String? {
        if declared[name.text] != nil || builtins.contains(name.text) { return name.text }
        if let absentRange = absentNames[name.text] {
            report(.declaredAndAbsent(name.text, at: absentRange, declared: name.range))
            return nil
        }
        if let version = dialect.versions.first(where: { dialect.builtinRoles(version: $0).contains(name.text) }) {
            report(.builtinNotInVersion(name.text, dialect: dialect.displayName, version: target.version, since: version, at: name.range))
            return nil
        }
        if DialectRegistry.all.contains(where: { other in other.name != dialect.name && other.versions.contains { other.builtinRoles(version: $0).contains(name.text) } }) {
            report(.builtinNotInDialect(name.text, dialect: dialect.displayName, at: name.range))
            return nil
        }
        let candidates = Array(declared.keys) + Array(builtins)
        let suggestion = closest(to: name.text, among: candidates).map { match -> (String, String) in
            (match, declared[match].map { position($0.range) } ?? "built into \(dialect.displayName)")
        }
        report(.unknownPrincipal(name.text, at: name.range, suggestion: suggestion))
        return nil
    }

    mutating func resolveGrantee(_ grantee: Grantee) -> PrincipalRef? {
        switch grantee {
        case .publicRole: return .publicRole
        case .principal(let name):
            if name.text.lowercased() == "public" {
                report(.reservedName(name.text, at: name.range, why: "'public' is the pseudo-role of every principal; write it unquoted"))
                return nil
            }
            return resolve(name).map { PrincipalRef(name: $0) }
        }
    }

    // MARK: pass 2: statements

    mutating func lowerStatements(_ statements: [Statement]) {
        for statement in statements {
            switch statement {
            case .principal(let decl):
                for name in decl.names where declared[name.text]?.range == name.range {
                    lowerPrincipal(name, decl)
                }
            case .absent(let kind, let names, _):
                for name in names where !builtins.contains(name.text) {
                    ir.absent.append(IRAbsent(kind: kind, name: name.text))
                }
            case .owner(let decl):
                lowerOwner(decl)
            case .grant(let stmt):
                lowerGrantStatement(stmt)
            case .policy(let rules, _):
                for rule in rules { lowerRule(rule) }
            case .test(let block):
                lowerTest(block)
            case .dialect:
                break
            }
        }
    }

    mutating func lowerOwner(_ decl: OwnerDecl) {
        guard (decl.scope == .schema ? schemaDecls[decl.name.text] : databaseDecls[decl.name.text])?.range == decl.range else { return }
        if let owner = decl.ownedBy, let resolved = resolve(owner) {
            ir.ownerships.append(IROwnership(scope: decl.scope == .schema ? .schema : .database, name: decl.name.text, owner: resolved))
        }
        for creator in decl.createdBy { _ = resolve(creator) }
    }

    mutating func lowerPrincipal(_ name: Name, _ decl: PrincipalDecl) {
        let managed = !decl.external
        var p = IRPrincipal(name: name.text, kind: decl.kind, external: decl.external,
                            login: managed ? decl.kind == .user : nil,
                            superuser: managed ? false : nil, createdb: managed ? false : nil,
                            createrole: managed ? false : nil, replication: managed ? false : nil,
                            bypassrls: managed ? false : nil, inherit: managed ? true : nil,
                            connectionLimit: managed ? -1 : nil, validUntil: managed ? "infinity" : nil,
                            comment: managed ? "" : nil, hosts: [], passwordHashes: [], defaultRoles: nil)
        if decl.external && decl.kind == .user { p.login = nil }
        var inheritSetAt: (Bool, SourceRange)?
        var settingsSeen: [String: SourceRange] = [:]
        var passwordRange: SourceRange?
        var defaultRoleNames: [Name] = []
        let grantee = PrincipalRef(name: name.text)
        for item in decl.items {
            switch item {
            case .comment(let literal):
                report(dialect.checkFeature(.comment, version: target.version, at: literal.range))
                p.comment = literal.value
            case .memberOf(let roles, let options, let range):
                var admin = false
                var inherit: Bool?
                var set: Bool?
                for option in options {
                    switch option {
                    case .admin: admin = true
                    case .inherit(let value, let r):
                        report(dialect.checkFeature(.membershipInherit, version: target.version, at: r))
                        inherit = value
                    case .set(let value, let r):
                        report(dialect.checkFeature(.membershipSet, version: target.version, at: r))
                        set = value
                    }
                }
                for role in roles {
                    if role.text.lowercased() == "public" {
                        report(.publicAsMember(at: role.range))
                        continue
                    }
                    guard let resolved = resolve(role) else { continue }
                    if resolved == name.text {
                        report(.membershipCycle([name.text, name.text], at: role.range))
                        continue
                    }
                    addMembership(IRMembership(role: resolved, member: name.text, admin: admin, inherit: inherit, set: set), at: range)
                }
            case .attribute(let attribute):
                switch attribute {
                case .flag(let flag, let r):
                    report(dialect.checkFeature(.attribute(flag), version: target.version, at: r))
                    switch flag {
                    case .login: p.login = true
                    case .superuser: p.superuser = true
                    case .createdb: p.createdb = true
                    case .createrole: p.createrole = true
                    case .replication: p.replication = true
                    case .bypassrls: p.bypassrls = true
                    case .inherit, .noinherit:
                        let value = flag == .inherit
                        if let previous = inheritSetAt, previous.0 != value {
                            report(.conflictingAttribute(flag.rawValue, at: r, previous: previous.1))
                        }
                        inheritSetAt = (value, r)
                        p.inherit = value
                    }
                case .connectionLimit(let value, let r):
                    report(dialect.checkFeature(.connectionLimit(decl.kind), version: target.version, at: r))
                    p.connectionLimit = value
                case .validUntil(let literal, let r):
                    report(dialect.checkFeature(.validUntil, version: target.version, at: r))
                    if !Lowering.isTimestamp(literal.value) {
                        report(.invalidValue("timestamp '\(literal.value)'", at: literal.range,
                                             help: "write 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS' (optionally with a zone) or 'infinity'"))
                    }
                    p.validUntil = literal.value
                }
            case .grant(let privileges, let objects, let withGrantOption, let range):
                addGrants(privileges, objects, grantees: [grantee], grantable: withGrantOption, revoke: false, range: range)
            case .profile(let profileName, let objects, let range):
                lowerProfile(profileName, objects, grantee: grantee, range: range)
            case .setting(let settingName, let values, let database, let range):
                report(dialect.checkFeature(.roleSetting, version: target.version, at: range))
                let key = settingName.text.lowercased() + "\u{0}" + (database?.text ?? "")
                if let previous = settingsSeen[key] {
                    report(.duplicateSetting(settingName.text, at: settingName.range, previous: previous))
                    continue
                }
                settingsSeen[key] = settingName.range
                if let database { checkIdentifier(database) }
                let rendered = values.map { value -> String in
                    switch value {
                    case .string(let s), .name(let s), .integer(let s): return s
                    }
                }
                ir.settings.append(IRSetting(role: name.text, database: database?.text, name: settingName.text.lowercased(), values: rendered))
            case .host(let hosts, let range):
                if decl.kind != .user { report(.userItemOnRole("host", at: range)) }
                for host in hosts { report(dialect.checkFeature(.host(host.value), version: target.version, at: host.range)) }
                p.hosts.append(contentsOf: hosts.map(\.value))
            case .passwordHash(let verifiers, let range):
                passwordRange = range
                for verifier in verifiers where !Lowering.looksLikeVerifier(verifier.value) {
                    report(.plaintextPassword(at: verifier.range))
                }
                p.passwordHashes.append(contentsOf: verifiers.map(\.value))
            case .defaultRole(let spec, let range):
                if decl.kind != .user { report(.userItemOnRole("default role", at: range)) }
                report(dialect.checkFeature(.defaultRole, version: target.version, at: range))
                switch spec {
                case .all: p.defaultRoles = .all
                case .none: p.defaultRoles = DefaultRoleSpec.none
                case .names(let names):
                    p.defaultRoles = .roles(names.compactMap { resolve($0) })
                    defaultRoleNames = names
                }
            }
        }
        for role in defaultRoleNames where memberships[role.text + "\u{0}" + name.text] == nil {
            if declared[role.text] != nil || builtins.contains(role.text) { report(.defaultRoleNotMember(role.text, user: name.text, at: role.range)) }
        }
        if let range = passwordRange {
            if p.login == false { report(.passwordOnRole(at: range)) }
            if p.passwordHashes.allSatisfy(Lowering.looksLikeVerifier) {
                let (_, problems) = dialect.choosePassword(p.passwordHashes, at: range)
                report(problems)
            }
        }
        ir.principals.append(p)
    }

    mutating func addMembership(_ membership: IRMembership, at range: SourceRange) {
        let key = membership.role + "\u{0}" + membership.member
        if var existing = memberships[key] {
            existing.admin = existing.admin || membership.admin
            existing.inherit = membership.inherit ?? existing.inherit
            existing.set = membership.set ?? existing.set
            memberships[key] = existing
        } else {
            memberships[key] = membership
            membershipOrigins[membership] = range
        }
    }

    // MARK: grants

    mutating func lowerGrantStatement(_ stmt: GrantStmt) {
        var grantees: [PrincipalRef] = []
        for grantee in stmt.grantees {
            if let resolved = resolveGrantee(grantee) {
                if resolved == .publicRole && stmt.withGrantOption { report(.grantOptionToPublic(at: grantee.range)) }
                if resolved == .publicRole {
                    let problems = dialect.checkFeature(.publicGrantee(revoke: stmt.isRevoke), version: target.version, at: grantee.range)
                    report(problems)
                    if problems.contains(where: \.isError) { continue }
                }
                grantees.append(resolved)
            }
        }
        addGrants(stmt.privileges, stmt.objects, grantees: grantees, grantable: stmt.withGrantOption, revoke: stmt.isRevoke, range: stmt.range)
    }

    /// What an object reference stands for after lowering.
    enum ObjectSpec {
        case concrete(IRObject, ObjectClass)
        case bulk(BulkKind, BulkScope, schema: String?)
    }

    /// Lower-case names of the privileges a capability table does not refuse, for hints.
    static func usable(_ table: [String: Capability]) -> [String] {
        table.filter { if case .unsupported = $0.value { return false } else { return true } }.keys.sorted().map { $0.lowercased() }
    }

    static func objectClass(of kind: BulkKind) -> ObjectClass {
        switch kind {
        case .tables: return .table
        case .sequences: return .sequence
        case .functions, .routines: return .function
        case .procedures: return .procedure
        }
    }

    mutating func lowerObject(_ ref: ObjectRef) -> ObjectSpec? {
        func qualified(_ q: QualifiedName) -> (String?, String) {
            if let schema = q.schema { checkIdentifier(schema) } else {
                report(dialect.checkFeature(.unqualifiedObject, version: target.version, at: q.name.range))
            }
            checkIdentifier(q.name)
            return (q.schema?.text, q.name.text)
        }
        let spec: ObjectSpec
        switch ref.kind {
        case .database(let name):
            checkIdentifier(name)
            spec = .concrete(.database(name.text), .database)
        case .schema(let name):
            checkIdentifier(name)
            spec = .concrete(.schema(name.text), .schema)
        case .server:
            spec = .concrete(.server, .server)
        case .relation(let kind, let q):
            let (schema, name) = qualified(q)
            spec = .concrete(.relation(kind, schema: schema, name: name), kind == .sequence ? .sequence : kind == .view ? .view : .table)
        case .routine(let kind, let q, let arguments):
            let (schema, name) = qualified(q)
            spec = .concrete(.routine(kind, schema: schema, name: name, arguments: arguments), kind == .function ? .function : .procedure)
        case .bulk(let kind, let scope, let schema):
            if let schema { checkIdentifier(schema) } else {
                let problems = dialect.checkFeature(.databaseWideBulk(kind), version: target.version, at: ref.range)
                report(problems)
                if problems.contains(where: \.isError) { return nil }
            }
            let problems = dialect.checkFeature(.bulkScope(scope, kind), version: target.version, at: ref.range)
            report(problems)
            if problems.contains(where: \.isError) { return nil }
            spec = .bulk(kind, scope, schema: schema?.text)
        }
        let objectClass: ObjectClass
        switch spec {
        case .concrete(_, let c): objectClass = c
        case .bulk(let kind, _, _): objectClass = Lowering.objectClass(of: kind)
        }
        let problems = dialect.checkFeature(.object(objectClass), version: target.version, at: ref.range)
        report(problems)
        return problems.contains(where: \.isError) ? nil : spec
    }

    /// Canonical (privilege, column) pairs valid on the class, or reports why not.
    /// `granting` false (rules and tests): a privilege the dialect cannot grant is still a
    /// valid thing to forbid or to expect, so it is kept without an error.
    mutating func lowerPrivileges(_ list: PrivilegeList, on objectClass: ObjectClass, objectRange: SourceRange, granting: Bool = true) -> [(String, String?)] {
        let table = dialect.privileges(on: objectClass, version: target.version)
        switch list {
        case .all:
            for (privilege, capability) in table.sorted(by: { $0.key < $1.key }) {
                if case .implied(let why) = capability { notes.insert("\(privilege) on \(objectClass.rawValue): \(why)") }
            }
            return table.filter { if case .rendered = $0.value { return true } else { return false } }.keys.sorted().map { ($0, nil) }
        case .list(let items):
            var out: [(String, String?)] = []
            for item in items {
                let upper = item.name.uppercased()
                let canonical = dialect.privilegeAliases[upper] ?? upper
                if canonical == "ALL" || canonical == "ALL PRIVILEGES" {
                    report(.allPrivilegesWithColumns(at: item.range))
                    continue
                }
                if let columns = item.columns {
                    guard objectClass == .table || objectClass == .view else {
                        report(.columnsNotAllowed(kind: objectClass.rawValue, at: item.range))
                        continue
                    }
                    let columnTable = dialect.privileges(on: .column, version: target.version)
                    guard let capability = columnTable[canonical] else {
                        if table[canonical] != nil { report(.columnPrivilegeInvalid(item.name, at: item.range)) } else {
                            report(.invalidPrivilege(item.name, kind: objectClass.rawValue, valid: Lowering.usable(table),
                                                     at: item.range, suggestion: closest(to: item.name, among: Lowering.usable(table))))
                        }
                        continue
                    }
                    guard accept(capability, privilege: item.name, kind: "columns", at: item.range) else { continue }
                    for column in columns {
                        checkIdentifier(column)
                        out.append((canonical, column.text))
                    }
                    continue
                }
                guard let capability = table[canonical] else {
                    let valid = Lowering.usable(table)
                    report(.invalidPrivilege(item.name, kind: objectClass.rawValue, valid: valid, at: item.range,
                                             suggestion: closest(to: item.name, among: valid)))
                    continue
                }
                if !granting || accept(capability, privilege: item.name, kind: objectClass.rawValue, at: item.range) { out.append((canonical, nil)) }
            }
            return out
        }
    }

    /// Applies a capability verdict: true when the privilege is to be rendered.
    mutating func accept(_ capability: Capability, privilege: String, kind: String, at range: SourceRange) -> Bool {
        switch capability {
        case .rendered: return true
        case .implied(let why):
            notes.insert("\(privilege) on \(kind): \(why)")
            return false
        case .unsupported(let hint):
            report(.unsupported("privilege '\(privilege)' on \(kind)", dialect: "\(dialect.displayName) \(target.version)", at: range, hint: hint))
            return false
        }
    }

    mutating func addGrants(_ privileges: PrivilegeList, _ objects: [ObjectRef], grantees: [PrincipalRef], grantable: Bool, revoke: Bool, range: SourceRange) {
        // The pairs depend only on the list and the object class. A call that reported
        // nothing has no effect but its result (its notes are a set), so it is reused for
        // the next objects of that class instead of being worked out once per object.
        var reusable: (objectClass: ObjectClass, pairs: [(String, String?)])?
        for object in objects {
            guard let spec = lowerObject(object) else { continue }
            let objectClass: ObjectClass
            switch spec {
            case .concrete(_, let c): objectClass = c
            case .bulk(let kind, _, _): objectClass = Lowering.objectClass(of: kind)
            }
            let pairs: [(String, String?)]
            if let reusable, reusable.objectClass == objectClass {
                pairs = reusable.pairs
            } else {
                let reported = diagnostics.count
                pairs = lowerPrivileges(privileges, on: objectClass, objectRange: object.range)
                reusable = diagnostics.count == reported ? (objectClass, pairs) : nil
            }
            emit(pairs, spec, grantees: grantees, grantable: grantable, revoke: revoke, range: range, objectRange: object.range)
        }
    }

    mutating func emit(_ pairs: [(String, String?)], _ spec: ObjectSpec, grantees: [PrincipalRef], grantable: Bool, revoke: Bool,
                       range: SourceRange, objectRange: SourceRange) {
        guard !pairs.isEmpty, !grantees.isEmpty else { return }
        switch spec {
        case .concrete(let object, _):
            if revoke {
                for grantee in grantees {
                    for (privilege, column) in pairs {
                        addFact(IRGrant(grantee: grantee, privilege: privilege, object: object, column: column, grantable: grantable), revoke: revoke, range: range)
                    }
                }
            } else {
                // One intern per object, grantee and pair; one 16-byte fact each.
                let o = grants.objectId(object)
                let r = grants.rangeId(range)
                let ids = pairs.map { (grants.privilegeId($0.0), grants.columnId($0.1)) }
                for grantee in grantees {
                    let g = grants.granteeId(grantee)
                    for (p, c) in ids {
                        grants.add(GrantFactStore.Fact(object: o, grantee: g, column: c, privilege: p, grantable: grantable), range: r)
                    }
                }
            }
        case .bulk(let kind, let scope, let schema):
            if scope != .future {
                let schemas = schema.map { [$0] } ?? schemaDecls.keys.sorted()
                if schemas.isEmpty {
                    report(scope == .existing ? .noSchemaForExisting(kind.rawValue, at: objectRange, severity: .error)
                                              : .noSchemaForExisting(kind.rawValue, at: objectRange, severity: .warning))
                }
                for s in schemas {
                    for grantee in grantees {
                        for (privilege, _) in pairs {
                            addFact(IRGrant(grantee: grantee, privilege: privilege, object: .allInSchema(kind, schema: s), column: nil, grantable: grantable),
                                    revoke: revoke, range: range)
                        }
                    }
                }
            }
            if scope != .existing && dialect.futureObjectsNeedDefaultPrivileges {
                if !revoke { report(dialect.checkFeature(.defaultPrivileges(kind), version: target.version, at: objectRange)) }
                if revoke, grantees.contains(.publicRole), schema != nil {
                    report(dialect.checkFeature(.schemaDefaultRevokeFromPublic(kind, privileges: pairs.map(\.0)), version: target.version, at: objectRange))
                }
                let defaultKind: DefaultObjectKind
                switch kind {
                case .tables: defaultKind = .tables
                case .sequences: defaultKind = .sequences
                case .functions, .routines, .procedures: defaultKind = .functions
                }
                for creator in creators(forSchema: schema, at: objectRange) {
                    for grantee in grantees {
                        for (privilege, _) in pairs {
                            let fact = IRDefaultGrant(creator: creator, schema: schema, kind: defaultKind, grantee: grantee, privilege: privilege, grantable: grantable)
                            if revoke {
                                if defaultRevokes.insert(fact).inserted { defaultRevokeOrigins[fact] = range }
                            } else if defaultGrants.insert(fact).inserted { defaultGrantOrigins[fact] = range }
                        }
                    }
                }
            }
        }
    }

    mutating func addFact(_ fact: IRGrant, revoke: Bool, range: SourceRange) {
        if revoke {
            if revokes.insert(fact).inserted { revokeOrigins[fact] = range }
        } else {
            let o = grants.objectId(fact.object), r = grants.rangeId(range)
            grants.add(GrantFactStore.Fact(object: o, grantee: grants.granteeId(fact.grantee), column: grants.columnId(fact.column),
                                           privilege: grants.privilegeId(fact.privilege), grantable: fact.grantable), range: r)
        }
    }

    /// Roles whose future objects get default privileges: `created by`, else the owner,
    /// else the role running the script (nil), with a warning.
    mutating func creators(forSchema schema: String?, at range: SourceRange) -> [String?] {
        var names: [Name] = []
        if let schema {
            if let decl = schemaDecls[schema] { names = decl.createdBy.isEmpty ? (decl.ownedBy.map { [$0] } ?? []) : decl.createdBy }
        } else {
            for decl in databaseDecls.values.sorted(by: { $0.name.text < $1.name.text }) {
                names.append(contentsOf: decl.createdBy.isEmpty ? (decl.ownedBy.map { [$0] } ?? []) : decl.createdBy)
            }
        }
        let resolved = names.filter { declared[$0.text] != nil || builtins.contains($0.text) }.map(\.text)
        if resolved.isEmpty {
            let scope = schema.map { "schema \($0)" } ?? "the database"
            if warnedFutureScopes.insert(scope).inserted { report(.futureWithoutCreator(scope, at: range)) }
            return [nil]
        }
        return Array(Set(resolved)).sorted().map { Optional($0) }
    }

    mutating func lowerProfile(_ profileName: Name, _ objects: [ObjectRef], grantee: PrincipalRef, range: SourceRange) {
        guard let profile = Profile(rawValue: profileName.text.lowercased()) else {
            report(.unknownProfile(profileName.text, at: profileName.range, suggestion: closest(to: profileName.text, among: Profile.allCases.map(\.rawValue))))
            return
        }
        let expansion = dialect.expandProfile(profile, version: target.version, at: profileName.range)
        if let warning = expansion.warning { report(warning) }
        for object in objects {
            guard case .schema(let schemaName) = object.kind else {
                report(.profileObject(profile.rawValue, at: object.range))
                continue
            }
            checkIdentifier(schemaName)
            for grant in expansion.grants {
                let spec: ObjectSpec
                let objectClass: ObjectClass
                switch grant.target {
                case .schema:
                    spec = .concrete(.schema(schemaName.text), .schema)
                    objectClass = .schema
                case .all(let kind):
                    spec = .bulk(kind, .both, schema: schemaName.text)
                    objectClass = Lowering.objectClass(of: kind)
                }
                let table = dialect.privileges(on: objectClass, version: target.version)
                let pairs = grant.privileges.filter { if case .rendered = table[$0] { return true } else { return false } }.map { ($0, String?.none) }
                emit(pairs, spec, grantees: [grantee], grantable: false, revoke: false, range: range, objectRange: object.range)
            }
        }
    }

    // MARK: rules and tests (analysed by `check` and `test`)

    mutating func lowerRule(_ rule: Rule) {
        let before = ir.rules.count
        lowerRuleBody(rule)
        if ir.rules.count > before { ir.ruleRanges.append(rule.range) }
    }

    mutating func lowerRuleBody(_ rule: Rule) {
        switch rule {
        case .separate(let names, _):
            ir.rules.append(.separate(names.compactMap { resolve($0) }))
        case .forbidPrivileges(let privileges, let objects, let except, _):
            var names: [String] = []
            var lowered: [IRObject] = []
            for object in objects {
                guard let spec = lowerObject(object) else { continue }
                switch spec {
                case .concrete(let o, let c):
                    lowered.append(o)
                    names.append(contentsOf: lowerPrivileges(privileges, on: c, objectRange: object.range, granting: false).map(\.0))
                case .bulk(let kind, _, let schema):
                    if let schema { lowered.append(.allInSchema(kind, schema: schema)) }
                    names.append(contentsOf: lowerPrivileges(privileges, on: Lowering.objectClass(of: kind), objectRange: object.range, granting: false).map(\.0))
                }
            }
            ir.rules.append(.forbid(privileges: Array(Set(names)).sorted(), objects: lowered, except: except.compactMap { resolve($0) }))
        case .forbidAttribute(let attribute, let except, _):
            ir.rules.append(.forbidAttribute(attribute.text.lowercased(), except: except.compactMap { resolve($0) }))
        case .limitMembers(let role, let count, _):
            if let resolved = resolve(role) { ir.rules.append(.limitMembers(role: resolved, count: count)) }
        case .protect(let names, _):
            ir.rules.append(.protect(names.compactMap { resolve($0) }))
        case .allow(let code, let principals, _):
            let upper = code.text.uppercased()
            let lints = Diagnostic.lintCatalog.map(\.code)
            if !lints.contains(upper) { report(.allowNotALint(code.text, at: code.range)) }
            ir.rules.append(.allow(code: upper, principals: principals.compactMap { $0.text.lowercased() == "public" ? "public" : resolve($0) }))
        }
    }

    mutating func lowerTest(_ block: TestBlock) {
        var expectations: [IRTest.Expectation] = []
        for expectation in block.expectations {
            switch expectation {
            case .can(let principal, let positive, let privileges, let object, _):
                guard let who = resolve(principal), let spec = lowerObject(object) else { continue }
                switch spec {
                case .concrete(let o, let c):
                    let names = lowerPrivileges(privileges, on: c, objectRange: object.range, granting: false).map(\.0)
                    expectations.append(.privilege(principal: who, can: positive, privileges: names, object: o))
                case .bulk(let kind, _, let schema):
                    let names = lowerPrivileges(privileges, on: Lowering.objectClass(of: kind), objectRange: object.range, granting: false).map(\.0)
                    if let schema { expectations.append(.privilege(principal: who, can: positive, privileges: names, object: .allInSchema(kind, schema: schema))) }
                }
            case .member(let principal, let positive, let role, _):
                if let who = resolve(principal), let group = resolve(role) {
                    expectations.append(.member(principal: who, isMember: positive, role: group))
                }
            }
        }
        ir.tests.append(IRTest(title: block.title.value, expectations: expectations))
    }

    // MARK: finishing: cycles, contradictions, sorting

    mutating func finish() {
        ir.memberships = memberships.values.sorted()
        findCycles()
        grants.seal()
        var contradictions: [(revoke: IRGrant, grant: IRGrant)] = []
        for fact in revokes.sorted() {
            var asGrant = fact
            asGrant.grantable = false
            var withOption = fact
            withOption.grantable = true
            for candidate in [asGrant, withOption] where grants.contains(candidate) {
                contradictions.append((fact, candidate))
            }
        }
        if !contradictions.isEmpty {
            for (fact, candidate) in contradictions {
                report(.contradiction("\(fact.privilege.lowercased()) on \(fact.object.display) for \(fact.grantee.display)",
                                      at: revokeOrigins[fact] ?? .none, other: grants.origin(of: candidate) ?? .none))
            }
        }
        for fact in defaultRevokes.sorted() {
            for grantable in [false, true] {
                var candidate = fact
                candidate.grantable = grantable
                if defaultGrants.contains(candidate) {
                    report(.contradiction("\(fact.privilege.lowercased()) on future \(fact.kind.rawValue)\(fact.schema.map { " in schema \($0)" } ?? "") for \(fact.grantee.display)",
                                          at: defaultRevokeOrigins[fact] ?? .none, other: defaultGrantOrigins[candidate] ?? .none))
                }
            }
        }
        // A privilege granted both with and without grant option is one fact: the stronger one.
        // Only a fact with grant option can make another redundant: without any, keep all.
        let (sortedGrants, ranks) = grants.sortedFactsWithRanks(strongest: grants.anyGrantable)
        ir.grants = sortedGrants
        ir.grantRanks.ranks = ranks
        ir.defaultGrants = defaultGrants.filter { g in
            var strong = g
            strong.grantable = true
            return g.grantable || !defaultGrants.contains(strong)
        }.sorted()
        ir.revokes = IRGrant.sortedFacts(revokes)
        ir.defaultRevokes = defaultRevokes.sorted()
        ir.principals.sort()
        ir.ownerships.sort()
        ir.settings.sort()
        ir.absent = Array(Set(ir.absent)).sorted()
        ir.notes = notes.sorted()
    }

    mutating func findCycles() {
        var edges: [String: [IRMembership]] = [:]
        for m in ir.memberships { edges[m.member, default: []].append(m) }
        var state: [String: Int] = [:]   // 1 visiting, 2 done
        var stack: [String] = []
        var reported: Set<String> = []
        func visit(_ node: String, _ lowering: inout Lowering) {
            state[node] = 1
            stack.append(node)
            for edge in edges[node] ?? [] {
                switch state[edge.role] {
                case 1:
                    if let start = stack.firstIndex(of: edge.role) {
                        let cycle = Array(stack[start...]) + [edge.role]
                        let key = Set(cycle).sorted().joined(separator: ",")
                        if reported.insert(key).inserted {
                            lowering.report(.membershipCycle(cycle, at: lowering.membershipOrigins[edge] ?? .none))
                        }
                    }
                case nil:
                    visit(edge.role, &lowering)
                default:
                    break
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for node in edges.keys.sorted() where state[node] == nil { visit(node, &self) }
    }

    // MARK: value checks

    /// A pre-hashed verifier of any dialect rolec knows; anything else looks like plaintext.
    static func looksLikeVerifier(_ value: String) -> Bool {
        PasswordVerifier.kind(of: value) != nil
    }

    static func isTimestamp(_ value: String) -> Bool {
        if value == "infinity" { return true }
        let bytes = Array(value.utf8)
        guard bytes.count >= 10 else { return false }
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { bytes[$0] >= 48 && bytes[$0] <= 57 } }
        guard digits(0..<4), bytes[4] == UInt8(ascii: "-"), digits(5..<7), bytes[7] == UInt8(ascii: "-"), digits(8..<10) else { return false }
        let allowed = Set("0123456789:+-. TZUTC".utf8)
        return bytes[10...].allSatisfy { allowed.contains($0) }
    }
}
