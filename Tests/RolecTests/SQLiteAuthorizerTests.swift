// The SQLite authorizer: its action-code mapping on its own (no database), then
// per principal, over a small schema: a policy compiled for SQLite is
// applied to a fresh file and statements run through SQLitePrincipalConnection.

import CSQLite
import Foundation
import Testing
@testable import Rolec
@testable import RolecSQLite

/// A fresh database file in a temporary directory, removed by `remove()`.
struct SQLiteScratch {
    let directory: URL
    let path: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("test.db").path
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// A connection to the file, or nil (with a visible skip) when SQLite cannot open one here.
    func open() -> SQLiteConnection? {
        do {
            return try SQLiteConnection(path: path)
        } catch {
            print("SKIP: SQLite cannot open a database file in \(directory.path): \(error)")
            return nil
        }
    }
}

@Suite("SQLite authorizer: action codes")
struct SQLiteAuthorizerMappingTests {
    typealias Row = SQLitePrivileges.Row

    func authorizer(_ rows: [Row], snapshot: SQLiteSchemaSnapshot = SQLiteSchemaSnapshot()) -> SQLiteAuthorizer {
        SQLiteAuthorizer(principal: "p", privileges: SQLitePrivileges(rows: rows), snapshot: snapshot)
    }

    func row(_ privilege: String, _ kind: String, _ schema: String = "main", _ object: String = "", _ column: String = "") -> Row {
        Row(privilege: privilege, objectKind: kind, schema: schema, object: object, column: column)
    }

    @Test func tablePrivilegesMapToTheirActions() {
        var a = authorizer([row("SELECT", "table", "main", "t"), row("INSERT", "table", "main", "t"), row("UPDATE", "table", "main", "t", "b")])
        #expect(a.authorize(SQLITE_READ, "t", "a", "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_READ, "T", "A", "MAIN", nil) == SQLITE_OK)   // SQLite names ignore ASCII case
        #expect(a.authorize(SQLITE_READ, "u", "a", "main", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_READ, "t", "a", "aux", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_INSERT, "t", nil, "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_UPDATE, "t", "b", "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_UPDATE, "t", "a", "main", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_DELETE, "t", nil, "main", nil) == SQLITE_DENY)
        #expect(a.lastDenial?.contains("DELETE on main.t") == true)
    }

    @Test func columnGrantsCoverOnlyTheirColumns() {
        var a = authorizer([row("SELECT", "table", "main", "c", "id")])
        #expect(a.authorize(SQLITE_READ, "c", "id", "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_READ, "c", "secret", "main", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_READ, "c", "", "main", nil) == SQLITE_OK)   // count(*): some column is readable
    }

    @Test func allTablesOfASchemaCoverEveryTableThere() {
        var a = authorizer([row("SELECT", "all tables", "main")])
        #expect(a.authorize(SQLITE_READ, "anything", "x", "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_READ, "anything", "x", "aux", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_INSERT, "anything", nil, "main", nil) == SQLITE_DENY)
    }

    @Test func replaceNeedsDelete() {
        var snapshot = SQLiteSchemaSnapshot()
        snapshot.add(schema: "main", type: "table", name: "k", table: "k", sql: "CREATE TABLE k(a INTEGER PRIMARY KEY, b TEXT UNIQUE ON CONFLICT REPLACE)")
        snapshot.add(schema: "main", type: "table", name: "t", table: "t", sql: "CREATE TABLE t(a)")
        snapshot.add(schema: "main", type: "trigger", name: "tr", table: "t", sql: "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT OR REPLACE INTO t2 VALUES (1); END")
        var a = authorizer([row("INSERT", "all tables"), row("UPDATE", "all tables")], snapshot: snapshot)
        a.beginStatement(mayReplace: false)
        #expect(a.authorize(SQLITE_INSERT, "t", nil, "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_INSERT, "k", nil, "main", nil) == SQLITE_DENY)        // ON CONFLICT REPLACE table
        #expect(a.authorize(SQLITE_UPDATE, "k", "b", "main", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_INSERT, "t2", nil, "main", "tr") == SQLITE_DENY)      // REPLACE in a trigger body
        #expect(a.authorize(SQLITE_INSERT, "t2", nil, "main", "unknown_trigger") == SQLITE_DENY)
        a.beginStatement(mayReplace: true)
        #expect(a.authorize(SQLITE_INSERT, "t", nil, "main", nil) == SQLITE_DENY)        // REPLACE INTO t
        var b = authorizer([row("INSERT", "all tables"), row("DELETE", "all tables")], snapshot: snapshot)
        b.beginStatement(mayReplace: true)
        #expect(b.authorize(SQLITE_INSERT, "t", nil, "main", nil) == SQLITE_OK)
        #expect(b.authorize(SQLITE_INSERT, "k", nil, "main", nil) == SQLITE_OK)
    }

