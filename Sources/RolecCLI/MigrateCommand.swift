import Foundation
import Rolec

/// What `rolec plan` and `rolec migrate` share: the policy, the migrations directory and
/// its snapshot, and the plan from the snapshot to the policy.
struct MigrationSession {
    var target: Target
    var compilation: Compilation
    var directory: MigrationDirectory
    var snapshot: MigrationSnapshot?
    var plan: Migrator.Plan
    var sources: [FileDigest]

    static let valueOptions: Set<String> = ["--dir", "--dialect", "--server-version", "--format", "--name", "--version", "--phase", "--successor"]

    /// nil after printing why not (the exit code in `code`).
    static func open(_ args: Arguments, command: String, format: MigrationFormat?, _ context: Context, code: inout Int32) throws -> MigrationSession? {
        guard let dir = args.value("--dir") else { throw UsageError(message: "missing --dir (the migrations directory)", command: command) }
        guard let dialectName = args.value("--dialect") else {
            throw UsageError(message: "missing --dialect (one of: \(DialectRegistry.names.joined(separator: ", ")))", command: command)
        }
        let target = try Common.target(try Common.dialect(dialectName, command: command), version: args.value("--server-version"), command: command)
        let phase = try args.choice("--phase", ["principals", "privileges"], command: command).flatMap(RenderOptions.Phase.init(rawValue:))
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw UsageError(message: "--dir \(dir) is not a directory", command: command)
        }
        let compilation = try Common.load(args.positional, command: command, context)
        guard let ir = Common.lowered(compilation, for: target, context) else { code = ExitCode.failure; return nil }
        let directory = MigrationDirectory(path: dir)
        let snapshot: MigrationSnapshot?
        do {
            snapshot = try directory.snapshot()
        } catch let problem as MigrationDirectory.Problem {
            printProblems(problem.diagnostics, context)
            code = ExitCode.failure
            return nil
        }
        if let snapshot {
            var mismatch: Diagnostic?
            if snapshot.dialect != target.dialect.name {
                mismatch = MigrationDirectory.mismatch(directory.snapshotPath, what: "dialect", recorded: snapshot.dialect, requested: target.dialect.name)
            } else if let format, snapshot.format != format.rawValue {
                mismatch = MigrationDirectory.mismatch(directory.snapshotPath, what: "format", recorded: snapshot.format, requested: format.rawValue)
            }
            if let mismatch {
                printProblems([mismatch], context)
                code = ExitCode.usage
                return nil
            }
        }
        let old = snapshot?.policy ?? PolicyIR(dialect: target.dialect.name, serverVersion: target.version)
        let plan = Migrator.plan(from: old, to: ir, dialect: target.dialect, phase: phase, successor: args.value("--successor"),
                                 newSyntax: compilation.syntax.map(\.1))
        let sources = compilation.files.map { FileDigest(path: directory.recordedPath(of: $0.path), sha256: $0.sha256) }
        return MigrationSession(target: target, compilation: compilation, directory: directory, snapshot: snapshot, plan: plan, sources: sources)
    }

    static func format(_ args: Arguments, command: String) throws -> MigrationFormat? {
        try args.choice("--format", MigrationFormat.names, command: command).flatMap(MigrationFormat.init(rawValue:))
    }

    /// The migration's name and version, checked against the tool's rules and the chain.
    func nameAndVersion(_ args: Arguments, format: MigrationFormat, defaultName: String?, command: String) throws -> (name: String, version: String) {
        guard let name = args.value("--name") ?? defaultName else {
            throw UsageError(message: "missing --name (the migration's name, e.g. add_auditor)", command: command)
        }
        let chars = Array(name)
        let valid = !chars.isEmpty && chars.count <= 100
            && chars.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            && (chars.first.map { $0.isLetter || $0.isNumber } ?? false) && (chars.last.map { $0.isLetter || $0.isNumber } ?? false)
            && !name.contains("__")
        guard valid else {
            throw UsageError(message: "invalid migration name '\(name)': use letters, digits, '_' and '-' (starting and ending with a letter or digit, no '__')", command: command)
        }
        if let snapshot, snapshot.migrations.contains(where: { $0.name == name }), format == .sqitch {
            throw UsageError(message: "a migration named '\(name)' exists already; Sqitch change names must be unique", command: command)
        }
        let last = snapshot?.migrations.last
        let version: String
        if let given = args.value("--version") {
            guard !given.isEmpty, given.count <= 18, given.allSatisfy({ $0.isASCII && $0.isNumber }), !(given.count > 1 && given.hasPrefix("0")) else {
                throw UsageError(message: "invalid --version '\(given)': expected a number (YYYYMMDDHHMMSS for timestamp tools)", command: command)
            }
            version = given
        } else {
            version = Migrator.nextVersion(format: format, snapshot: snapshot, now: Date())
        }
        if format == .sqitch, version.count != 14 {
            throw UsageError(message: "sqitch needs a timestamp version (YYYYMMDDHHMMSS, UTC) for its plan line, got '\(version)'", command: command)
        }
        if let last, let previous = UInt64(last.version), let current = UInt64(version), current <= previous {
            throw UsageError(message: "version \(version) does not come after the last migration's version \(last.version)", command: command)
        }
        return (name, version)
    }

    static func printProblems(_ diagnostics: [Diagnostic], _ context: Context) {
        context.stderr.write(DiagnosticRenderer(files: []).text(diagnostics))
    }

    /// The privilege-loss report in plain words, one line each.
    var report: String {
        Migrator.report(plan.access).map { $0 + "\n" }.joined()
    }

    var summary: String {
        let count = plan.changes.up.count
        let from = snapshot.map { s in s.migrations.last.map { "after migration \($0.version) \($0.name)" } ?? "from the snapshot" } ?? "from nothing (first migration)"
        return "\(count) change\(count == 1 ? "" : "s") for \(target.dialect.name) \(target.version), phase \(plan.phase?.rawValue ?? "all"), \(from)"
    }
}

