// What a PostgreSQL cluster must look like after a policy's script ran, computed
// from the IR alone (plus the server's documented built-in defaults), in the row
// format of CatalogSnapshot.swift; and the objects a live test must create first
// so that every statement of the script has a target.

import Foundation
@testable import Rolec

/// The databases, schemas and objects a policy's script refers to, which must
/// exist before it runs, and the extra objects that give bulk grants
/// (`ALL TABLES IN SCHEMA`, ...) something to act on.
struct LiveFixture {
    struct Relation: Hashable {
        var schema: String
        var name: String
        var kind: RelationKind
        var columns: [String]
        var identity: String { schema + "." + name }
    }

    struct Routine: Hashable {
        var schema: String
        var name: String
        var kind: RoutineKind
        /// Argument types as written in the policy (SQL text); [] for no signature.
        var arguments: [String]
    }

    /// Where the script runs first; database-wide default privileges land here.
    var primary: String
    /// A database the script is also applied to (same objects, separate state).
    var secondary: String
    /// Every database the policy names (grants, ownerships, settings).
    var referenced: [String]
    /// Schemas to create (never `public`, which every database has).
    var schemas: [String]
    var relations: [Relation]
    var routines: [Routine]
    /// Principals the policy says must not exist: created (owning a table,
    /// holding privileges and default privileges) before the script runs.
    var absent: [IRAbsent]
    /// Declared owners of the schemas (other than `public`) that are principals of
    /// the policy: in the phases scenario they create the schema and its objects.
    var schemaOwners: [String: String]

    static let absentSchema = "rolec_absent"
    static let bulkTable = "rolec_bulk_table"
    static let bulkView = "rolec_bulk_view"
    static let bulkSequence = "rolec_bulk_sequence"
    static let bulkFunction = "rolec_bulk_function"
    static let bulkProcedure = "rolec_bulk_procedure"
    static let absentShared = "shared"
    static func absentOwned(_ name: String) -> String { "owned by " + name }

    /// All databases the test reads: the referenced ones, the primary and the secondary.
    var databases: [String] { Array(Set(referenced + [primary, secondary])).sorted() }

    /// Databases every cluster has: never created or dropped by the test (their ACL
    /// is reset instead), and never where the script runs.
    static let builtinDatabases: Set<String> = ["postgres", "template0", "template1"]

    /// The databases the test creates (and drops).
    var createdDatabases: [String] { databases.filter { !LiveFixture.builtinDatabases.contains($0) } }

    init(ir: PolicyIR) {
        var databases: Set<String> = []
        var schemas: Set<String> = []
        var bulkSchemas: Set<String> = []
        var relations: [String: Relation] = [:]
        var relationOrder: [String] = []
        var routines: [Routine] = []
        func addRelation(_ kind: RelationKind, _ schema: String?, _ name: String, column: String?) {
            let schema = schema ?? "public"
            schemas.insert(schema)
            let key = schema + "\u{0}" + name
            if relations[key] == nil {
                relations[key] = Relation(schema: schema, name: name, kind: kind, columns: ["id"])
                relationOrder.append(key)
            }
            if let column, !(relations[key]!.columns.contains(column)) { relations[key]!.columns.append(column) }
        }
        for fact in ir.grants + ir.revokes {
            switch fact.object {
            case .database(let name): databases.insert(name)
            case .schema(let name): schemas.insert(name)
            case .server: break
            case .relation(let kind, let schema, let name): addRelation(kind, schema, name, column: fact.column)
            case .routine(let kind, let schema, let name, let arguments):
                let routine = Routine(schema: schema ?? "public", name: name, kind: kind, arguments: arguments ?? [])
                schemas.insert(routine.schema)
                if !routines.contains(routine) { routines.append(routine) }
            case .allInSchema(_, let schema):
                schemas.insert(schema)
                bulkSchemas.insert(schema)
            }
        }
        for ownership in ir.ownerships {
            if ownership.scope == .schema { schemas.insert(ownership.name) } else { databases.insert(ownership.name) }
        }
        for fact in ir.defaultGrants + ir.defaultRevokes {
            if let schema = fact.schema { schemas.insert(schema) }
        }
        for setting in ir.settings {
            if let database = setting.database { databases.insert(database) }
        }
        // Every bulk schema gets one object of each kind, so that a bulk grant on
        // one kind can be seen to reach exactly that kind.
        for schema in bulkSchemas.sorted() {
            addRelation(.table, schema, LiveFixture.bulkTable, column: nil)
            addRelation(.view, schema, LiveFixture.bulkView, column: nil)
            addRelation(.sequence, schema, LiveFixture.bulkSequence, column: nil)
            for (name, kind) in [(LiveFixture.bulkFunction, RoutineKind.function), (LiveFixture.bulkProcedure, .procedure)] {
                let routine = Routine(schema: schema, name: name, kind: kind, arguments: [])
                if !routines.contains(where: { $0.schema == schema && $0.name == name }) { routines.append(routine) }
            }
        }
        let owned = ir.ownerships.filter { $0.scope == .database }.map(\.name).sorted()
        referenced = databases.sorted()
        let candidates = owned + referenced
        primary = candidates.first { !LiveFixture.builtinDatabases.contains($0) } ?? "rolec_live"
        var second = "rolec_live_second"
        while databases.contains(second) || second == primary { second += "_x" }
        secondary = second
        self.schemas = schemas.subtracting(["public"]).sorted()
        self.relations = relationOrder.map { relations[$0]! }
        self.routines = routines
        absent = ir.absent
        var owners: [String: String] = [:]
        for o in ir.ownerships where o.scope == .schema && o.name != "public" && ir.principal(named: o.owner) != nil {
            owners[o.name] = o.owner
        }
        schemaOwners = owners
    }

