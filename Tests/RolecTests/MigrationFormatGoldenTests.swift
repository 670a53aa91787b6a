import Foundation
import Testing
@testable import Rolec
@testable import RolecCLI

/// Every migration format on every dialect: `rolec migrate` (in-process) over the shop
/// series v1 -> v2 -> v3 with fixed versions; every file written (and the snapshot) is
/// compared with dialects/migrations/shop/expected/formats/<format>-<dialect>/.
/// `UPDATE_GOLDEN=1` rewrites a case's folder (stale files are removed).
@Suite("Migration formats (golden)")
struct MigrationFormatGoldenTests {
    static let series: URL = Golden.examples.deletingLastPathComponent().appendingPathComponent("migrations/shop")
    static let expected: URL = series.appendingPathComponent("expected/formats")

    static let cases: [String] = {
        var cases: [String] = []
        for dialect in ["postgres", "mysql", "mariadb", "sqlite"] {
            for format in MigrationFormat.allCases { cases.append("\(format.rawValue)-\(dialect)") }
        }
        return cases
    }()

    static func version(_ index: Int, _ format: MigrationFormat) -> String {
        format.usesSequenceNumbers ? String(index) : "2026010\(index)120000"
    }

    @Test(arguments: cases)
    func seriesMatchesGolden(_ name: String) throws {
        let dash = try #require(name.range(of: "-", options: .backwards))
        let format = try #require(MigrationFormat(rawValue: String(name[..<dash.lowerBound])))
        let dialect = String(name[dash.upperBound...])
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-formats-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let policy = root.appendingPathComponent("policy")
        let migrations = root.appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: policy, withIntermediateDirectories: true)

        for (index, step) in ["v1", "v2", "v3"].enumerated() {
            let source = Self.series.appendingPathComponent(step).appendingPathComponent("shop.roles")
            try Data(contentsOf: source).write(to: policy.appendingPathComponent("shop.roles"))
            let out = CapturedSink(), err = CapturedSink()
            let code = run(arguments: ["migrate", policy.path, "--dir", migrations.path, "--dialect", dialect,
                                       "--format", format.rawValue, "--name", step, "--version", Self.version(index + 1, format)],
                           stdin: { [] }, stdout: out, stderr: err)
            #expect(code == 0, "\(name) \(step): exit \(code)\n\(err.text)")
        }
        let verify = CapturedSink()
        #expect(run(arguments: ["log", "--dir", migrations.path, "--verify"], stdin: { [] }, stdout: verify, stderr: CapturedSink()) == 0)
        #expect(verify.text == "3 migrations, chain intact\n")

        let actual = try Self.files(below: migrations)
        let folder = Self.expected.appendingPathComponent(name)
        if Golden.update {
            try? FileManager.default.removeItem(at: folder)
            for (path, contents) in actual {
                let url = folder.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url, atomically: true, encoding: .utf8)
            }
            return
        }
        let golden = (try? Self.files(below: folder)) ?? [:]
        if golden.isEmpty {
            Issue.record("expected/formats/\(name) is missing; run UPDATE_GOLDEN=1 swift test and review it")
            return
        }
        #expect(golden.keys.sorted() == actual.keys.sorted(), "\(name): the files written differ from the golden folder's")
        for (path, contents) in actual.sorted(by: { $0.key < $1.key }) {
            guard let expected = golden[path], expected != contents else { continue }
            let diff = UnifiedDiff.diff(expected: expected, actual: contents, expectedName: "\(name)/\(path)", actualName: "actual")
            Issue.record("expected/formats/\(name)/\(path) differs:\n\(diff)")
        }
    }

    /// Relative path -> contents of every file below a directory.
    static func files(below directory: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return result }
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let url = directory.appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            result[relative] = try String(contentsOf: url, encoding: .utf8)
        }
        return result
    }
}

/// How each format frames statements, independent of what a dialect renders: a
/// transaction of ours only where the tool has none, and the right marking of compound
/// statements for the tool that splits the file.
@Suite("Migration format framing")
struct MigrationFormatFramingTests {
    static let mysql = MySQLDialect(flavour: .mariadb).migrationTraits
    static let postgres = PostgresDialect().migrationTraits
    static let sqlite = SQLiteDialect().migrationTraits

    func document(_ traits: MigrationScriptTraits) -> MigrationDocument {
        let up = [MigrationSection("Grant privileges", [
            MigrationStatement("GRANT x TO y;"),
            MigrationStatement("BEGIN NOT ATOMIC\n  GRANT a TO b;\nEND;", compound: true),
        ])]
        let down = [MigrationSection("Revoke privileges", [MigrationStatement("REVOKE x FROM y;")])]
        return MigrationDocument(version: "20260101000000", name: "n", header: ["generated"], up: up, down: down,
                                 verify: "SELECT 1;\n", traits: traits)
    }

