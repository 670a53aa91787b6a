import Foundation
import Testing
@testable import Rolec
@testable import RolecCLI

/// `rolec diff`, `plan`, `migrate` and `log` through `run`, on the shop series
/// (dialects/migrations/shop): what is written, what is refused, and the hash chain.
@Suite("Migration commands")
struct MigrateCLITests {
    struct Result { var code: Int32; var out: String; var err: String }

    static let series: URL = Golden.examples.deletingLastPathComponent().appendingPathComponent("migrations/shop")

    func rolec(_ arguments: [String], stdin: String = "") -> Result {
        let out = CapturedSink(), err = CapturedSink()
        let code = run(arguments: arguments, stdin: { Array(stdin.utf8) }, stdout: out, stderr: err)
        return Result(code: code, out: out.text, err: err.text)
    }

    /// A scratch folder with `policy/shop.roles` (set by `use`) and `migrations/`.
    final class Workspace {
        let root: URL
        var policy: URL { root.appendingPathComponent("policy") }
        var migrations: URL { root.appendingPathComponent("migrations") }
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-migrate-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("policy"), withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: root) }

        func use(_ version: String) throws {
            let source = MigrateCLITests.series.appendingPathComponent(version).appendingPathComponent("shop.roles")
            try Data(contentsOf: source).write(to: policy.appendingPathComponent("shop.roles"))
        }

        /// Relative path -> contents of everything in `migrations/`.
        func written() throws -> [String: String] { try MigrationFormatGoldenTests.files(below: migrations) }
    }

    func migrate(_ w: Workspace, _ version: String, name: String? = nil, number: Int, format: String = "dbmate",
                 extra: [String] = []) throws -> Result {
        try w.use(version)
        return rolec(["migrate", w.policy.path, "--dir", w.migrations.path, "--dialect", "postgres", "--format", format,
                      "--name", name ?? version, "--version", "2026010\(number)000000"] + extra)
    }

    @Test func planWritesNothing() throws {
        let w = try Workspace()
        try w.use("v1")
        let result = rolec(["plan", w.policy.path, "--dir", w.migrations.path, "--dialect", "postgres"])
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.hasPrefix("-- rolec plan: "))
        #expect(result.out.contains("privilege losses: none"))
        #expect(result.out.contains("Nothing written"))
        #expect(!FileManager.default.fileExists(atPath: w.migrations.path))
        // With a format: the files migrate would write, still nothing on disk.
        let formatted = rolec(["plan", w.policy.path, "--dir", w.migrations.path, "--dialect", "postgres", "--format", "sqitch",
                               "--version", "20260101000000"])
        #expect(formatted.code == 0, "\(formatted.err)")
        #expect(formatted.out.contains("==> deploy/next.sql <==") && formatted.out.contains("==> sqitch.plan <=="))
        #expect(!FileManager.default.fileExists(atPath: w.migrations.path))
    }

    @Test func secondRunWithoutChangeWritesNothing() throws {
        let w = try Workspace()
        let first = try migrate(w, "v1", number: 1)
        #expect(first.code == 0, "\(first.err)")
        let before = try w.written()
        #expect(before.keys.sorted() == ["20260101000000_v1.sql", "rolec.snapshot.json"])
        let second = try migrate(w, "v1", name: "again", number: 2)
        #expect(second.code == 0)
        #expect(second.out.contains("no changes"))
        #expect(try w.written() == before)
    }

    @Test func badPolicyWritesNothingAndExitsOne() throws {
        let w = try Workspace()
        let result = rolec(["migrate", "-", "--dir", w.migrations.path, "--dialect", "postgres", "--format", "dbmate",
                            "--name", "bad", "--version", "20260101000000"], stdin: "role a { member of b }\n")
        #expect(result.code == 1)
        #expect(result.err.contains("error[E0201]: unknown role 'b'"))
        #expect(!FileManager.default.fileExists(atPath: w.migrations.path))
    }

    @Test func lossIsRefusedWithExitFourUnlessAccepted() throws {
        let w = try Workspace()
        for (index, version) in ["v1", "v2", "v3"].enumerated() {
            let result = try migrate(w, version, number: index + 1)
            #expect(result.code == 0, "\(version): \(result.err)")
        }
        let before = try w.written()
        let refused = try migrate(w, "loss", number: 4)
        #expect(refused.code == 4)
        #expect(refused.err.contains("svc_orders loses DELETE on table shop_app.order_items"), "\(refused.err)")
        #expect(refused.err.contains("error[E0801]: migration refused"))
        #expect(refused.err.contains("nothing written"))
        #expect(try w.written() == before)
        // The plan says the same in plain words, and writes nothing either.
        let plan = rolec(["plan", w.policy.path, "--dir", w.migrations.path, "--dialect", "postgres"])
        #expect(plan.code == 0)
        #expect(plan.out.contains("svc_orders loses DELETE on table shop_app.orders"))
        #expect(plan.out.contains("refuses this change (exit 4)"))
        #expect(try w.written() == before)

        let accepted = try migrate(w, "loss", number: 4, extra: ["--accept-loss"])
        #expect(accepted.code == 0, "\(accepted.err)")
        let file = try String(contentsOf: w.migrations.appendingPathComponent("20260104000000_loss.sql"), encoding: .utf8)
        #expect(file.contains("-- privilege losses ("))
        #expect(file.contains("--   svc_orders loses DELETE on table shop_app.orders"))
        #expect(file.contains("-- refused without --accept-loss ("))
        let log = rolec(["log", "--dir", w.migrations.path])
        #expect(log.code == 0)
        #expect(log.out.contains("4. 20260104000000 loss"))
        #expect(log.out.contains("svc_orders loses DELETE on table shop_app.orders"))
    }

    @Test func logVerifyFindsEditedRemovedAndReorderedMigrations() throws {
        let w = try Workspace()
        for (index, version) in ["v1", "v2", "v3"].enumerated() {
            #expect(try migrate(w, version, number: index + 1).code == 0)
        }
        let verify = { self.rolec(["log", "--dir", w.migrations.path, "--verify"]) }
        #expect(verify().code == 0)
        #expect(verify().out == "3 migrations, chain intact\n")

        let second = w.migrations.appendingPathComponent("20260102000000_v2.sql")
        let original = try Data(contentsOf: second)
        try (String(decoding: original, as: UTF8.self) + "GRANT app_write TO analyst;\n").write(to: second, atomically: true, encoding: .utf8)
        var result = verify()
        #expect(result.code == 1)
        #expect(result.err.contains("error[E0804]: migration 2 (20260102000000 v2): 20260102000000_v2.sql was edited"), "\(result.err)")
        try original.write(to: second)
        #expect(verify().code == 0)

        try FileManager.default.removeItem(at: second)
        result = verify()
        #expect(result.code == 1)
        #expect(result.err.contains("error[E0805]: migration 2 (20260102000000 v2): 20260102000000_v2.sql was removed"), "\(result.err)")
        try original.write(to: second)

        // Swap the versions of the first two: dbmate would now run v2 before v1.
        let first = w.migrations.appendingPathComponent("20260101000000_v1.sql")
        try FileManager.default.moveItem(at: first, to: w.migrations.appendingPathComponent("20260102000000_v1.sql"))
        try FileManager.default.moveItem(at: second, to: w.migrations.appendingPathComponent("20260101000000_v2.sql"))
        result = verify()
        #expect(result.code == 1)
        #expect(result.err.contains("error[E0806]: migration 1 (20260101000000 v1): 20260101000000_v1.sql was renamed to 20260102000000_v1.sql"), "\(result.err)")
        #expect(result.err.contains("reorders the migrations"))
    }

    @Test func logVerifyFollowsTheSqitchPlanOrder() throws {
        let w = try Workspace()
        for (index, version) in ["v1", "v2", "v3"].enumerated() {
            #expect(try migrate(w, version, number: index + 1, format: "sqitch").code == 0)
        }
        let verify = { self.rolec(["log", "--dir", w.migrations.path, "--verify"]) }
        #expect(verify().out == "3 migrations, chain intact\n")
        let planURL = w.migrations.appendingPathComponent("sqitch.plan")
        let plan = try String(contentsOf: planURL, encoding: .utf8)
        var lines = plan.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = try #require(lines.firstIndex { $0.hasPrefix("v1 ") }), second = try #require(lines.firstIndex { $0.hasPrefix("v2 ") })
        lines.swapAt(first, second)
        try lines.joined(separator: "\n").write(to: planURL, atomically: true, encoding: .utf8)
        var result = verify()
        #expect(result.code == 1)
        #expect(result.err.contains("error[E0806]: migration 1 (20260101000000 v1): its line in sqitch.plan was moved"), "\(result.err)")
        try plan.split(separator: "\n").filter { !$0.hasPrefix("v2 ") }.joined(separator: "\n").write(to: planURL, atomically: true, encoding: .utf8)
        result = verify()
        #expect(result.err.contains("error[E0805]: migration 2 (20260102000000 v2): its line in sqitch.plan was removed"), "\(result.err)")
        // Changes of other authors in the plan do not matter.
        try (plan + "other 2026-02-01T00:00:00Z someone <s@example.org>\n").write(to: planURL, atomically: true, encoding: .utf8)
        #expect(verify().code == 0)
    }

    @Test func logVerifyFindsAlteredSnapshotHistory() throws {
        let w = try Workspace()
        #expect(try migrate(w, "v1", number: 1).code == 0)
        #expect(try migrate(w, "v2", number: 2).code == 0)
        let path = w.migrations.appendingPathComponent(MigrationSnapshot.fileName)
        var snapshot = try MigrationSnapshot.decode(Data(contentsOf: path))
        snapshot.migrations[0].losses = []
        snapshot.migrations[0].name = "renamed"
        try snapshot.encoded().write(to: path, atomically: true, encoding: .utf8)
        let result = rolec(["log", "--dir", w.migrations.path, "--verify"])
        #expect(result.code == 1)
        #expect(result.err.contains("error[E0807]: migration 1 (20260101000000 renamed): the hash chain is broken"), "\(result.err)")

        // The policy state is chained too: a snapshot whose policy was edited (so the next
        // migration would be computed from a lie) is found.
        let other = try Workspace()
        #expect(try migrate(other, "v1", number: 1).code == 0)
        let otherPath = other.migrations.appendingPathComponent(MigrationSnapshot.fileName)
        var edited = try MigrationSnapshot.decode(Data(contentsOf: otherPath))
        edited.policy.grants.removeLast()
        try edited.encoded().write(to: otherPath, atomically: true, encoding: .utf8)
        let stateResult = rolec(["log", "--dir", other.migrations.path, "--verify"])
        #expect(stateResult.code == 1)
        #expect(stateResult.err.contains("the snapshot's policy is not the state this migration recorded"), "\(stateResult.err)")
    }

    @Test func anExistingFileIsNeverOverwritten() throws {
        let w = try Workspace()
        #expect(try migrate(w, "v1", number: 1).code == 0)
        let before = try w.written()
        try "-- someone else's\n".write(to: w.migrations.appendingPathComponent("20260102000000_v2.sql"), atomically: true, encoding: .utf8)
        let result = try migrate(w, "v2", number: 2)
        #expect(result.code == 1)
        #expect(result.err.contains("error[E0808]"))
        var after = try w.written()
        after["20260102000000_v2.sql"] = nil
        #expect(after == before)
    }

    @Test func aDamagedSnapshotStopsEveryCommand() throws {
        let w = try Workspace()
        #expect(try migrate(w, "v1", number: 1).code == 0)
        let path = w.migrations.appendingPathComponent(MigrationSnapshot.fileName)
        try "{ not json".write(to: path, atomically: true, encoding: .utf8)
        let before = try w.written()
        let result = try migrate(w, "v2", number: 2)
        #expect(result.code == 1)
        #expect(result.err.contains("error[E0802]: cannot read the migration snapshot"))
        #expect(try w.written() == before)
        #expect(rolec(["log", "--dir", w.migrations.path, "--verify"]).code == 1)
        #expect(rolec(["plan", w.policy.path, "--dir", w.migrations.path, "--dialect", "postgres"]).code == 1)
        #expect(rolec(["log", "--dir", w.root.appendingPathComponent("nowhere").path]).code == 2)
    }

    @Test func usageErrors() throws {
        let w = try Workspace()
        try w.use("v1")
        let base = ["migrate", w.policy.path, "--dir", w.migrations.path, "--dialect", "postgres"]
        #expect(rolec(base + ["--name", "x"]).code == 2)  // no --format
        #expect(rolec(base + ["--format", "dbmate"]).code == 2)  // no --name
        #expect(rolec(base + ["--format", "dbmate", "--name", "a b"]).code == 2)
        #expect(rolec(base + ["--format", "dbmate", "--name", "x", "--version", "12a"]).code == 2)
        #expect(rolec(base + ["--format", "sqitch", "--name", "x", "--version", "7"]).code == 2)
        #expect(rolec(base + ["--format", "liquibas", "--name", "x"]).code == 2)
        #expect(!FileManager.default.fileExists(atPath: w.migrations.path))
        // Versions only go forward; a directory keeps its dialect and format.
        #expect(try migrate(w, "v1", number: 5).code == 0)
        #expect(try migrate(w, "v2", number: 4).code == 2)
        try w.use("v2")
        #expect(rolec(["migrate", w.policy.path, "--dir", w.migrations.path, "--dialect", "mariadb", "--format", "dbmate", "--name", "x"]).err.contains("E0803"))
        #expect(rolec(["migrate", w.policy.path, "--dir", w.migrations.path, "--dialect", "postgres", "--format", "goose", "--name", "x"]).code == 2)
    }

    @Test func phasesMigrateEverythingInTwoSteps() throws {
        let w = try Workspace()
        let principals = try migrate(w, "v1", name: "principals", number: 1, format: "plain", extra: ["--phase", "principals"])
        #expect(principals.code == 0, "\(principals.err)")
        let up = try String(contentsOf: w.migrations.appendingPathComponent("20260101000000_principals.up.sql"), encoding: .utf8)
        #expect(up.contains("-- phase: principals"))
        #expect(!up.contains("GRANT SELECT"))
        // Between the phases svc_orders (protected) existed and held TEMPORARY on database
        // shop through PUBLIC; the privileges phase revokes it: a real loss, refused.
        let refused = try migrate(w, "v1", name: "privileges", number: 2, format: "plain", extra: ["--phase", "privileges"])
        #expect(refused.code == 4)
        #expect(refused.err.contains("svc_orders loses TEMPORARY on database shop, was via public"), "\(refused.err)")
        let privileges = try migrate(w, "v1", name: "privileges", number: 2, format: "plain", extra: ["--phase", "privileges", "--accept-loss"])
        #expect(privileges.code == 0, "\(privileges.err)")
        let plan = rolec(["plan", w.policy.path, "--dir", w.migrations.path, "--dialect", "postgres"])
        #expect(plan.out.contains("no changes"), "\(plan.out)")
        // The snapshot then holds exactly the compiled policy's facts.
        let snapshot = try MigrationSnapshot.decode(Data(contentsOf: w.migrations.appendingPathComponent(MigrationSnapshot.fileName)))
        let compiled = try #require(Compilation(files: Compilation.load(paths: [w.policy.path], stdin: { [] }))
            .compile(for: Target(dialect: PostgresDialect(), version: "15")).ir)
        #expect(snapshot.policy.principals == compiled.principals)
        #expect(snapshot.policy.grants == compiled.grants)
        #expect(snapshot.policy.memberships == compiled.memberships)

        // After a principals-only migration the snapshot holds the new principals and
        // memberships, the old principals still to be dropped, and the old privileges.
        #expect(try migrate(w, "v2", number: 3, format: "plain").code == 0)
        let v2 = try MigrationSnapshot.decode(Data(contentsOf: w.migrations.appendingPathComponent(MigrationSnapshot.fileName))).policy
        #expect(try migrate(w, "v3", name: "v3_principals", number: 4, format: "plain", extra: ["--phase", "principals"]).code == 0)
        let half = try MigrationSnapshot.decode(Data(contentsOf: w.migrations.appendingPathComponent(MigrationSnapshot.fileName))).policy
        let v3 = try #require(Compilation(files: Compilation.load(paths: [w.policy.path], stdin: { [] }))
            .compile(for: Target(dialect: PostgresDialect(), version: "15")).ir)
        #expect(half.principal(named: "analyst") != nil)  // dropped by the privileges phase
        #expect(half.principals.filter { $0.name != "analyst" } == v3.principals)
        #expect(half.memberships == v3.memberships)
        #expect(half.grants == v2.grants)
        #expect(try migrate(w, "v3", name: "v3_privileges", number: 5, format: "plain", extra: ["--phase", "privileges"]).code == 0)
        let whole = try MigrationSnapshot.decode(Data(contentsOf: w.migrations.appendingPathComponent(MigrationSnapshot.fileName))).policy
        #expect(whole.principals == v3.principals && whole.grants == v3.grants && whole.memberships == v3.memberships)
    }

    @Test func diffExitCodeAndDirections() throws {
        let v1 = Self.series.appendingPathComponent("v1").path, v2 = Self.series.appendingPathComponent("v2").path
        let changed = rolec(["diff", v1, v2, "--dialect", "postgres", "--exit-code"])
        #expect(changed.code == 3, "\(changed.err)")
        #expect(changed.out.contains("-- old: \(v1)/shop.roles sha256:"))
        #expect(changed.out.contains("-- new: \(v2)/shop.roles sha256:"))
        #expect(changed.out.contains("-- direction: up"))
        #expect(changed.out.contains("BEGIN;"))
        #expect(rolec(["diff", v1, v2, "--dialect", "postgres"]).code == 0)
        let same = rolec(["diff", v1, v1, "--dialect", "postgres", "--exit-code"])
        #expect(same.code == 0)
        #expect(same.out.contains("-- no changes"))
        let down = rolec(["diff", v1, v2, "--dialect", "postgres", "--down"])
        #expect(down.out.contains("-- direction: down"))
        #expect(down.out != changed.out)
        // Both sides must compile.
        let bad = rolec(["diff", v1, "-", "--dialect", "postgres"], stdin: "role a { member of b }\n")
        #expect(bad.code == 1)
        #expect(bad.err.contains("E0201"))
        #expect(rolec(["diff", v1, "--dialect", "postgres"]).code == 2)
    }

    @Test func helpListsTheMigrationCommands() {
        for command in ["diff", "plan", "migrate", "log"] {
            let help = rolec(["help", command])
            #expect(help.code == 0)
            #expect(help.out.hasPrefix("OVERVIEW: "))
            #expect(help.out.contains("USAGE: rolec \(command)"))
            #expect(help.out.contains("OPTIONS:"))
        }
        #expect(rolec(["--help"]).out.contains("migrate     write the next migration"))
    }
}
