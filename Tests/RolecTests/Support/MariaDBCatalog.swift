// Reading a MariaDB server's account and privilege state back (dialects.md C.6,
// G.11) as comparable rows, and computing from the IR alone what it must be after
// a compiled script ran (the mapping of dialects/mariadb.md); plus the objects a
// live test must create first. The PostgreSQL counterpart is CatalogSnapshot.swift
// and CatalogExpectation.swift; the row type and the diff are shared.
//
// Row formats (grantees: "role `r`", "user `u`@`h`", "PUBLIC"):
//   account | role `r`
//   account | user `u`@`h` | default role=R | plugin=P | password=HASH | locked=BOOL | max user connections=N
//   member  | `role` | grantee | admin=BOOL
//   grant   | grantee | global|database|table|column|function|procedure | object | column | PRIVILEGE
//   grant option | grantee | level | object          (MariaDB keeps GRANT OPTION per level and object)
//   proxy   | ...                                     (expected: none)
// Objects: `*.*`; a database-level grant's stored pattern (`my\_db`: `_` and `%`
// escaped, dialects.md G.6); `` `db`.`t` `` for tables, columns and routines.
// root's and mariadb.sys's own accounts and grants (the installed ones) are not
// read; root's membership rows are.

import Foundation
@testable import Rolec

enum MariaDBCatalog {
    typealias Q = MariaDBServer

    static func role(_ name: String) -> String { "role " + Q.quoteIdentifier(name) }
    static func user(_ name: String, _ host: String) -> String { "user " + Q.account(name, host) }
    static let publicGrantee = "PUBLIC"
    static let deployer = user("root", "localhost")

    static func object(_ database: String, _ name: String) -> String {
        Q.quoteIdentifier(database) + "." + Q.quoteIdentifier(name)
    }