    /// Who owns the fixture's objects in `schema`: postgres, or (`bySchemaOwners`)
    /// the schema's declared owner.
    func objectOwner(schema: String, bySchemaOwners: Bool) -> String {
        bySchemaOwners ? schemaOwners[schema] ?? "postgres" : "postgres"
    }

    /// Relations that exist in a database after setup (`withAbsent`: including the
    /// objects owned by, or granted to, the absent principals).
    func relations(withAbsent: Bool) -> [Relation] {
        guard withAbsent, !absent.isEmpty else { return relations }
        return relations
            + [Relation(schema: LiveFixture.absentSchema, name: LiveFixture.absentShared, kind: .table, columns: ["id"])]
            + absent.map { Relation(schema: LiveFixture.absentSchema, name: LiveFixture.absentOwned($0.name), kind: .table, columns: ["id"]) }
    }

    func schemas(withAbsent: Bool) -> [String] {
        withAbsent && !absent.isEmpty ? schemas + [LiveFixture.absentSchema] : schemas
    }

    typealias Q = PostgresServer

    /// CREATE SCHEMA for every schema the policy names (`bySchemaOwners`: owned
    /// by its declared owner from the start).
    func schemaSQL(bySchemaOwners: Bool) -> String {
        schemas.map { schema in
            let owner = objectOwner(schema: schema, bySchemaOwners: bySchemaOwners)
            return "CREATE SCHEMA IF NOT EXISTS \(Q.quoteIdentifier(schema))"
                + (owner == "postgres" ? "" : " AUTHORIZATION \(Q.quoteIdentifier(owner))") + ";"
        }.joined(separator: "\n")
    }

    /// Argument types of the routines, as written.
    var argumentTypes: [String] { Array(Set(routines.flatMap(\.arguments))).sorted() }

    /// A query listing the argument types the database does not know (a policy may
    /// name its own types: the test creates them as domains).
    var unknownTypesQuery: String {
        "SELECT json_build_array(t)::text FROM unnest(\(CatalogReader.literalArray(argumentTypes))) t WHERE to_regtype(t) IS NULL;"
    }

