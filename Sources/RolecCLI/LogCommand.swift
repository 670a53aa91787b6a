import Foundation
import Rolec

/// `rolec log --dir DIR [--verify]`: the migration history; `--verify` checks the hash chain.
enum LogCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "log", valueOptions: ["--dir"], flagOptions: ["--verify"])
        if args.flag("--help") { context.stdout.write(Help.commands["log"] ?? ""); return ExitCode.success }
        guard args.positional.isEmpty else {
            throw UsageError(message: "unexpected argument '\(args.positional[0])'", command: "log")
        }
        guard let dir = args.value("--dir") else { throw UsageError(message: "missing --dir (the migrations directory)", command: "log") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError(message: "no such directory: \(dir)", command: "log")
        }
        let directory = MigrationDirectory(path: dir)
        let snapshot: MigrationSnapshot?
        do {
            snapshot = try directory.snapshot()
        } catch let problem as MigrationDirectory.Problem {
            MigrationSession.printProblems(problem.diagnostics, context)
            return ExitCode.failure
        }
        let migrations = snapshot?.migrations ?? []
        if args.flag("--verify") {
            if let snapshot {
                let problems = directory.verify(snapshot)
                if !problems.isEmpty {
                    MigrationSession.printProblems(problems, context)
                    return ExitCode.failure
                }
            }
            context.stdout.write("\(migrations.count) migration\(migrations.count == 1 ? "" : "s"), chain intact\n")
            return ExitCode.success
        }
        guard let snapshot, !migrations.isEmpty else {
            context.stdout.write("no migrations in \(dir)\n")
            return ExitCode.success
        }
        context.stdout.write("\(migrations.count) migration\(migrations.count == 1 ? "" : "s") (\(snapshot.format), \(snapshot.dialect) \(snapshot.serverVersion)), oldest first\n")
        for (index, record) in migrations.enumerated() {
            var out = "\n\(index + 1). \(record.version) \(record.name) (phase \(record.phase ?? "all"))\n"
            out += "   policy sha256:\(record.policySHA256)\n"
            out += "   migration sha256:\(record.hash) (previous: \(record.previous))\n"
            for file in record.files { out += "   file: \(file.path)\n" }
            out += "   principals created: \(record.principalsCreated.isEmpty ? "none" : record.principalsCreated.joined(separator: ", "))\n"
            out += "   principals dropped: \(record.principalsDropped.isEmpty ? "none" : record.principalsDropped.joined(separator: ", "))\n"
            out += list("privileges gained", record.gains)
            out += list("privileges lost", record.losses)
            if !record.acceptedRefusals.isEmpty { out += list("accepted with --accept-loss", record.acceptedRefusals) }
            context.stdout.write(out)
        }
        return ExitCode.success
    }

    static func list(_ title: String, _ items: [String]) -> String {
        guard !items.isEmpty else { return "   \(title): none\n" }
        return "   \(title) (\(items.count)):\n" + items.map { "     \($0)\n" }.joined()
    }
}
