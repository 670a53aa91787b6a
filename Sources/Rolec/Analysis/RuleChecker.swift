/// Checks the `policy { ... }` rules against effective access: separation of duties,
/// forbidden privileges and attributes, and membership limits. `protect` is used by
/// migrations; here its names are only resolved (by lowering).
public enum RuleChecker {
    public static func check(_ ir: PolicyIR) -> [Diagnostic] {
        let access = EffectiveAccess(ir: ir)
        var out: [Diagnostic] = []
        let names = ir.principals.map(\.name)
        for (index, rule) in ir.rules.enumerated() {
            let range = index < ir.ruleRanges.count ? ir.ruleRanges[index] : .none
            switch rule {
            case .separate(let roles):
                for principal in names {
                    // Holding a separated role: being it, or being a member of it.
                    let held = roles.compactMap { role -> (String, String)? in
                        if role == principal { return (role, "is \(role)") }
                        guard let path = access.membershipPath(principal, of: role) else { return nil }
                        return (role, path.count > 1 ? "member of \(role) through \(path.dropLast().joined(separator: " -> "))" : "member of \(role)")
                    }
                    if held.count >= 2 {
                        out.append(.separationViolated(principal, roles: held.map(\.0), paths: held.map(\.1), at: range))
                    }
                }
            case .forbid(let privileges, let objects, let except):
                let allowed = Set(except)
                for principal in names where !allowed.contains(principal) {
                    for object in objects {
                        for privilege in privileges {
                            let paths = access.paths(principal, privilege, on: object).filter { path in
                                path.via.allSatisfy { !allowed.contains($0) }
                                    && !{ if case .grant(let g, _, _) = path.source, let n = g.name { return allowed.contains(n) } else { return false } }()
                            }
                            if let path = paths.first {
                                out.append(.forbiddenHeld(principal, privilege: privilege, object: object.display, path: path.explain(principal), at: range))
                            }
                        }
                    }
                }
            case .forbidAttribute(let attribute, let except):
                for p in ir.principals where !except.contains(p.name) && RuleChecker.has(p, attribute) {
                    out.append(.forbiddenAttribute(p.name, attribute: attribute, at: range))
                }
            case .limitMembers(let role, let limit):
                let members = ir.principals.filter { p in
                    (p.kind == .user || p.login == true) && p.name != role && access.membershipPath(p.name, of: role) != nil
                }.map(\.name).sorted()
                if members.count > limit {
                    out.append(.memberLimitExceeded(role, limit: limit, members: members, at: range))
                }
            case .protect, .allow:
                break
            }
        }
        return out
    }

    static func has(_ p: IRPrincipal, _ attribute: String) -> Bool {
        switch attribute {
        case "superuser": return p.superuser == true
        case "createdb": return p.createdb == true
        case "createrole": return p.createrole == true
        case "replication": return p.replication == true
        case "bypassrls": return p.bypassrls == true
        case "login": return p.login == true
        case "inherit": return p.inherit == true
        case "noinherit": return p.inherit == false
        default: return false
        }
    }
}
