import Rolec

/// `rolec plan PATH... --dir DIR --dialect D [--format F] [--phase P] [--successor ROLE]`:
/// what `migrate` would write, without writing anything.
enum PlanCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "plan", valueOptions: MigrationSession.valueOptions,
                                 flagOptions: [], aliases: ["-d": "--dialect"])
        if args.flag("--help") { context.stdout.write(Help.commands["plan"] ?? ""); return ExitCode.success }
        let format = try MigrationSession.format(args, command: "plan")
        var code = ExitCode.success
        guard let session = try MigrationSession.open(args, command: "plan", format: format, context, code: &code) else { return code }
        let plan = session.plan
        if plan.isEmpty {
            context.stdout.write("rolec: no changes: \(session.directory.path) is up to date with the policy\(plan.phase.map { " (phase \($0.rawValue))" } ?? "")\n")
            return ExitCode.success
        }
        context.stdout.write("-- rolec plan: \(session.summary)\n")
        if let format {
            let (name, version) = try session.nameAndVersion(args, format: format, defaultName: "next", command: "plan")
            do {
                let composed = try Migrator.compose(plan, format: format, directory: session.directory, snapshot: session.snapshot,
                                                    target: session.target, version: version, name: name, sources: session.sources)
                for file in composed.files {
                    context.stdout.write("\n==> \(file.path) <==\n\(file.contents)")
                }
            } catch let problem as MigrationDirectory.Problem {
                MigrationSession.printProblems(problem.diagnostics, context)
                return ExitCode.failure
            }
        } else {
            context.stdout.write(MigrationFormat.clientScript(plan.up, traits: session.target.dialect.migrationTraits))
        }
        context.stdout.write("\n" + session.report)
        if !plan.access.refusals.isEmpty {
            context.stdout.write("'rolec migrate' refuses this change (exit 4) unless --accept-loss is given.\n")
        }
        context.stdout.write("Nothing written (plan only).\n")
        return ExitCode.success
    }
}
