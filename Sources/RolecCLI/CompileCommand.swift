import Rolec

/// `rolec compile PATH... --dialect D [--server-version V] [--phase P] [-o FILE] [--no-transaction]`
enum CompileCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "compile",
                                 valueOptions: ["--dialect", "--server-version", "--phase", "--output", "--format"],
                                 flagOptions: ["--no-transaction"], aliases: ["-o": "--output", "-d": "--dialect"])
        if args.flag("--help") { context.stdout.write(Help.commands["compile"] ?? ""); return ExitCode.success }
        guard let dialectName = args.value("--dialect") else {
            throw UsageError(message: "missing --dialect (one of: \(DialectRegistry.names.joined(separator: ", ")))", command: "compile")
        }
        let target = try Common.target(try Common.dialect(dialectName, command: "compile"), version: args.value("--server-version"), command: "compile")
        let phase = try args.choice("--phase", ["principals", "privileges"], command: "compile").flatMap(RenderOptions.Phase.init(rawValue:))
        let format = try args.choice("--format", ["text", "json"], command: "compile") ?? "text"
        let compilation = try Common.load(args.positional, command: "compile", context)
        let output = compilation.compile(for: target, options: RenderOptions(phase: phase, transaction: !args.flag("--no-transaction")))
        Common.printDiagnostics(output.diagnostics, files: compilation.files, format: format, context)
        guard let script = output.script else { return ExitCode.failure }
        try Common.emit(script, to: args.value("--output"), context)
        return ExitCode.success
    }
}