    @Test func replaceDetectionIgnoresTheFunctionStringsAndComments() {
        #expect(SQLTokens.mayReplace("REPLACE INTO t VALUES (1)"))
        #expect(SQLTokens.mayReplace("insert or replace into t values (1)"))
        #expect(SQLTokens.mayReplace("UPDATE OR REPLACE t SET a = 1"))
        #expect(SQLTokens.mayReplace("WITH x AS (SELECT 1) REPLACE INTO t SELECT * FROM x"))
        #expect(!SQLTokens.mayReplace("UPDATE t SET a = replace(a, 'x', 'y')"))
        #expect(!SQLTokens.mayReplace("UPDATE t SET a = REPLACE (a, 'x', 'y')"))
        #expect(!SQLTokens.mayReplace("INSERT INTO t VALUES ('REPLACE INTO')"))
        #expect(!SQLTokens.mayReplace("INSERT INTO \"replace\" VALUES (1) -- or replace\n"))
        #expect(!SQLTokens.mayReplace("INSERT INTO t VALUES (1) /* OR REPLACE */"))
        #expect(SQLiteSchemaSnapshot.hasReplaceConstraint("CREATE TABLE k(a PRIMARY KEY ON CONFLICT REPLACE)"))
        #expect(!SQLiteSchemaSnapshot.hasReplaceConstraint("CREATE TABLE k(a, b DEFAULT 'ON CONFLICT REPLACE')"))
    }

    @Test func statementBoundariesFollowSQLite() {
        let sql = Array("SELECT ';'; CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END; SELECT 3".utf8)
        let first = SQLTokens.statementEnd(sql, from: 0)
        #expect(String(decoding: sql[0..<first], as: UTF8.self) == "SELECT ';';")
        let second = SQLTokens.statementEnd(sql, from: first)
        #expect(String(decoding: sql[first..<second], as: UTF8.self) == " CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;")
        #expect(SQLTokens.statementEnd(sql, from: second) == sql.count)
    }

    @Test func theCatalogIsNeverWritable() {
        var a = authorizer([row("INSERT", "all tables"), row("UPDATE", "all tables"), row("DELETE", "all tables"), row("CREATE", "schema"),
                            row("TRIGGER", "all tables"), row("TEMPORARY", "database", "", "db")])
        for table in ["rolec_principal", "rolec_membership", "rolec_grant", "ROLEC_GRANT"] {
            #expect(a.authorize(SQLITE_INSERT, table, nil, "main", nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_UPDATE, table, "name", "main", nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_DELETE, table, nil, "main", nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_DROP_TABLE, table, nil, "main", nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_ALTER_TABLE, "main", table, nil, nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_CREATE_TRIGGER, "x", table, "main", nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_CREATE_TEMP_TRIGGER, "x", table, "temp", nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_CREATE_INDEX, "x", table, "main", nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_CREATE_TEMP_TABLE, table, nil, "temp", nil) == SQLITE_DENY)
            #expect(a.authorize(SQLITE_READ, table, "name", "main", nil) == SQLITE_OK)   // readable, like PostgreSQL's catalogs
        }
        #expect(a.authorize(SQLITE_DROP_VIEW, "rolec_effective_grant", nil, "main", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_CREATE_VIEW, "rolec_effective_grant", nil, "main", nil) == SQLITE_DENY)
    }

    @Test func attachVacuumPragmasAndExtensionsAreDenied() {
        var a = authorizer([row("CREATE", "schema"), row("MAINTAIN", "all tables")])
        #expect(a.authorize(SQLITE_ATTACH, "/tmp/x.db", nil, nil, nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_ATTACH, "", nil, nil, nil) == SQLITE_DENY)   // VACUUM
        #expect(a.authorize(SQLITE_DETACH, "aux", nil, nil, nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_PRAGMA, "writable_schema", "ON", nil, nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_PRAGMA, "query_only", "0", nil, nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_PRAGMA, "query_only", nil, nil, nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_PRAGMA, "table_info", "t", nil, nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_FUNCTION, nil, "load_extension", nil, nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_FUNCTION, nil, "upper", nil, nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_COPY, nil, nil, nil, nil) == SQLITE_DENY)
    }

