import Rolec

/// `rolec check PATH... [--dialect D,...] [--server-version V] [--format text|json|sarif] [--strict]`
enum CheckCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "check", valueOptions: ["--dialect", "--server-version", "--format"], flagOptions: ["--strict"])
        if args.flag("--help") { context.stdout.write(Help.commands["check"] ?? ""); return ExitCode.success }
        let format = try args.choice("--format", ["text", "json", "sarif"], command: "check") ?? "text"
        let dialects = try Common.dialects(args.value("--dialect"), command: "check")
        let targets = try dialects.map { try Common.target($0, version: args.value("--server-version"), command: "check") }
        let compilation = try Common.load(args.positional, command: "check", context)
        var bag = DiagnosticBag()
        bag.add(contentsOf: compilation.parseDiagnostics)
        for target in targets {
            let (ir, problems) = compilation.lower(for: target)
            bag.add(contentsOf: problems)
            if !problems.contains(where: \.isError) {
                bag.add(contentsOf: RuleChecker.check(ir))
                if !compilation.hasSyntaxErrors { bag.add(contentsOf: Lints.check(compilation.syntax.map(\.1), ir: ir)) }
            }
        }
        let diagnostics = bag.sorted
        Common.printDiagnostics(diagnostics, files: compilation.files, format: format, context)
        if bag.hasErrors || (args.flag("--strict") && bag.warningCount > 0) { return ExitCode.failure }
        if format == "text" && diagnostics.isEmpty {
            context.stderr.write("rolec: no problems found in \(compilation.files.count) file\(compilation.files.count == 1 ? "" : "s")\n")
        }
        return ExitCode.success
    }
}
