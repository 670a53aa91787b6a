import Rolec

/// `rolec graph PATH... [--format mermaid|dot] [--dialect D] [--server-version V] [-o FILE]`:
/// principals and memberships as a picture.
enum GraphCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "graph",
                                 valueOptions: ["--format", "--dialect", "--server-version", "--output"], flagOptions: [],
                                 aliases: ["-o": "--output", "-d": "--dialect"])
        if args.flag("--help") { context.stdout.write(Help.commands["graph"] ?? ""); return ExitCode.success }
        let formatName = try args.choice("--format", GraphFormat.allCases.map(\.rawValue), command: "graph") ?? "mermaid"
        let format = GraphFormat(rawValue: formatName) ?? .mermaid
        let dialect = try Common.dialect(args.value("--dialect") ?? "postgres", command: "graph")
        let target = try Common.target(dialect, version: args.value("--server-version"), command: "graph")
        let compilation = try Common.load(args.positional, command: "graph", context)
        guard let ir = Common.lowered(compilation, for: target, context) else { return ExitCode.failure }
        let text = Graph.render(ir, format: format, builtins: dialect.builtinRoles(version: target.version))
        try Common.emit(text, to: args.value("--output"), context)
        return ExitCode.success
    }
}