    @Test func ddlNeedsCreateOnTheSchema() {
        var a = authorizer([row("CREATE", "schema", "main"), row("TRIGGER", "table", "aux", "t"), row("MAINTAIN", "table", "aux", "t")])
        #expect(a.authorize(SQLITE_CREATE_TABLE, "n", nil, "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_INSERT, "sqlite_master", nil, "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_CREATE_TABLE, "n", nil, "aux", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_DROP_TABLE, "n", nil, "main", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_DELETE, "n", nil, "main", nil) == SQLITE_OK)   // DROP TABLE empties what it drops
        a.beginStatement(mayReplace: false)
        #expect(a.authorize(SQLITE_DELETE, "n", nil, "main", nil) == SQLITE_DENY)  // not in another statement
        #expect(a.authorize(SQLITE_ALTER_TABLE, "main", "n", nil, nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_ALTER_TABLE, "aux", "t", nil, nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_CREATE_TRIGGER, "tr", "t", "aux", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_CREATE_TRIGGER, "tr", "u", "aux", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_ANALYZE, "t", nil, "aux", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_ANALYZE, "u", nil, "aux", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_CREATE_TEMP_TABLE, "x", nil, "temp", nil) == SQLITE_DENY)   // no TEMPORARY
        var nobody = authorizer([])
        #expect(nobody.authorize(SQLITE_INSERT, "sqlite_master", nil, "main", nil) == SQLITE_DENY)
        #expect(nobody.authorize(SQLITE_READ, "sqlite_master", "sql", "main", nil) == SQLITE_OK)
    }

    @Test func viewsGrantTheirOwnReads() {
        var snapshot = SQLiteSchemaSnapshot()
        snapshot.add(schema: "main", type: "view", name: "v", table: "v", sql: "CREATE VIEW v AS SELECT a FROM t")
        var a = authorizer([row("SELECT", "view", "main", "v")], snapshot: snapshot)
        #expect(a.authorize(SQLITE_READ, "t", "a", "main", "v") == SQLITE_OK)
        #expect(a.authorize(SQLITE_READ, "t", "a", "main", nil) == SQLITE_DENY)
        #expect(a.authorize(SQLITE_READ, "t", "a", "main", "other") == SQLITE_DENY)
        // A principal that may create views in the schema could define one over anything: no view rights there.
        var creator = authorizer([row("SELECT", "view", "main", "v"), row("CREATE", "schema", "main")], snapshot: snapshot)
        #expect(creator.authorize(SQLITE_READ, "t", "a", "main", "v") == SQLITE_DENY)
    }

    @Test func temporaryCoversTheTempSchemaOnly() {
        var a = authorizer([row("TEMPORARY", "database", "", "appdb")])
        #expect(a.authorize(SQLITE_CREATE_TEMP_TABLE, "x", nil, "temp", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_INSERT, "x", nil, "temp", nil) == SQLITE_OK)
        #expect(a.authorize(SQLITE_INSERT, "x", nil, "main", nil) == SQLITE_DENY)
        var named = SQLiteAuthorizer(principal: "p", privileges: SQLitePrivileges(rows: [row("TEMPORARY", "database", "", "appdb")], database: "other"))
        #expect(named.authorize(SQLITE_CREATE_TEMP_TABLE, "x", nil, "temp", nil) == SQLITE_DENY)
    }
}

@Suite("SQLite authorizer: per principal, on a real file")
struct SQLiteAuthorizerSessionTests {
    static let policy = """
    # The authorizer policy: nested roles, noinherit, column grants, PUBLIC, DDL, maintenance.
    role reader { grant select on all tables in schema main }
    role writer {
      member of reader
      grant insert, update on table main.orders
      grant insert on table main.audit_log
    }
    user alice { member of writer }                       # alice -> writer -> reader
    user bob {
      grant select (id, status), update (status) on table main.customers
      grant insert on table main.orders                   # but not on audit_log: the trigger's insert is his
    }
    role auditor { grant select on table main.audit_log }
    role lead { noinherit  member of auditor  grant select on table main.customers }
    user erin { member of lead }                          # inherits lead's grants, not auditor's (lead is noinherit)
    user dave { noinherit  member of reader }             # inherits nothing
    user viewer { grant select on view main.order_summary }
    user builder { grant create on schema main  grant select, insert on all tables in schema main }
    user keeper { profile maintenance on schema main }
    user temp_user { grant temporary on database app }
    user cleaner { grant select, insert, delete on table main.orders, main.audit_log }
    user half_cleaner { grant select, insert, delete on table main.orders  grant insert on table main.audit_log }
    user expired { valid until '2001-01-01'  grant select on table main.notice }
    grant select on table main.notice to public
    """

