/// What a change does to login principals' effective access, in plain words, and the
/// reasons `rolec migrate` refuses it (exit 4) without `--accept-loss`.
/// PLACEHOLDER API: being implemented.
public struct AccessDelta: Hashable, Sendable, Codable {
    public var principal: String
    /// Canonical privilege name (SELECT ...), or "LOGIN"/"MEMBER" for non-object losses.
    public var privilege: String
    public var object: IRObject?
    public var column: String?
    /// The path in plain words ("via orders_rw"), from the IR where the access existed.
    public var via: String
    /// The whole sentence: "svc_orders loses INSERT on table sales.orders, was via orders_rw".
    public var text: String
}

public struct AccessChange: Sendable {
    /// Reductions of login principals' effective privileges.
    public var losses: [AccessDelta] = []
    /// Additions, for the log.
    public var gains: [AccessDelta] = []
    /// Why `migrate` refuses the change without `--accept-loss` (empty: it may go ahead).
    public var refusals: [String] = []

    /// `newSyntax`: the parsed new policy (its lints find inert grants).
    public static func analyse(old: PolicyIR, new: PolicyIR, changes: ChangeSet, newSyntax: [PolicyAST]) -> AccessChange {
        AccessChange()
    }
}
