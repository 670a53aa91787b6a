import Rolec

/// `rolec verify PATH... --dialect D [--server-version V] [--phase P] [-o FILE]`: SQL that
/// changes nothing and fails when run against a database whose state does not match
/// the policy (or its tests, where the server can answer them).
enum VerifyCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "verify",
                                 valueOptions: ["--dialect", "--server-version", "--phase", "--output", "--format"],
                                 flagOptions: [], aliases: ["-o": "--output", "-d": "--dialect"])
        if args.flag("--help") { context.stdout.write(Help.commands["verify"] ?? ""); return ExitCode.success }
        guard let dialectName = args.value("--dialect") else {
            throw UsageError(message: "missing --dialect (one of: \(DialectRegistry.names.joined(separator: ", ")))", command: "verify")
        }
        let target = try Common.target(try Common.dialect(dialectName, command: "verify"), version: args.value("--server-version"), command: "verify")
        let phase = try args.choice("--phase", ["principals", "privileges"], command: "verify").flatMap(RenderOptions.Phase.init(rawValue:))
        let format = try args.choice("--format", ["text", "json"], command: "verify") ?? "text"
        let compilation = try Common.load(args.positional, command: "verify", context)
        let output = compilation.compile(for: target, options: RenderOptions(phase: phase))
        Common.printDiagnostics(output.diagnostics, files: compilation.files, format: format, context)
        guard output.script != nil, let ir = output.ir else { return ExitCode.failure }
        let sql = target.dialect.renderVerification(ir, options: RenderOptions(phase: phase, sources: compilation.files.map { ($0.path, $0.sha256) }))
        try Common.emit(sql, to: args.value("--output"), context)
        return ExitCode.success
    }
}