    static let schema = """
    CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL, qty INTEGER, internal_note TEXT);
    CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, status TEXT);
    CREATE TABLE audit_log (order_id INTEGER, at TEXT);
    CREATE TABLE notice (msg TEXT);
    CREATE TABLE codes (code TEXT UNIQUE ON CONFLICT REPLACE, label TEXT);
    CREATE VIEW order_summary AS SELECT id, item FROM orders;
    CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN INSERT INTO audit_log VALUES (new.id, 'now'); END;
    INSERT INTO orders VALUES (1, 'apple', 3, 'vip'), (2, 'pear', 1, NULL);
    INSERT INTO customers VALUES (1, 'a@example.org', 'new');
    INSERT INTO notice VALUES ('hello');
    INSERT INTO codes VALUES ('A', 'first');
    """

    /// The database with the schema and the policy's catalog; nil (skipped) when SQLite cannot open a file.
    static func setUp(_ scratch: SQLiteScratch) throws -> SQLiteConnection? {
        guard let db = scratch.open() else { return nil }
        let output = Compilation(files: [SourceFile(id: 0, path: "authorizer.roles", text: policy)])
            .compile(for: Target(dialect: SQLiteDialect(), version: "3.40"))
        let script = try #require(output.script, "the policy must compile: \(output.diagnostics.map(\.message))")
        try db.execute(schema)
        try db.apply(script: script)
        return db
    }

