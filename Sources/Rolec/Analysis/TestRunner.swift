/// Runs a policy's `test` blocks statically against its effective access.
public enum TestRunner {
    public struct Result: Sendable {
        public var test: String
        public var expectation: String
        public var passed: Bool
        /// Why it failed, with the path that causes it (or the lack of one).
        public var explanation: String?
    }

    public static func run(_ ir: PolicyIR) -> [Result] {
        let access = EffectiveAccess(ir: ir)
        var results: [Result] = []
        for test in ir.tests {
            for expectation in test.expectations {
                switch expectation {
                case .privilege(let principal, let can, let privileges, let object):
                    let text = "expect \(principal) \(can ? "can" : "cannot") \(privileges.map { $0.lowercased() }.joined(separator: ", ")) on \(object.display)"
                    var problems: [String] = []
                    for privilege in privileges {
                        let paths = access.paths(principal, privilege, on: object)
                        if can && paths.isEmpty {
                            problems.append("\(principal) cannot \(privilege.lowercased()) on \(object.display): no grant reaches it")
                        } else if !can, let path = paths.first {
                            problems.append("\(principal) can \(privilege.lowercased()) on \(object.display): \(path.explain(principal))")
                        }
                    }
                    results.append(Result(test: test.title, expectation: text, passed: problems.isEmpty,
                                          explanation: problems.isEmpty ? nil : problems.joined(separator: "\n")))
                case .member(let principal, let isMember, let role):
                    let text = "expect \(principal) \(isMember ? "" : "not ")member of \(role)"
                    let path = access.membershipPath(principal, of: role)
                    var explanation: String?
                    if isMember && path == nil { explanation = "\(principal) is not a member of \(role), directly or through other roles" }
                    if !isMember, let path {
                        explanation = "\(principal) is a member of \(role)" + (path.count > 1 ? " through \(path.dropLast().joined(separator: " -> "))" : " directly")
                    }
                    results.append(Result(test: test.title, expectation: text, passed: explanation == nil, explanation: explanation))
                }
            }
        }
        return results
    }
}