    /// A database name as a database-level grant stores it: `\`, `_` and `%` escaped.
    static func databasePattern(_ name: String) -> String {
        name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "_", with: "\\_")
            .replacingOccurrences(of: "%", with: "\\%")
    }

    /// `global_priv.Priv.access` bits (MariaDB 10.11 sql/privilege.h; checked live by
    /// LiveMariaDBTests "global privilege bits"), with the names SHOW GRANTS prints.
    /// Bit 10 is GRANT OPTION.
    static let globalBits: [String] = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS", "FILE",
        "GRANT OPTION", "REFERENCES", "INDEX", "ALTER", "SHOW DATABASES", "SUPER", "CREATE TEMPORARY TABLES",
        "LOCK TABLES", "EXECUTE", "REPLICATION SLAVE", "BINLOG MONITOR", "CREATE VIEW", "SHOW VIEW",
        "CREATE ROUTINE", "ALTER ROUTINE", "CREATE USER", "EVENT", "TRIGGER", "CREATE TABLESPACE",
        "DELETE HISTORY", "SET USER", "FEDERATED ADMIN", "CONNECTION ADMIN", "READ_ONLY ADMIN",
        "REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN", "BINLOG ADMIN", "BINLOG REPLAY", "SLAVE MONITOR",
    ]

    /// `mysql.db` privilege columns and the privilege each stands for ("GRANT OPTION" for Grant_priv).
    static let databaseColumns: [(column: String, privilege: String)] = [
        ("Select_priv", "SELECT"), ("Insert_priv", "INSERT"), ("Update_priv", "UPDATE"), ("Delete_priv", "DELETE"),
        ("Create_priv", "CREATE"), ("Drop_priv", "DROP"), ("Grant_priv", "GRANT OPTION"),
        ("References_priv", "REFERENCES"), ("Index_priv", "INDEX"), ("Alter_priv", "ALTER"),
        ("Create_tmp_table_priv", "CREATE TEMPORARY TABLES"), ("Lock_tables_priv", "LOCK TABLES"),
        ("Create_view_priv", "CREATE VIEW"), ("Show_view_priv", "SHOW VIEW"), ("Create_routine_priv", "CREATE ROUTINE"),
        ("Alter_routine_priv", "ALTER ROUTINE"), ("Execute_priv", "EXECUTE"), ("Event_priv", "EVENT"),
        ("Trigger_priv", "TRIGGER"), ("Delete_history_priv", "DELETE HISTORY"),
    ]

    /// A member of a `tables_priv`/`columns_priv`/`procs_priv` privilege SET, as SHOW GRANTS names it.
    static func setMemberName(_ member: String) -> String {
        switch member {
        case "Grant": return "GRANT OPTION"
        case "Delete versioning rows": return "DELETE HISTORY"
        default: return member.uppercased()
        }
    }

    static let kept = MariaDBServer.keptAccountsCondition

    static var query: String {
        """
        SELECT JSON_ARRAY('account', User, Host,
            IF(IFNULL(JSON_VALUE(Priv, '$.is_role'), 'false') IN ('true', '1'), 'role', 'user'),
            IFNULL(JSON_VALUE(Priv, '$.default_role'), ''), IFNULL(JSON_VALUE(Priv, '$.plugin'), ''),
            IFNULL(JSON_VALUE(Priv, '$.authentication_string'), ''),
            IF(IFNULL(JSON_VALUE(Priv, '$.account_locked'), 'false') IN ('true', '1'), 'true', 'false'),
            IFNULL(JSON_VALUE(Priv, '$.max_user_connections'), '0'), IFNULL(JSON_VALUE(Priv, '$.access'), '0'))
        FROM mysql.global_priv WHERE NOT \(kept)
        UNION ALL
        SELECT JSON_ARRAY('db', User, Host, Db, \(databaseColumns.map(\.column).joined(separator: ", ")))
        FROM mysql.db WHERE NOT \(kept)
        UNION ALL
        SELECT JSON_ARRAY('table', User, Host, Db, Table_name, Table_priv) FROM mysql.tables_priv WHERE NOT \(kept)
        UNION ALL
        SELECT JSON_ARRAY('column', User, Host, Db, Table_name, Column_name, Column_priv) FROM mysql.columns_priv WHERE NOT \(kept)
        UNION ALL
        SELECT JSON_ARRAY('routine', User, Host, Db, Routine_name, Routine_type, Proc_priv) FROM mysql.procs_priv WHERE NOT \(kept)
        UNION ALL
        SELECT JSON_ARRAY('member', Host, User, Role, Admin_option) FROM mysql.roles_mapping
        UNION ALL
        SELECT JSON_ARRAY('proxy', User, Host, Proxied_user, Proxied_host, With_grant) FROM mysql.proxies_priv WHERE NOT \(kept);
        """
    }

    /// The server's state as rows (see the file header).
    static func snapshot(_ server: MariaDBServer) throws -> Set<CatalogRow> {
        let raw = try server.jsonRows(query)
        var roles: Set<String> = []
        for r in raw where r[0] == "account" && r[3] == "role" && r[2].isEmpty { roles.insert(r[1]) }
        func grantee(_ user: String, _ host: String) -> String {
            if host.isEmpty && user == "PUBLIC" { return publicGrantee }
            if host.isEmpty && roles.contains(user) { return role(user) }
            return MariaDBCatalog.user(user, host)
        }
        var rows = Set<CatalogRow>()
        func privilege(_ who: String, _ level: String, _ object: String, _ column: String, _ name: String) {
            if name == "GRANT OPTION" {
                rows.insert(CatalogRow(["grant option", who, level == "column" ? "table" : level, object]))
            } else {
                rows.insert(CatalogRow(["grant", who, level, object, column, name]))
            }
        }
        func members(_ set: String) -> [String] {
            set.split(separator: ",").map { setMemberName(String($0)) }
        }
        for r in raw {
            switch r[0] {
            case "account":
                let who = grantee(r[1], r[2])
                if r[3] == "role" {
                    if who != publicGrantee { rows.insert(CatalogRow(["account", who])) }
                } else {
                    rows.insert(CatalogRow(["account", who, "default role=\(r[4])", "plugin=\(r[5])", "password=\(r[6])",
                                            "locked=\(r[7])", "max user connections=\(r[8])"]))
                }
                let access = UInt64(r[9]) ?? 0
                for (bit, name) in globalBits.enumerated() where access & (UInt64(1) << UInt64(bit)) != 0 {
                    privilege(who, "global", "*.*", "", name)
                }
                if access >> UInt64(globalBits.count) != 0 {
                    rows.insert(CatalogRow(["unknown access bits", who, String(access >> UInt64(globalBits.count))]))
                }
            case "db":
                let who = grantee(r[1], r[2])
                for (index, column) in databaseColumns.enumerated() where r[4 + index] == "Y" {
                    privilege(who, "database", r[3], "", column.privilege)
                }
            case "table":
                for name in members(r[5]) { privilege(grantee(r[1], r[2]), "table", object(r[3], r[4]), "", name) }
            case "column":
                for name in members(r[6]) { privilege(grantee(r[1], r[2]), "column", object(r[3], r[4]), r[5], name) }
            case "routine":
                for name in members(r[6]) {
                    privilege(grantee(r[1], r[2]), r[5].lowercased(), object(r[3], r[4]), "", name)
                }
            case "member":
                rows.insert(CatalogRow(["member", Q.quoteIdentifier(r[3]), grantee(r[2], r[1]), "admin=\(r[4] == "Y")"]))
            default:
                rows.insert(CatalogRow(r))
            }
        }
        return rows
    }
}