    func allowed(_ session: SQLitePrincipalConnection, _ sql: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try session.execute(sql)
        } catch {
            Issue.record("\(session.principal) should be allowed: \(sql)\n  \(error)", sourceLocation: sourceLocation)
        }
    }

    func denied(_ session: SQLitePrincipalConnection, _ sql: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try session.execute(sql)
            Issue.record("\(session.principal) should be denied: \(sql)", sourceLocation: sourceLocation)
        } catch let error as SQLiteError {
            #expect(error.isDenied, "\(sql): expected SQLITE_AUTH, got \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(sql): \(error)", sourceLocation: sourceLocation)
        }
    }

    func count(_ db: SQLiteConnection, _ table: String) throws -> Int64 {
        try db.query("SELECT count(*) FROM \(table)").first?.first?.integer ?? -1
    }

    @Test func nestedRolesWriteButNeitherDeleteNorReplace() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = try Self.setUp(scratch) else { return }
        let alice = try SQLitePrincipalConnection(connection: db, principal: "alice")
        defer { alice.close() }
        allowed(alice, "SELECT id, item, qty, internal_note FROM orders")           // reader, two levels up
        allowed(alice, "SELECT * FROM customers; SELECT msg FROM notice")
        allowed(alice, "INSERT INTO orders (item, qty) VALUES ('plum', 2)")         // writer; trigger inserts into audit_log (granted)
        allowed(alice, "UPDATE orders SET qty = qty + 1 WHERE id = 1")
        allowed(alice, "INSERT INTO orders (id, item) VALUES (1, 'apple') ON CONFLICT (id) DO UPDATE SET qty = 9")
        denied(alice, "DELETE FROM orders WHERE id = 2")
        denied(alice, "DELETE FROM orders")
        denied(alice, "REPLACE INTO orders (id, item) VALUES (2, 'gone')")
        denied(alice, "INSERT OR REPLACE INTO orders (id, item) VALUES (2, 'gone')")
        denied(alice, "UPDATE OR REPLACE orders SET id = 2 WHERE id = 1")
        denied(alice, "UPDATE customers SET status = 'x'")
        alice.close()
        #expect(try count(db, "orders") == 3)
        #expect(try db.query("SELECT item FROM orders WHERE id = 2").first?.first == .text("pear"))
        #expect(try db.query("SELECT qty FROM orders WHERE id = 1").first?.first == .integer(9))
    }

    @Test func columnGrantsAndInvokerTriggers() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = try Self.setUp(scratch) else { return }
        let bob = try SQLitePrincipalConnection(connection: db, principal: "bob")
        defer { bob.close() }
        allowed(bob, "SELECT id, status FROM customers WHERE id = 1")
        #expect(try bob.query("SELECT status FROM customers WHERE id = ?", [.integer(1)]) == [[.text("new")]])
        allowed(bob, "SELECT count(*) FROM customers")
        denied(bob, "SELECT email FROM customers")
        denied(bob, "SELECT * FROM customers")
        denied(bob, "SELECT id FROM customers WHERE email LIKE '%example%'")   // a WHERE reads too
        allowed(bob, "UPDATE customers SET status = 'vip' WHERE id = 1")
        denied(bob, "UPDATE customers SET email = 'x' WHERE id = 1")
        denied(bob, "UPDATE customers SET status = 'x' RETURNING email")
        // The orders trigger inserts into audit_log as bob, who may not.
        denied(bob, "INSERT INTO orders (item) VALUES ('kiwi')")
        allowed(bob, "SELECT msg FROM notice")   // PUBLIC
        bob.close()
        #expect(try db.query("SELECT status FROM customers WHERE id = 1").first?.first == .text("vip"))
        #expect(try count(db, "orders") == 2)
    }

    @Test func theCatalogCannotBeEditedNorTheFileEscaped() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = try Self.setUp(scratch) else { return }
        let before = try db.readCatalog()
        for name in ["alice", "builder", "temp_user"] {
            let session = try SQLitePrincipalConnection(connection: db, principal: name)
            denied(session, "INSERT INTO rolec_grant VALUES ('\(name)', 'DELETE', 'all tables', 'main', '', '', 0)")
            denied(session, "UPDATE rolec_principal SET login = 1 WHERE name = 'reader'")
            denied(session, "DELETE FROM rolec_membership")
            denied(session, "INSERT OR REPLACE INTO rolec_principal VALUES ('x', 'user', 0, 1, 1, NULL, NULL)")
            denied(session, "DROP TABLE rolec_grant")
            denied(session, "DROP VIEW rolec_effective_grant")
            denied(session, "ALTER TABLE rolec_grant RENAME TO old_grants")
            // A trigger body is not authorized when created; it would run in trusted connections too.
            denied(session, "CREATE TRIGGER sneak AFTER INSERT ON orders BEGIN DELETE FROM rolec_grant; END")
            denied(session, "CREATE TRIGGER sneak AFTER INSERT ON orders BEGIN DELETE FROM main.\"ROLEC_GRANT\"; END")
            denied(session, "CREATE TEMP TRIGGER sneak AFTER INSERT ON main.rolec_grant BEGIN SELECT 1; END")
            denied(session, "ATTACH DATABASE '\(scratch.directory.path)/other.db' AS other")
            denied(session, "VACUUM")
            denied(session, "VACUUM INTO '\(scratch.directory.path)/copy.db'")
            denied(session, "PRAGMA writable_schema = ON")
            denied(session, "PRAGMA foreign_keys = OFF")
            allowed(session, "SELECT privilege FROM rolec_effective_grant WHERE principal = '\(name)'")
            session.close()
        }
        #expect(try db.readCatalog() == before)
        #expect(!FileManager.default.fileExists(atPath: scratch.directory.appendingPathComponent("copy.db").path))
        #expect(!FileManager.default.fileExists(atPath: scratch.directory.appendingPathComponent("other.db").path))
    }

    @Test func noinheritStopsTheChain() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = try Self.setUp(scratch) else { return }
        let erin = try SQLitePrincipalConnection(connection: db, principal: "erin")
        allowed(erin, "SELECT email FROM customers")        // lead's own grant
        denied(erin, "SELECT order_id FROM audit_log")     // auditor's, behind noinherit lead
        erin.close()
        let dave = try SQLitePrincipalConnection(connection: db, principal: "dave")
        denied(dave, "SELECT item FROM orders")            // dave is noinherit: reader's grant does not reach him
        allowed(dave, "SELECT msg FROM notice")            // PUBLIC does
        dave.close()
    }

    @Test func viewsDDLMaintenanceAndTemporaryObjects() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = try Self.setUp(scratch) else { return }
        let viewer = try SQLitePrincipalConnection(connection: db, principal: "viewer")
        allowed(viewer, "SELECT id, item FROM order_summary")
        denied(viewer, "SELECT internal_note FROM orders")
        denied(viewer, "SELECT item FROM orders")
        viewer.close()

        let builder = try SQLitePrincipalConnection(connection: db, principal: "builder")
        allowed(builder, "CREATE TABLE scratch_notes (id INTEGER PRIMARY KEY, body TEXT)")
        allowed(builder, "INSERT INTO scratch_notes (body) VALUES ('a'); SELECT body FROM scratch_notes")   // a table created later: 'all tables'
        allowed(builder, "CREATE INDEX scratch_notes_body ON scratch_notes (body)")
        allowed(builder, "ALTER TABLE scratch_notes ADD COLUMN extra TEXT")
        denied(builder, "DELETE FROM scratch_notes")
        allowed(builder, "DROP TABLE scratch_notes")
        denied(builder, "CREATE TEMP TABLE t (a)")
        builder.close()

        let keeper = try SQLitePrincipalConnection(connection: db, principal: "keeper")
        allowed(keeper, "ANALYZE main.orders")
        allowed(keeper, "ANALYZE")
        denied(keeper, "INSERT INTO notice VALUES ('x')")
        denied(keeper, "CREATE TABLE x (a)")
        keeper.close()

        let temp = try SQLitePrincipalConnection(connection: db, principal: "temp_user")
        allowed(temp, "CREATE TEMP TABLE work (a); INSERT INTO work VALUES (1); SELECT count(*) FROM work; DELETE FROM work; DROP TABLE work")
        denied(temp, "CREATE TABLE main.work (a)")
        denied(temp, "SELECT item FROM orders")
        temp.close()
    }

    @Test func replaceConstraintsAndDeleteHolders() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = try Self.setUp(scratch) else { return }
        try db.apply(script: try #require(Compilation(files: [SourceFile(id: 0, path: "authorizer.roles", text: Self.policy + "\ngrant insert on table main.codes to alice")])
            .compile(for: Target(dialect: SQLiteDialect(), version: "3.40")).script))
        let alice = try SQLitePrincipalConnection(connection: db, principal: "alice")
        denied(alice, "INSERT INTO codes VALUES ('A', 'second')")   // the table's ON CONFLICT REPLACE would delete row 'A'
        alice.close()
        #expect(try db.query("SELECT label FROM codes").map { $0.first } == [.text("first")])
        // An outer REPLACE also governs the INSERTs of the triggers it fires (SQLite's rule):
        // the audit trigger's insert could delete audit rows, so DELETE on audit_log is needed too.
        let half = try SQLitePrincipalConnection(connection: db, principal: "half_cleaner")
        denied(half, "REPLACE INTO orders (id, item) VALUES (2, 'pear2')")
        allowed(half, "INSERT INTO orders (item) VALUES ('fig'); DELETE FROM orders WHERE item = 'fig'")
        half.close()
        let cleaner = try SQLitePrincipalConnection(connection: db, principal: "cleaner")
        allowed(cleaner, "REPLACE INTO orders (id, item) VALUES (2, 'pear2')")
        allowed(cleaner, "DELETE FROM orders WHERE id = 1")
        cleaner.close()
        #expect(try db.query("SELECT id, item FROM orders ORDER BY id") == [[.integer(2), .text("pear2")]])
    }

    @Test func whoMayConnect() throws {
        let scratch = try SQLiteScratch()
        defer { scratch.remove() }
        guard let db = try Self.setUp(scratch) else { return }
        #expect(throws: SQLitePrincipalConnection.Refusal.noLogin("reader")) { _ = try SQLitePrincipalConnection(connection: db, principal: "reader") }
        #expect(throws: SQLitePrincipalConnection.Refusal.unknownPrincipal("mallory")) { _ = try SQLitePrincipalConnection(connection: db, principal: "mallory") }
        #expect(throws: SQLitePrincipalConnection.Refusal.expired("expired", validUntil: "2001-01-01")) { _ = try SQLitePrincipalConnection(connection: db, principal: "expired") }
        let empty = try SQLiteScratch()
        defer { empty.remove() }
        let bare = try #require(empty.open())
        #expect(throws: SQLitePrincipalConnection.Refusal.noCatalog) { _ = try SQLitePrincipalConnection(connection: bare, principal: "alice") }
        // One authorizer per connection: a second principal connection on it is refused,
        // and while one is open the underlying connection is checked as that principal.
        let alice = try SQLitePrincipalConnection(connection: db, principal: "alice")
        #expect(throws: SQLitePrincipalConnection.Refusal.connectionInUse) { _ = try SQLitePrincipalConnection(connection: db, principal: "bob") }
        #expect(throws: SQLiteError.self) { try db.execute("DELETE FROM notice") }
        alice.close()
        alice.close()
        // After close() the connection is unrestricted again (the trusted side).
        try db.execute("DELETE FROM notice")
        #expect(try count(db, "notice") == 0)
    }
}
