/// What a backend knows and does. Capabilities are data (tables), not scattered
/// conditionals: lowering asks the target, never switches on a dialect's identity.

/// Object classes that privileges are validated against.
public enum ObjectClass: String, Hashable, Sendable, CaseIterable {
    case database, schema, server, table, view, sequence, function, procedure, column
}

/// How a (privilege, object class) pair fares in one dialect.
public enum Capability: Hashable, Sendable {
    /// Rendered as a statement.
    case rendered
    /// Needs no statement; the output carries a `--` note saying why.
    case implied(String)
    /// An error naming the dialect, with this hint.
    case unsupported(String)
}

/// The privileges a profile stands for, on one schema.
public struct ProfileGrant: Hashable, Sendable {
    public enum Target: Hashable, Sendable {
        case schema
        case all(BulkKind)
    }
    public var privileges: [String]
    public var target: Target
    public init(_ privileges: [String], on target: Target) {
        self.privileges = privileges
        self.target = target
    }
}

public struct ProfileExpansion: Sendable {
    public var grants: [ProfileGrant]
    /// A warning to attach to the profile's use (for example a fallback on an older server).
    public var warning: Diagnostic?
    public init(grants: [ProfileGrant], warning: Diagnostic? = nil) {
        self.grants = grants
        self.warning = warning
    }
}

public enum Profile: String, CaseIterable, Sendable { case readonly, readwrite, maintenance, admin }

/// A compile target: a dialect at one server version.
public struct Target: Sendable {
    public let dialect: any Dialect
    public let version: String
    public init(dialect: any Dialect, version: String) {
        self.dialect = dialect
        self.version = version
    }
}

public struct RenderOptions: Sendable {
    public enum Phase: String, Sendable { case principals, privileges }
    public var phase: Phase?
    public var transaction: Bool = true
    /// Source files (path, sha256) for the header.
    public var sources: [(path: String, sha256: String)] = []
    public init(phase: Phase? = nil, transaction: Bool = true, sources: [(path: String, sha256: String)] = []) {
        self.phase = phase
        self.transaction = transaction
        self.sources = sources
    }
}

public protocol Dialect: Sendable {
    /// The name used on the command line and in `dialect` blocks.
    var name: String { get }
    var displayName: String { get }
    var versions: [String] { get }
    var defaultVersion: String { get }

    /// Privileges valid on an object class, with their fate; keys are canonical upper-case names.
    func privileges(on objectClass: ObjectClass, version: String) -> [String: Capability]
    /// Alternative spellings mapped to canonical names (`TEMP` -> `TEMPORARY`).
    var privilegeAliases: [String: String] { get }
    /// Roles the server provides without declaration.
    func builtinRoles(version: String) -> Set<String>
    func expandProfile(_ profile: Profile, version: String, at range: SourceRange) -> ProfileExpansion
    /// Problems with a principal name (`created`: rolec would create it).
    func checkPrincipalName(_ name: String, created: Bool, at range: SourceRange) -> [Diagnostic]
    /// Problems with any other identifier (schema, table, column ...).
    func checkIdentifier(_ name: String, at range: SourceRange) -> [Diagnostic]
    /// Problems with a construct the dialect may not support (membership options, settings, ...).
    func checkFeature(_ feature: Feature, version: String, at range: SourceRange) -> [Diagnostic]
    /// Whether future objects need default privileges of their own (PostgreSQL), or are
    /// covered by the grant on the schema itself (MySQL's `db.*`).
    var futureObjectsNeedDefaultPrivileges: Bool { get }
    /// Whether the server gives `privilege` on `object` to PUBLIC by itself, before any
    /// policy (PostgreSQL: CONNECT and TEMPORARY on databases, EXECUTE on routines, USAGE
    /// on schema public). A migration undoes a declared revoke of it by granting it back.
    func publicHoldsByDefault(_ privilege: String, on object: IRObject) -> Bool
    /// The same for future objects (default privileges): PostgreSQL's EXECUTE on functions.
    func publicHoldsByDefault(_ privilege: String, onFuture kind: DefaultObjectKind) -> Bool
    /// Chooses the verifier this dialect takes, or reports why none fits.
    func choosePassword(_ verifiers: [String], at range: SourceRange) -> (String?, [Diagnostic])
    /// Renders the IR as a script.
    func render(_ ir: PolicyIR, options: RenderOptions) -> String
    /// Renders SQL that changes nothing and fails (an error naming every difference it
    /// found) when the live database does not hold what the IR declares (`rolec verify`).
    func renderVerification(_ ir: PolicyIR, options: RenderOptions) -> String
    /// Renders one direction of a migration: `changes` are already ordered (see
    /// `Change.step`) and run from `context.before` to `context.after`. No header and no
    /// transaction control: the migration format adds those as its tool expects.
    func renderMigration(_ changes: [Change], context: MigrationContext) -> [MigrationSection]
}

/// Constructs whose support varies by dialect or version.
public enum Feature: Sendable {
    case membershipInherit, membershipSet
    case roleSetting
    case bulkScope(BulkScope, BulkKind)
    case defaultPrivileges(BulkKind)
    /// One host of a user account (MySQL/MariaDB `'user'@'host'`).
    case host(String)
    case defaultRole
    case attribute(AttributeKind)
    case connectionLimit(PrincipalKind)
    case validUntil
    case comment
    /// Privileges on a whole object class (for example `server`).
    case object(ObjectClass)
    /// `all KIND` without `in schema`: every schema of the database.
    case databaseWideBulk(BulkKind)
    /// A grant (or revoke) naming the PUBLIC pseudo-role.
    case publicGrantee(revoke: Bool)
    /// A table, view, sequence or routine named without its schema.
    case unqualifiedObject
    /// `revoke PRIVILEGES on all [future] KIND in schema S from public`.
    case schemaDefaultRevokeFromPublic(BulkKind, privileges: [String])
}

/// THE list of dialects. A new dialect is one line here.
public enum DialectRegistry {
    public static let all: [any Dialect] = [PostgresDialect(), MySQLDialect(flavour: .mysql), MySQLDialect(flavour: .mariadb), SQLiteDialect()]

    public static func named(_ name: String) -> (any Dialect)? {
        all.first { $0.name == name.lowercased() }
    }

    public static var names: [String] { all.map(\.name) }

    /// Every dialect name a `dialect` block may mention, including those planned
    /// but not yet built (so a policy written for them still parses and lowers).
    public static let knownNames: Set<String> = ["postgres", "mysql", "mariadb", "sqlite"]
}