    func files(_ format: MigrationFormat, _ traits: MigrationScriptTraits, plan: String? = nil) throws -> [String: String] {
        let files = try format.files(document(traits), project: "p", existing: { $0 == "sqitch.plan" ? plan : nil })
        return Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.contents) })
    }

    @Test func compoundStatementsPerTool() throws {
        // Client-run files get DELIMITER on MySQL/MariaDB; driver-run files never do.
        for format in [MigrationFormat.plain, .sqitch, .flyway] {
            let text = try files(format, Self.mysql).values.joined()
            #expect(text.contains("DELIMITER //\nBEGIN NOT ATOMIC\n  GRANT a TO b;\nEND//\nDELIMITER ;"), "\(format)")
        }
        for format in [MigrationFormat.dbmate, .golangMigrate, .goose, .liquibase] {
            #expect(!(try files(format, Self.mysql).values.joined().contains("DELIMITER")), "\(format)")
        }
        #expect(!(try files(.plain, Self.postgres).values.joined().contains("DELIMITER")))
        let goose = try #require(try files(.goose, Self.postgres)["20260101000000_n.sql"])
        #expect(goose.contains("-- +goose StatementBegin\nBEGIN NOT ATOMIC\n  GRANT a TO b;\nEND;\n-- +goose StatementEnd"))
        #expect(goose.contains("GRANT x TO y;\nBEGIN") == false)
        let liquibase = try #require(try files(.liquibase, Self.postgres)["20260101000000_n.sql"])
        #expect(liquibase.hasPrefix("--liquibase formatted sql\n"))
        #expect(liquibase.contains("--changeset rolec:20260101000000-n splitStatements:false\n"))
        #expect(liquibase.contains("--rollback REVOKE x FROM y;\n"))
    }

    @Test func transactionsOnlyWhereTheToolHasNone() throws {
        func wrapped(_ format: MigrationFormat, _ traits: MigrationScriptTraits) throws -> Bool {
            try files(format, traits).values.contains { $0.contains("\nBEGIN;\n") }
        }
        for format in [MigrationFormat.golangMigrate, .sqitch, .plain] { #expect(try wrapped(format, Self.postgres), "\(format)") }
        for format in [MigrationFormat.dbmate, .flyway, .goose, .liquibase] { #expect(try !wrapped(format, Self.postgres), "\(format)") }
        #expect(try wrapped(.plain, Self.sqlite) && wrapped(.sqitch, Self.sqlite))
        #expect(try !wrapped(.golangMigrate, Self.sqlite))  // its sqlite3 driver wraps
        for format in MigrationFormat.allCases { #expect(try !wrapped(format, Self.mysql), "\(format)") }
    }

    @Test func fileNamesFollowEachTool() throws {
        #expect(try Set(files(.dbmate, Self.postgres).keys) == ["20260101000000_n.sql"])
        #expect(try Set(files(.goose, Self.postgres).keys) == ["20260101000000_n.sql"])
        #expect(try Set(files(.liquibase, Self.postgres).keys) == ["20260101000000_n.sql"])
        #expect(try Set(files(.golangMigrate, Self.postgres).keys) == ["20260101000000_n.up.sql", "20260101000000_n.down.sql"])
        #expect(try Set(files(.plain, Self.postgres).keys) == ["20260101000000_n.up.sql", "20260101000000_n.down.sql"])
        #expect(try Set(files(.flyway, Self.postgres).keys) == ["V20260101000000__n.sql", "U20260101000000__n.sql"])
        let sqitch = try files(.sqitch, Self.postgres)
        #expect(Set(sqitch.keys) == ["deploy/n.sql", "revert/n.sql", "verify/n.sql", "sqitch.plan"])
        #expect(sqitch["sqitch.plan"] == "%syntax-version=1.0.0\n%project=p\n\nn 2026-01-01T00:00:00Z rolec <rolec@localhost> # rolec migration 20260101000000\n")
        #expect(sqitch["verify/n.sql"]?.hasSuffix("SELECT 1;\n") == true)
        // An existing plan is appended to; a change name it has is refused.
        let appended = try files(.sqitch, Self.postgres, plan: "%syntax-version=1.0.0\n%project=q\n\nfirst 2025-01-01T00:00:00Z a <a@b> # x\n@v1 2025-01-02T00:00:00Z a <a@b>")
        #expect(appended["sqitch.plan"]?.hasPrefix("%syntax-version=1.0.0\n%project=q\n\nfirst 2025") == true)
        #expect(appended["sqitch.plan"]?.hasSuffix("<a@b>\nn 2026-01-01T00:00:00Z rolec <rolec@localhost> # rolec migration 20260101000000\n") == true)
        #expect(throws: MigrationFormatError.self) { try files(.sqitch, Self.postgres, plan: "%project=q\n\nn 2025-01-01T00:00:00Z a <a@b>\n") }
    }
}