/// The databases and objects a policy's script refers to (MariaDB: schema =
/// database), created before the script runs, plus one object of each kind in
/// every database a database-level (`S.*`) grant names.
struct MariaDBFixture {
    struct Relation: Hashable {
        var database: String
        var name: String
        var kind: RelationKind
        var columns: [String]
        var object: String { MariaDBCatalog.object(database, name) }
    }

    struct Routine: Hashable {
        var database: String
        var name: String
        var kind: RoutineKind
        var object: String { MariaDBCatalog.object(database, name) }
    }

    var databases: [String]
    var relations: [Relation]
    var routines: [Routine]
    var absent: [IRAbsent]
    /// Objects the IR names without a database (not expected: MariaDB needs one).
    var problems: [String] = []

    static let bulkTable = "rolec_bulk_table"
    static let bulkView = "rolec_bulk_view"
    static let bulkSequence = "rolec_bulk_sequence"
    static let bulkFunction = "rolec_bulk_function"
    static let bulkProcedure = "rolec_bulk_procedure"
    /// Where the absent principals hold privileges before the script drops them.
    static let absentDatabase = "rolec_absent"

    typealias Q = MariaDBServer

    init(ir: PolicyIR) {
        var databases: Set<String> = []
        var bulk: Set<String> = []
        var relations: [String: Relation] = [:]
        var order: [String] = []
        var routines: [Routine] = []
        var problems: [String] = []
        func addRelation(_ kind: RelationKind, _ database: String, _ name: String, column: String?) {
            databases.insert(database)
            let key = database + "\u{0}" + name
            if relations[key] == nil {
                relations[key] = Relation(database: database, name: name, kind: kind, columns: ["id"])
                order.append(key)
            }
            if let column, !relations[key]!.columns.contains(column) { relations[key]!.columns.append(column) }
        }
        for fact in ir.grants + ir.revokes {
            switch fact.object {
            case .database, .server: break
            case .schema(let name): databases.insert(name)
            case .relation(let kind, let schema?, let name): addRelation(kind, schema, name, column: fact.column)
            case .routine(let kind, let schema?, let name, _):
                databases.insert(schema)
                let routine = Routine(database: schema, name: name, kind: kind)
                if !routines.contains(where: { $0.database == schema && $0.name.lowercased() == name.lowercased() && $0.kind == kind }) {
                    routines.append(routine)
                }
            case .allInSchema(_, let schema):
                databases.insert(schema)
                bulk.insert(schema)
            case .relation, .routine:
                problems.append("\(fact.object.display) has no database")
            }
        }
        for database in bulk.sorted() {
            addRelation(.table, database, MariaDBFixture.bulkTable, column: nil)
            addRelation(.view, database, MariaDBFixture.bulkView, column: nil)
            addRelation(.sequence, database, MariaDBFixture.bulkSequence, column: nil)
            routines.append(Routine(database: database, name: MariaDBFixture.bulkFunction, kind: .function))
            routines.append(Routine(database: database, name: MariaDBFixture.bulkProcedure, kind: .procedure))
        }
        self.databases = databases.sorted()
        self.relations = order.map { relations[$0]! }
        self.routines = routines
        self.absent = ir.absent
        self.problems = problems
    }