/// `rolec migrate PATH... --dir DIR --dialect D --format F --name NAME [--version V] [--phase P] [--accept-loss] [--successor ROLE]`
enum MigrateCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "migrate", valueOptions: MigrationSession.valueOptions,
                                 flagOptions: ["--accept-loss"], aliases: ["-d": "--dialect"])
        if args.flag("--help") { context.stdout.write(Help.commands["migrate"] ?? ""); return ExitCode.success }
        guard let format = try MigrationSession.format(args, command: "migrate") else {
            throw UsageError(message: "missing --format (one of: \(MigrationFormat.names.joined(separator: ", ")))", command: "migrate")
        }
        guard args.value("--name") != nil else {
            throw UsageError(message: "missing --name (the migration's name, e.g. add_auditor)", command: "migrate")
        }
        var code = ExitCode.success
        guard let session = try MigrationSession.open(args, command: "migrate", format: format, context, code: &code) else { return code }
        let (name, version) = try session.nameAndVersion(args, format: format, defaultName: nil, command: "migrate")
        let plan = session.plan
        if plan.isEmpty {
            context.stdout.write("rolec: no changes: \(session.directory.path) is up to date with the policy\(plan.phase.map { " (phase \($0.rawValue))" } ?? ""); nothing written\n")
            return ExitCode.success
        }
        if !plan.access.refusals.isEmpty && !args.flag("--accept-loss") {
            context.stderr.write(Migrator.report(plan.access, refusals: false).map { $0 + "\n" }.joined())
            MigrationSession.printProblems(plan.access.refusals.map(MigrationDirectory.refusal), context)
            context.stderr.write("rolec: nothing written\n")
            return ExitCode.loss
        }
        let composed: Migrator.Composed
        do {
            composed = try Migrator.compose(plan, format: format, directory: session.directory, snapshot: session.snapshot,
                                            target: session.target, version: version, name: name, sources: session.sources)
            let snapshotText = try composed.snapshot.encoded()
            var files = composed.files.map { (path: $0.path, contents: $0.contents) }
            files.append((path: MigrationSnapshot.fileName, contents: snapshotText))
            try session.directory.write(files, fresh: Set(composed.files.filter(\.chained).map(\.path)))
        } catch let problem as MigrationDirectory.Problem {
            MigrationSession.printProblems(problem.diagnostics, context)
            context.stderr.write("rolec: nothing written\n")
            return ExitCode.failure
        }
        context.stdout.write("rolec: migration \(version) \(name) (\(format.rawValue)): \(session.summary)\n")
        for file in composed.files { context.stdout.write("  wrote \(session.directory.path)/\(file.path)\n") }
        context.stdout.write("  wrote \(session.directory.snapshotPath)\n")
        context.stdout.write(session.report)
        return ExitCode.success
    }
}