    static func domainSQL(forType type: String) -> String {
        var base = type.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("[]") { base = String(base.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        return "CREATE DOMAIN \(base) AS integer;"
    }

    /// CREATE statements for every object of one database (run as postgres, after
    /// `schemaSQL` and the domains for unknown argument types).
    func objectSQL(withAbsent: Bool, bySchemaOwners: Bool = false) -> String {
        var lines: [String] = []
        func owned(_ schema: String, _ statement: String) {
            let owner = objectOwner(schema: schema, bySchemaOwners: bySchemaOwners)
            lines.append(owner == "postgres" ? statement : "SET ROLE \(Q.quoteIdentifier(owner)); \(statement) RESET ROLE;")
        }
        for r in relations {
            let name = Q.quoteIdentifier(r.schema) + "." + Q.quoteIdentifier(r.name)
            switch r.kind {
            case .table:
                let columns = r.columns.map { Q.quoteIdentifier($0) + ($0 == "id" ? " integer" : " text") }
                owned(r.schema, "CREATE TABLE \(name) (\(columns.joined(separator: ", ")));")
            case .view:
                let columns = r.columns.map { ($0 == "id" ? "1" : "NULL::text") + " AS " + Q.quoteIdentifier($0) }
                owned(r.schema, "CREATE VIEW \(name) AS SELECT \(columns.joined(separator: ", "));")
            case .sequence:
                owned(r.schema, "CREATE SEQUENCE \(name);")
            }
        }
        for r in routines {
            let name = Q.quoteIdentifier(r.schema) + "." + Q.quoteIdentifier(r.name) + "(" + r.arguments.joined(separator: ", ") + ")"
            switch r.kind {
            case .function: owned(r.schema, "CREATE FUNCTION \(name) RETURNS integer LANGUAGE sql AS 'SELECT 1';")
            case .procedure: owned(r.schema, "CREATE PROCEDURE \(name) LANGUAGE plpgsql AS 'BEGIN END';")
            }
        }
        if withAbsent && !absent.isEmpty {
            let schema = Q.quoteIdentifier(LiveFixture.absentSchema)
            lines.append("CREATE SCHEMA \(schema);")
            lines.append("CREATE TABLE \(schema).\(Q.quoteIdentifier(LiveFixture.absentShared)) (id integer);")
            for a in absent {
                let role = Q.quoteIdentifier(a.name)
                let owned = "\(schema).\(Q.quoteIdentifier(LiveFixture.absentOwned(a.name)))"
                lines.append("CREATE TABLE \(owned) (id integer);")
                lines.append("ALTER TABLE \(owned) OWNER TO \(role);")
                lines.append("GRANT USAGE ON SCHEMA \(schema) TO \(role);")
                lines.append("GRANT SELECT, INSERT ON \(schema).\(Q.quoteIdentifier(LiveFixture.absentShared)) TO \(role) WITH GRANT OPTION;")
                lines.append("ALTER DEFAULT PRIVILEGES FOR ROLE \(role) GRANT SELECT ON TABLES TO PUBLIC;")
                lines.append("ALTER DEFAULT PRIVILEGES IN SCHEMA \(schema) GRANT UPDATE ON TABLES TO \(role);")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Server-side spellings the IR leaves to the server: canonical argument types
/// (`int` -> `integer`), timestamps of VALID UNTIL read back in UTC, and
/// `quote_ident` of the elements of list settings such as search_path.
struct LiveNormalization {
    var types: [String: String] = [:]
    var timestamps: [String: String] = [:]
    var quotedIdentifiers: [String: String] = [:]

    /// Settings whose list elements PostgreSQL stores through quote_identifier (GUC_LIST_QUOTE).
    static let listQuotedSettings: Set<String> = [
        "search_path", "temp_tablespaces", "session_preload_libraries", "shared_preload_libraries", "local_preload_libraries",
    ]

    /// Asks `database`, where the fixture's types exist, for the spellings.
    static func load(_ server: PostgresServer, ir: PolicyIR, fixture: LiveFixture, database: String) throws -> LiveNormalization {
        let types = Set(fixture.routines.flatMap(\.arguments)).sorted()
        let timestamps = Set(ir.principals.compactMap(\.validUntil)).sorted()
        let idents = Set(ir.settings.filter { listQuotedSettings.contains($0.name) }.flatMap(\.values)).sorted()
        let rows = try server.jsonRows("""
            SELECT json_build_array('type', t, COALESCE(format_type(to_regtype(t), NULL), t))::text
            FROM unnest(\(CatalogReader.literalArray(types))) t
            UNION ALL
            SELECT json_build_array('timestamp', v, (v::timestamptz AT TIME ZONE 'UTC')::text)::text
            FROM unnest(\(CatalogReader.literalArray(timestamps))) v
            UNION ALL
            SELECT json_build_array('ident', v, quote_ident(v))::text FROM unnest(\(CatalogReader.literalArray(idents))) v;
            """, database: database)
        var result = LiveNormalization()
        for row in rows where row.count == 3 {
            switch row[0] {
            case "type": result.types[row[1]] = row[2]
            case "timestamp": result.timestamps[row[1]] = row[2]
            default: result.quotedIdentifiers[row[1]] = row[2]
            }
        }
        return result
    }

    func identity(_ routine: LiveFixture.Routine) -> String {
        routine.schema + "." + routine.name + "(" + routine.arguments.map { types[$0] ?? $0 }.joined(separator: ", ") + ")"
    }
}

/// The declared state of a cluster after the script ran in `applied` databases.
struct ExpectedCatalog {
    let ir: PolicyIR
    let version: Int
    let fixture: LiveFixture
    let normalization: LiveNormalization
    /// Problems of the model itself (an IR object the fixture has no object for).
    var problems: [String] = []

    init(ir: PolicyIR, version: Int, fixture: LiveFixture, normalization: LiveNormalization) {
        self.ir = ir
        self.version = version
        self.fixture = fixture
        self.normalization = normalization
    }

    // MARK: privileges per object kind

    var tablePrivileges: [String] {
        ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"] + (version >= 17 ? ["MAINTAIN"] : [])
    }

    /// What an owner holds on a new object of a default-privilege kind (acldefault).
    func ownerPrivileges(_ kind: DefaultObjectKind) -> [String] {
        switch kind {
        case .tables: return tablePrivileges
        case .sequences: return ["SELECT", "UPDATE", "USAGE"]
        case .functions: return ["EXECUTE"]
        }
    }

    struct Holder: Hashable, Comparable {
        var grantee: String
        var privilege: String
        static func < (a: Holder, b: Holder) -> Bool { (a.grantee, a.privilege) < (b.grantee, b.privilege) }
    }

    /// grantee+privilege -> grantable
    typealias ACL = [Holder: Bool]

    struct ObjectKey: Hashable {
        /// "" for databases (cluster-wide).
        var database: String
        var kind: String
        var identity: String
        var column: String = ""
        var base: ObjectKey { ObjectKey(database: database, kind: kind, identity: identity) }
    }

    static func granteeName(_ ref: PrincipalRef) -> String { ref.name ?? "PUBLIC" }

    func databaseOwner(_ name: String) -> String {
        ir.ownerships.first { $0.scope == .database && $0.name == name }?.owner ?? "postgres"
    }

    func schemaOwner(_ name: String) -> String {
        ir.ownerships.first { $0.scope == .schema && $0.name == name }?.owner ?? (name == "public" ? "pg_database_owner" : "postgres")
    }

    // MARK: rows

    /// Rows for the cluster plus the given databases, the script having run in each
    /// of `applied`; `clusterDatabases` are the databases whose owner and ACL are
    /// read; `absentIn` the databases where the absent principals had objects.
    /// `bySchemaOwners`: the fixture's objects were created by their schema's declared owner.
    mutating func rows(applied: [String], clusterDatabases: [String], absentIn: Set<String>,
                       bySchemaOwners: Bool = false) -> Set<CatalogRow> {
        var rows = Set<CatalogRow>()
        rows.formUnion(roleRows())
        rows.formUnion(membershipRows())
        rows.formUnion(settingRows())

        var acl: [ObjectKey: ACL] = [:]
        var owners: [ObjectKey: String] = [:]
        // Built-in state of every object the tests create.
        for database in clusterDatabases {
            let key = ObjectKey(database: "", kind: "database", identity: database)
            owners[key] = databaseOwner(database)
            acl[key] = [Holder(grantee: "PUBLIC", privilege: "CONNECT"): false, Holder(grantee: "PUBLIC", privilege: "TEMPORARY"): false]
        }
        for database in applied {
            for schema in ["public"] + fixture.schemas(withAbsent: absentIn.contains(database)) {
                let key = ObjectKey(database: database, kind: "schema", identity: schema)
                owners[key] = schemaOwner(schema)
                acl[key] = schema == "public" ? [Holder(grantee: "PUBLIC", privilege: "USAGE"): false] : [:]
            }
            for relation in fixture.relations(withAbsent: absentIn.contains(database)) {
                let key = ObjectKey(database: database, kind: relation.kind.rawValue, identity: relation.identity)
                let absentObject = relation.schema == LiveFixture.absentSchema
                owners[key] = absentObject ? "postgres" : fixture.objectOwner(schema: relation.schema, bySchemaOwners: bySchemaOwners)
                acl[key] = [:]
            }
            for routine in fixture.routines {
                let key = ObjectKey(database: database, kind: routine.kind.rawValue, identity: normalization.identity(routine))
                owners[key] = fixture.objectOwner(schema: routine.schema, bySchemaOwners: bySchemaOwners)
                acl[key] = [Holder(grantee: "PUBLIC", privilege: "EXECUTE"): false]
            }
        }
        // The script: grants, then revokes.
        for fact in ir.grants {
            for key in targets(of: fact.object, applied: applied, clusterDatabases: clusterDatabases) {
                var target = key
                if let column = fact.column { target.column = column }
                let holder = Holder(grantee: ExpectedCatalog.granteeName(fact.grantee), privilege: fact.privilege)
                acl[target, default: [:]][holder] = (acl[target]?[holder] ?? false) || fact.grantable
            }
        }
        for fact in ir.revokes {
            for key in targets(of: fact.object, applied: applied, clusterDatabases: clusterDatabases) {
                let holder = Holder(grantee: ExpectedCatalog.granteeName(fact.grantee), privilege: fact.privilege)
                if let column = fact.column {
                    var target = key
                    target.column = column
                    acl[target]?[holder] = nil
                } else {
                    // A table-level REVOKE also takes the privilege away from every column.
                    for existing in acl.keys where existing.base == key { acl[existing]?[holder] = nil }
                }
            }
        }
        for (key, entries) in acl {
            guard let owner = owners[key.base] else { continue }
            for (holder, grantable) in entries where holder.grantee != owner {
                rows.insert(CatalogRow(["acl", key.database, key.column.isEmpty ? key.kind : "column", key.identity, key.column,
                                        holder.grantee, holder.privilege, "grantable=\(grantable)", "grantor=\(owner)"]))
            }
        }
        for (key, owner) in owners {
            rows.insert(CatalogRow(["owner", key.kind, key.database, key.identity, owner]))
        }
        for database in applied {
            for (key, entries) in defaultACLs() {
                for (holder, grantable) in entries {
                    rows.insert(CatalogRow(["default", database, key.creator, key.schema ?? "*", key.kind.rawValue,
                                            holder.grantee, holder.privilege, "grantable=\(grantable)", "grantor=\(key.creator)"]))
                }
            }
        }
        return rows
    }

    /// The objects a fact's object stands for in each database where it applies.
    mutating func targets(of object: IRObject, applied: [String], clusterDatabases: [String]) -> [ObjectKey] {
        switch object {
        case .database(let name):
            return [ObjectKey(database: "", kind: "database", identity: name)]
        case .server:
            problems.append("a server-wide fact reached the PostgreSQL IR")
            return []
        default:
            break
        }
        var keys: [ObjectKey] = []
        for database in applied {
            switch object {
            case .schema(let name):
                keys.append(ObjectKey(database: database, kind: "schema", identity: name))
            case .relation(_, let schema, let name):
                let schema = schema ?? "public"
                guard let relation = fixture.relations.first(where: { $0.schema == schema && $0.name == name }) else {
                    problems.append("no fixture object for \(object.display)")
                    continue
                }
                keys.append(ObjectKey(database: database, kind: relation.kind.rawValue, identity: relation.identity))
            case .routine(let kind, let schema, let name, let arguments):
                let routine = LiveFixture.Routine(schema: schema ?? "public", name: name, kind: kind, arguments: arguments ?? [])
                keys.append(ObjectKey(database: database, kind: kind.rawValue, identity: normalization.identity(routine)))
            case .allInSchema(let kind, let schema):
                let relationKinds: Set<RelationKind>
                let routineKinds: Set<RoutineKind>
                switch kind {
                case .tables: (relationKinds, routineKinds) = ([.table, .view], [])
                case .sequences: (relationKinds, routineKinds) = ([.sequence], [])
                case .functions: (relationKinds, routineKinds) = ([], [.function])
                case .procedures: (relationKinds, routineKinds) = ([], [.procedure])
                case .routines: (relationKinds, routineKinds) = ([], [.function, .procedure])
                }
                for r in fixture.relations where r.schema == schema && relationKinds.contains(r.kind) {
                    keys.append(ObjectKey(database: database, kind: r.kind.rawValue, identity: r.identity))
                }
                for r in fixture.routines where r.schema == schema && routineKinds.contains(r.kind) {
                    keys.append(ObjectKey(database: database, kind: r.kind.rawValue, identity: normalization.identity(r)))
                }
            case .database, .server:
                break
            }
        }
        return keys
    }

    func roleRows() -> [CatalogRow] {
        ir.principals.map { p in
            let login = p.login ?? (p.kind == .user)
            let validUntil = p.validUntil.map { normalization.timestamps[$0] ?? $0 } ?? "NULL"
            let comment = p.comment.flatMap { $0.isEmpty ? nil : $0 } ?? "NULL"
            return CatalogRow(["role", p.name,
                               "superuser=\(p.superuser ?? false)", "inherit=\(p.inherit ?? true)",
                               "createrole=\(p.createrole ?? false)", "createdb=\(p.createdb ?? false)",
                               "login=\(login)", "replication=\(p.replication ?? false)", "bypassrls=\(p.bypassrls ?? false)",
                               "connection limit=\(p.connectionLimit ?? -1)", "valid until=\(validUntil)",
                               "comment=\(comment)", "password=\(ExpectedCatalog.verifier(p.passwordHashes) ?? "NULL")"])
        }
    }

    /// The verifier PostgreSQL can take: the first SCRAM-SHA-256 one, else the first MD5 one.
    static func verifier(_ hashes: [String]) -> String? {
        if let scram = hashes.first(where: { $0.hasPrefix("SCRAM-SHA-256$") }) { return scram }
        return hashes.first { h in
            h.utf8.count == 35 && h.hasPrefix("md5") && h.dropFirst(3).allSatisfy { $0.isHexDigit }
        }
    }

    func membershipRows() -> [CatalogRow] {
        ir.memberships.map { m in
            var fields = ["member", m.role, m.member, "admin=\(m.admin)"]
            if version >= 16 {
                let memberInherits = ir.principal(named: m.member)?.inherit ?? true
                fields.append("inherit=\(m.inherit ?? memberInherits)")
                fields.append("set=\(m.set ?? true)")
            }
            fields.append("grantor=postgres")
            return CatalogRow(fields)
        }
    }

    func settingRows() -> [CatalogRow] {
        ir.settings.map { s in
            let values = LiveNormalization.listQuotedSettings.contains(s.name)
                ? s.values.map { normalization.quotedIdentifiers[$0] ?? $0 }
                : s.values
            return CatalogRow(["setting", s.role, s.database ?? "*", s.name + "=" + values.joined(separator: ", ")])
        }
    }

    // MARK: default privileges

    struct DefaultKey: Hashable {
        var creator: String
        var schema: String?
        var kind: DefaultObjectKind
    }

    /// pg_default_acl as it must read: a global entry starts from the built-in
    /// default (owner's privileges, PUBLIC EXECUTE on functions) and disappears when
    /// it equals it; a per-schema entry starts empty and disappears when empty.
    func defaultACLs() -> [DefaultKey: ACL] {
        var result: [DefaultKey: ACL] = [:]
        func key(_ fact: IRDefaultGrant) -> DefaultKey {
            DefaultKey(creator: fact.creator ?? "postgres", schema: fact.schema, kind: fact.kind)
        }
        for fact in ir.defaultGrants + ir.defaultRevokes {
            let k = key(fact)
            if result[k] == nil { result[k] = k.schema == nil ? builtinDefault(k.creator, k.kind) : [:] }
        }
        for fact in ir.defaultGrants {
            let holder = Holder(grantee: ExpectedCatalog.granteeName(fact.grantee), privilege: fact.privilege)
            result[key(fact)]![holder] = (result[key(fact)]![holder] ?? false) || fact.grantable
        }
        for fact in ir.defaultRevokes {
            result[key(fact)]![Holder(grantee: ExpectedCatalog.granteeName(fact.grantee), privilege: fact.privilege)] = nil
        }
        return result.filter { k, acl in
            k.schema == nil ? acl != builtinDefault(k.creator, k.kind) : !acl.isEmpty
        }
    }

    func builtinDefault(_ owner: String, _ kind: DefaultObjectKind) -> ACL {
        var acl: ACL = [:]
        for privilege in ownerPrivileges(kind) { acl[Holder(grantee: owner, privilege: privilege)] = false }
        if kind == .functions { acl[Holder(grantee: "PUBLIC", privilege: "EXECUTE")] = false }
        return acl
    }

    /// One probe per (creator, schema, kind) that has default privileges: the objects
    /// to create as that creator, and the ACL rows each must then have.
    struct Probe {
        var creator: String
        /// nil: a database-wide entry, probed in a scratch schema.
        var schema: String?
        var kind: DefaultObjectKind
        var index: Int
    }

    static let probePrefix = "rolec_probe_"
    static let probeSchema = "rolec_probe_schema"

    func probes() -> [Probe] {
        var keys: [DefaultKey] = []
        for fact in ir.defaultGrants + ir.defaultRevokes {
            let k = DefaultKey(creator: fact.creator ?? "postgres", schema: fact.schema, kind: fact.kind)
            if !keys.contains(k) { keys.append(k) }
        }
        return keys.enumerated().map { Probe(creator: $1.creator, schema: $1.schema, kind: $1.kind, index: $0) }
    }

    /// (kind, name) of the objects a probe creates.
    static func probeObjects(_ probe: Probe) -> [(kind: String, name: String)] {
        let base = probePrefix + String(probe.index) + "_"
        switch probe.kind {
        case .tables: return [("table", base + "table"), ("view", base + "view")]
        case .sequences: return [("sequence", base + "sequence")]
        case .functions: return [("function", base + "function"), ("procedure", base + "procedure")]
        }
    }

    /// SQL that creates every probe object as its creator inside a transaction,
    /// reads their ACLs and rolls everything back.
    func probeSQL(_ probes: [Probe]) -> String {
        typealias Q = PostgresServer
        var lines = ["BEGIN;"]
        if probes.contains(where: { $0.schema == nil }) {
            lines.append("CREATE SCHEMA \(Q.quoteIdentifier(ExpectedCatalog.probeSchema));")
        }
        for probe in probes {
            let schema = Q.quoteIdentifier(probe.schema ?? ExpectedCatalog.probeSchema)
            if probe.creator != "postgres" {
                lines.append("GRANT CREATE ON SCHEMA \(schema) TO \(Q.quoteIdentifier(probe.creator));")
                lines.append("SET ROLE \(Q.quoteIdentifier(probe.creator));")
            }
            for object in ExpectedCatalog.probeObjects(probe) {
                let name = schema + "." + Q.quoteIdentifier(object.name)
                switch object.kind {
                case "table": lines.append("CREATE TABLE \(name) (id integer);")
                case "view": lines.append("CREATE VIEW \(name) AS SELECT 1 AS id;")
                case "sequence": lines.append("CREATE SEQUENCE \(name);")
                case "function": lines.append("CREATE FUNCTION \(name)() RETURNS integer LANGUAGE sql AS 'SELECT 1';")
                default: lines.append("CREATE PROCEDURE \(name)() LANGUAGE plpgsql AS 'BEGIN END';")
                }
            }
            if probe.creator != "postgres" { lines.append("RESET ROLE;") }
        }
        lines.append(CatalogReader.probeQuery(prefix: ExpectedCatalog.probePrefix))
        lines.append("ROLLBACK;")
        return lines.joined(separator: "\n")
    }

    /// The ACL rows each probe object must have: the creator's global entry (or the
    /// built-in default) merged with its entry for the object's schema.
    func probeRows(_ probes: [Probe]) -> Set<CatalogRow> {
        let defaults = defaultACLs()
        var rows = Set<CatalogRow>()
        for probe in probes {
            let schema = probe.schema ?? ExpectedCatalog.probeSchema
            var acl = defaults[DefaultKey(creator: probe.creator, schema: nil, kind: probe.kind)] ?? builtinDefault(probe.creator, probe.kind)
            for (holder, grantable) in defaults[DefaultKey(creator: probe.creator, schema: schema, kind: probe.kind)] ?? [:] {
                acl[holder] = (acl[holder] ?? false) || grantable
            }
            for object in ExpectedCatalog.probeObjects(probe) {
                let identity = schema + "." + object.name + (probe.kind == .functions ? "()" : "")
                for (holder, grantable) in acl where holder.grantee != probe.creator {
                    rows.insert(CatalogRow(["new object", identity, object.kind, holder.grantee, holder.privilege,
                                            "grantable=\(grantable)", "grantor=\(probe.creator)"]))
                }
            }
        }
        return rows
    }
}
