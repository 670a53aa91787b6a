import Rolec

/// `rolec report PATH... [--format markdown|csv|html] [--dialect D] [--server-version V] [-o FILE]`:
/// the access matrix for access reviews.
enum ReportCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "report",
                                 valueOptions: ["--format", "--dialect", "--server-version", "--output"], flagOptions: [],
                                 aliases: ["-o": "--output", "-d": "--dialect"])
        if args.flag("--help") { context.stdout.write(Help.commands["report"] ?? ""); return ExitCode.success }
        let formatName = try args.choice("--format", ReportFormat.allCases.map(\.rawValue), command: "report") ?? "markdown"
        let format = ReportFormat(rawValue: formatName) ?? .markdown
        let dialect = try Common.dialect(args.value("--dialect") ?? "postgres", command: "report")
        let target = try Common.target(dialect, version: args.value("--server-version"), command: "report")
        let compilation = try Common.load(args.positional, command: "report", context)
        guard let ir = Common.lowered(compilation, for: target, context) else { return ExitCode.failure }
        let report = AccessReport(ir: ir, sources: compilation.files.map { ($0.path, $0.sha256) })
        let text = report.render(format)
        try Common.emit(text, to: args.value("--output"), context)
        return ExitCode.success
    }
}
