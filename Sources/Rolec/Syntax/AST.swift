/// The syntax tree. Every node keeps the byte range it came from; names keep
/// their exact text (names are case-sensitive; keywords are matched without case).

public struct Name: Sendable, Hashable {
    public var text: String
    public var range: SourceRange
    public var quoted: Bool
    public init(_ text: String, range: SourceRange, quoted: Bool = false) {
        self.text = text
        self.range = range
        self.quoted = quoted
    }
}

/// `schema.table` or a bare `table` (schema nil).
public struct QualifiedName: Sendable, Hashable {
    public var schema: Name?
    public var name: Name
    public var range: SourceRange { schema.map { $0.range.to(name.range) } ?? name.range }
}

public struct StringLiteral: Sendable, Hashable {
    public var value: String
    public var range: SourceRange
}

public struct Privilege: Sendable, Hashable {
    /// Lower-case words joined by one space: `select`, `lock tables`.
    public var name: String
    public var columns: [Name]?
    public var range: SourceRange
}

public enum PrivilegeList: Sendable, Hashable {
    case all(SourceRange)
    case list([Privilege])

    public var range: SourceRange {
        switch self {
        case .all(let r): return r
        case .list(let items): return items.first.map { f in items.last.map { f.range.to($0.range) } ?? f.range } ?? .none
        }
    }
}

public enum RelationKind: String, Sendable, Hashable, Codable { case table, view, sequence }
public enum RoutineKind: String, Sendable, Hashable, Codable { case function, procedure }
public enum BulkKind: String, Sendable, Hashable, Codable { case tables, sequences, functions, procedures, routines }
public enum BulkScope: String, Sendable, Hashable, Codable { case both, existing, future }

public enum ObjectRefKind: Sendable, Hashable {
    case database(Name)
    case schema(Name)
    case server
    case relation(RelationKind, QualifiedName)
    /// `arguments` nil: written without parentheses.
    case routine(RoutineKind, QualifiedName, arguments: [String]?)
    case bulk(BulkKind, BulkScope, schema: Name?)
}

public struct ObjectRef: Sendable, Hashable {
    public var kind: ObjectRefKind
    public var range: SourceRange
}

public enum Grantee: Sendable, Hashable {
    case publicRole(SourceRange)
    case principal(Name)
    public var range: SourceRange {
        switch self {
        case .publicRole(let r): return r
        case .principal(let n): return n.range
        }
    }
}

public enum MemberOption: Sendable, Hashable {
    case admin(SourceRange)
    case inherit(Bool, SourceRange)
    case set(Bool, SourceRange)
}

public enum AttributeKind: String, Sendable, Hashable, CaseIterable, Codable {
    case login, superuser, createdb, createrole, replication, bypassrls, inherit, noinherit
}

public enum Attribute: Sendable, Hashable {
    case flag(AttributeKind, SourceRange)
    case connectionLimit(Int, SourceRange)
    case validUntil(StringLiteral, SourceRange)
}

public enum SettingValue: Sendable, Hashable {
    case string(String)
    case name(String)
    case integer(String)
}

public enum RoleItem: Sendable, Hashable {
    case comment(StringLiteral)
    case memberOf([Name], [MemberOption], SourceRange)
    case attribute(Attribute)
    case grant(PrivilegeList, [ObjectRef], withGrantOption: Bool, SourceRange)
    case profile(Name, [ObjectRef], SourceRange)
    case setting(name: Name, values: [SettingValue], database: Name?, SourceRange)
    case host([StringLiteral], SourceRange)
    case passwordHash([StringLiteral], SourceRange)
    case defaultRole(DefaultRoles, SourceRange)
}

public enum DefaultRoles: Sendable, Hashable {
    case names([Name])
    case all
    case none
}

public enum PrincipalKind: String, Sendable, Hashable, Codable { case role, user }

public struct PrincipalDecl: Sendable, Hashable {
    public var kind: PrincipalKind
    public var names: [Name]
    public var external: Bool
    public var items: [RoleItem]
    public var range: SourceRange
}

public struct OwnerDecl: Sendable, Hashable {
    public enum Scope: String, Sendable, Hashable { case schema, database }
    public var scope: Scope
    public var name: Name
    public var ownedBy: Name?
    public var createdBy: [Name]
    public var range: SourceRange
}

public struct GrantStmt: Sendable, Hashable {
    public var privileges: PrivilegeList
    public var objects: [ObjectRef]
    public var grantees: [Grantee]
    public var withGrantOption: Bool
    public var isRevoke: Bool
    public var range: SourceRange
}

public enum Rule: Sendable, Hashable {
    case separate([Name], SourceRange)
    case forbidPrivileges(PrivilegeList, [ObjectRef], except: [Name], SourceRange)
    case forbidAttribute(Name, except: [Name], SourceRange)
    case limitMembers(Name, Int, SourceRange)
    case protect([Name], SourceRange)
    case allow(code: Name, principals: [Name], SourceRange)
}

extension Rule {
    public var range: SourceRange {
        switch self {
        case .separate(_, let r), .forbidPrivileges(_, _, _, let r), .forbidAttribute(_, _, let r),
             .limitMembers(_, _, let r), .protect(_, let r), .allow(_, _, let r):
            return r
        }
    }
}

public enum Expectation: Sendable, Hashable {
    case can(Name, Bool, PrivilegeList, ObjectRef, SourceRange)
    case member(Name, Bool, Name, SourceRange)
}

public struct TestBlock: Sendable, Hashable {
    public var title: StringLiteral
    public var expectations: [Expectation]
    public var range: SourceRange
}

public indirect enum Statement: Sendable, Hashable {
    case principal(PrincipalDecl)
    case absent(PrincipalKind, [Name], SourceRange)
    case owner(OwnerDecl)
    case grant(GrantStmt)
    case dialect([Name], [Statement], SourceRange)
    case policy([Rule], SourceRange)
    case test(TestBlock)
}

public struct PolicyAST: Sendable {
    public var statements: [Statement]
    public init(statements: [Statement]) { self.statements = statements }
}