    /// CREATE statements for every database and object (run as root).
    var objectSQL: String {
        var lines: [String] = []
        for database in databases {
            lines.append("CREATE DATABASE IF NOT EXISTS \(Q.quoteIdentifier(database)) CHARACTER SET utf8mb4;")
        }
        for r in relations {
            switch r.kind {
            case .table:
                let columns = r.columns.map { Q.quoteIdentifier($0) + ($0 == "id" ? " INT" : " TEXT") }
                lines.append("CREATE TABLE \(r.object) (\(columns.joined(separator: ", ")));")
            case .view:
                let columns = r.columns.map { ($0 == "id" ? "1" : "CAST(NULL AS CHAR)") + " AS " + Q.quoteIdentifier($0) }
                lines.append("CREATE VIEW \(r.object) AS SELECT \(columns.joined(separator: ", "));")
            case .sequence:
                lines.append("CREATE SEQUENCE \(r.object);")
            }
        }
        for r in routines {
            switch r.kind {
            case .function: lines.append("CREATE FUNCTION \(r.object)() RETURNS INT RETURN 1;")
            case .procedure: lines.append("CREATE PROCEDURE \(r.object)() BEGIN END;")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The absent principals, created with privileges at every level (run as root
    /// before the script, which must drop them).
    var absentSQL: String {
        guard !absent.isEmpty else { return "" }
        let database = Q.quoteIdentifier(MariaDBFixture.absentDatabase)
        var lines = ["CREATE DATABASE IF NOT EXISTS \(database);", "CREATE TABLE IF NOT EXISTS \(database).t (id INT, c INT);"]
        for a in absent {
            let who = a.kind == .user ? Q.account(a.name, "%") : Q.quoteIdentifier(a.name)
            lines.append(a.kind == .user ? "CREATE USER \(who);" : "CREATE ROLE \(who);")
            lines.append("GRANT SELECT ON \(Q.quoteIdentifier(MariaDBCatalog.databasePattern(MariaDBFixture.absentDatabase))).* TO \(who);")
            lines.append("GRANT SELECT, INSERT ON \(database).t TO \(who) WITH GRANT OPTION;")
            lines.append("GRANT UPDATE (c) ON \(database).t TO \(who);")
            lines.append("GRANT PROCESS ON *.* TO \(who);")
        }
        return lines.joined(separator: "\n")
    }
}

/// The declared state of a MariaDB server after a policy's script ran, from the
/// IR and the mapping that dialects/mariadb.md documents:
///
/// - principals that are users (or roles with `login`) are accounts `'name'@'host'`
///   for each host (lower-cased; default `%`), the others host-less roles;
/// - a user without a mysql_native_password hash is created `ACCOUNT LOCK` with an
///   empty authentication string (an existing one is not changed); with one it is
///   unlocked with that hash; `MAX_USER_CONNECTIONS` is the connection limit (-1: 0);
/// - the default role is the user's one login role, `rolec_default_<user>` (an
///   umbrella role holding each login role) for several, none for none; login roles
///   are the `default role` list, or every role the user is directly a member of;
/// - every role on the server was created by root@localhost (the script, or the test
///   for external roles), which MariaDB makes an ADMIN member of it (G.2): the
///   deliberate rule here is that this row is there for every role, and no other;
/// - `schema S` and `all ... in schema S` are `S.*`; `usage` on a schema and
///   anything on a database are implied (no row); `usage`/`update` on a sequence
///   are INSERT and SELECT; `temporary` is CREATE TEMPORARY TABLES; `server` is `*.*`;
/// - a revoke removes the privilege at its level; at table level also from every
///   column (G.4).
struct MariaDBExpectation {
    let ir: PolicyIR
    var problems: [String] = []

    typealias Q = MariaDBServer
    typealias C = MariaDBCatalog

    struct Privilege: Hashable {
        var grantee: String
        var level: String
        var object: String
        var column: String
        var privilege: String
    }

    struct GrantOption: Hashable {
        var grantee: String
        var level: String
        var object: String
    }

    init(ir: PolicyIR) { self.ir = ir }

    func isAccount(_ p: IRPrincipal) -> Bool { p.kind == .user || p.login == true }

    func hosts(_ p: IRPrincipal) -> [String] {
        p.hosts.isEmpty ? ["%"] : Array(Set(p.hosts.map { $0.lowercased() })).sorted()
    }

    /// The grantee strings a principal name stands for.
    func holders(_ name: String) -> [String] {
        if let p = ir.principal(named: name), isAccount(p) { return hosts(p).map { C.user(name, $0) } }
        return [C.role(name)]
    }

    func holders(_ ref: PrincipalRef) -> [String] { ref.name.map(holders) ?? [C.publicGrantee] }

    static func isNativeHash(_ text: String) -> Bool {
        text.count == 41 && text.hasPrefix("*") && text.dropFirst().allSatisfy { ("0"..."9").contains($0) || ("A"..."F").contains($0) }
    }

    func nativeVerifier(_ p: IRPrincipal) -> String? { p.passwordHashes.first(where: MariaDBExpectation.isNativeHash) }

    /// The roles a user has active at login; nil when the policy leaves it alone
    /// (an external user without `default role`).
    func loginRoles(_ p: IRPrincipal) -> [String]? {
        if p.external && p.defaultRoles == nil { return nil }
        switch p.defaultRoles {
        case .none?: return []
        case .roles(let names)?: return Array(Set(names)).sorted()
        case .all?, nil: return Array(Set(ir.memberships.filter { $0.member == p.name }.map(\.role))).sorted()
        }
    }

    func defaultRole(_ p: IRPrincipal) -> String {
        guard let roles = loginRoles(p) else { return "" }
        switch roles.count {
        case 0: return ""
        case 1: return roles[0]
        default: return MySQLDialect.umbrellaName(for: p.name)
        }
    }

    var umbrellas: [(user: IRPrincipal, name: String, roles: [String])] {
        ir.principals.filter(isAccount).compactMap { p in
            guard let roles = loginRoles(p), roles.count > 1 else { return nil }
            return (p, MySQLDialect.umbrellaName(for: p.name), roles)
        }
    }

    /// Every role the server must hold (managed, external, umbrella).
    var roleNames: [String] {
        ir.principals.filter { !isAccount($0) }.map(\.name) + umbrellas.map(\.name)
    }

    // MARK: privileges

    /// (level, object) of a fact's object; nil when MariaDB needs no statement.
    mutating func target(_ object: IRObject) -> (level: String, object: String)? {
        switch object {
        case .database: return nil
        case .schema(let s), .allInSchema(_, let s): return ("database", C.databasePattern(s))
        case .server: return ("global", "*.*")
        case .relation(_, let s?, let n): return ("table", C.object(s, n))
        case .routine(let kind, let s?, let n, _): return (kind.rawValue, C.object(s, n))
        case .relation, .routine:
            problems.append("\(object.display) has no database")
            return nil
        }
    }

    func privilegeNames(_ privilege: String, on object: IRObject) -> [String] {
        if case .schema = object, privilege == "USAGE" { return [] }
        if case .relation(.sequence, _, _) = object, privilege == "USAGE" || privilege == "UPDATE" { return ["INSERT", "SELECT"] }
        return [privilege == "TEMPORARY" ? "CREATE TEMPORARY TABLES" : privilege]
    }

    /// One IR fact as privileges on the server (one per holder account).
    mutating func mapped(_ fact: IRGrant) -> [Privilege] {
        guard let (level, object) = target(fact.object) else { return [] }
        let names = privilegeNames(fact.privilege, on: fact.object)
        return holders(fact.grantee).flatMap { grantee in
            names.map { name in
                Privilege(grantee: grantee, level: fact.column == nil ? level : "column", object: object,
                          column: fact.column ?? "", privilege: name)
            }
        }
    }

    /// The privileges and grant options the server must hold after the script.
    mutating func privileges() -> (Set<Privilege>, Set<GrantOption>) {
        var held = Set<Privilege>()
        var options = Set<GrantOption>()
        for fact in ir.grants {
            for p in mapped(fact) {
                held.insert(p)
                if fact.grantable {
                    options.insert(GrantOption(grantee: p.grantee, level: p.level == "column" ? "table" : p.level, object: p.object))
                }
            }
        }
        for fact in ir.revokes {
            for p in mapped(fact) {
                held.remove(p)
                if p.level == "table" {
                    held = held.filter { !($0.level == "column" && $0.grantee == p.grantee && $0.object == p.object && $0.privilege == p.privilege) }
                }
            }
        }
        return (held, options)
    }

    // MARK: rows

    /// The expected rows. `preExisting`: users that existed before the script with
    /// this password hash, unlocked (their password and lock are not managed unless
    /// the policy declares a hash).
    mutating func rows(preExisting: [String: String] = [:]) -> Set<CatalogRow> {
        var rows = Set<CatalogRow>()
        for name in roleNames {
            rows.insert(CatalogRow(["account", C.role(name)]))
            rows.insert(CatalogRow(["member", Q.quoteIdentifier(name), C.deployer, "admin=true"]))
        }
        for p in ir.principals where isAccount(p) {
            let verifier = nativeVerifier(p)
            let stale = preExisting[p.name]
            let password = verifier ?? stale ?? ""
            let locked = verifier == nil && !p.external && stale == nil
            let limit = p.connectionLimit.map { max(0, $0) } ?? (stale != nil ? 3 : 0)
            for host in hosts(p) {
                rows.insert(CatalogRow(["account", C.user(p.name, host), "default role=\(defaultRole(p))",
                                        "plugin=mysql_native_password", "password=\(password)", "locked=\(locked)",
                                        "max user connections=\(limit)"]))
            }
        }
        for m in ir.memberships {
            for member in holders(m.member) {
                rows.insert(CatalogRow(["member", Q.quoteIdentifier(m.role), member, "admin=\(m.admin)"]))
            }
        }
        for umbrella in umbrellas {
            for role in umbrella.roles {
                rows.insert(CatalogRow(["member", Q.quoteIdentifier(role), C.role(umbrella.name), "admin=false"]))
            }
            for account in holders(umbrella.user.name) {
                rows.insert(CatalogRow(["member", Q.quoteIdentifier(umbrella.name), account, "admin=false"]))
            }
        }
        let (held, options) = privileges()
        for p in held {
            rows.insert(CatalogRow(["grant", p.grantee, p.level, p.object, p.column, p.privilege]))
        }
        for o in options {
            rows.insert(CatalogRow(["grant option", o.grantee, o.level, o.object]))
        }
        return rows
    }

    // MARK: what a login may do

    /// Role memberships as edges grantee -> roles, from expected member rows (root's left out).
    static func roleGraph(_ rows: Set<CatalogRow>) -> [String: [String]] {
        var graph: [String: [String]] = [:]
        for row in rows where row.fields.first == "member" && row.fields[2] != C.deployer {
            // fields[1] is the quoted role name; as a grantee it reads "role `name`".
            graph[row.fields[2], default: []].append("role " + row.fields[1])
        }
        return graph
    }

    /// The grantees whose privileges a login of `account` has: itself, PUBLIC, its
    /// default role and every role granted to those, transitively.
    static func activeHolders(account: String, defaultRole: String, graph: [String: [String]]) -> Set<String> {
        var active: Set<String> = [account, C.publicGrantee]
        var queue = graph[C.publicGrantee] ?? []
        if !defaultRole.isEmpty { queue.append(C.role(defaultRole)) }
        while let next = queue.popLast() {
            if active.insert(next).inserted { queue.append(contentsOf: graph[next] ?? []) }
        }
        return active
    }

    /// SQL LIKE with `\` escapes (how a database-level grant's name matches databases).
    static func likeMatches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        func match(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == t.count }
            switch p[i] {
            case "%": return (j...t.count).contains { match(i + 1, $0) }
            case "_": return j < t.count && match(i + 1, j + 1)
            case "\\" where i + 1 < p.count: return j < t.count && t[j] == p[i + 1] && match(i + 2, j + 1)
            default: return j < t.count && t[j] == p[i] && match(i + 1, j + 1)
            }
        }
        return match(0, 0)
    }

    /// Privileges held by `holders`, as a lookup for the probes.
    struct Effective {
        var held: Set<Privilege>
        var holders: Set<String>

        func has(_ privilege: String, database: String, object: String? = nil, level: String = "table", column: String? = nil) -> Bool {
            held.contains { p in
                guard holders.contains(p.grantee), p.privilege == privilege else { return false }
                switch p.level {
                case "global": return true
                case "database": return MariaDBExpectation.likeMatches(p.object, database)
                case "column": return column != nil && p.object == object && p.column == column
                default: return p.level == level && p.object == object
                }
            }
        }

        /// Columns of `object` on which `privilege` is held at column level.
        func columns(_ privilege: String, object: String) -> [String] {
            held.filter { holders.contains($0.grantee) && $0.level == "column" && $0.object == object && $0.privilege == privilege }
                .map(\.column).sorted()
        }

        /// Whether any of these holders got `privilege` on `object` from a role (for the summary).
        func viaRole(_ privilege: String, object: String, database: String) -> Bool {
            held.contains { p in
                holders.contains(p.grantee) && p.grantee.hasPrefix("role ") && p.privilege == privilege
                    && (p.object == object || (p.level == "database" && MariaDBExpectation.likeMatches(p.object, database)) || p.level == "global")
            }
        }
    }
}
