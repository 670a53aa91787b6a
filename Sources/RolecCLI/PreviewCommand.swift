import Rolec

/// `rolec preview PATH... [--dialect D,...]`: the script of every dialect, one after another.
enum PreviewCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "preview", valueOptions: ["--dialect"], flagOptions: [])
        if args.flag("--help") { context.stdout.write(Help.commands["preview"] ?? ""); return ExitCode.success }
        let dialects = try Common.dialects(args.value("--dialect"), command: "preview")
        let compilation = try Common.load(args.positional, command: "preview", context)
        var failed = false
        for dialect in dialects {
            let target = Target(dialect: dialect, version: dialect.defaultVersion)
            let output = compilation.compile(for: target)
            context.stdout.write("==> \(dialect.name) \(target.version) <==\n")
            if let script = output.script {
                context.stdout.write(script)
            } else {
                context.stdout.write("-- does not compile for \(dialect.displayName): see the errors\n")
                failed = true
            }
            context.stdout.write("\n")
            Common.printDiagnostics(output.diagnostics, files: compilation.files, format: "text", context)
        }
        return failed ? ExitCode.failure : ExitCode.success
    }
}
