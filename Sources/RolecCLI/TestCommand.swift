import Rolec

/// `rolec test PATH... [--dialect D,...] [--server-version V]`: runs every test block
/// statically and closes with `N passed, N failed`.
enum TestCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "test", valueOptions: ["--dialect", "--server-version"], flagOptions: [])
        if args.flag("--help") { context.stdout.write(Help.commands["test"] ?? ""); return ExitCode.success }
        let dialects = try Common.dialects(args.value("--dialect") ?? "postgres", command: "test")
        let compilation = try Common.load(args.positional, command: "test", context)
        var passed = 0, failed = 0
        for dialect in dialects {
            let target = try Common.target(dialect, version: args.value("--server-version"), command: "test")
            guard let ir = Common.lowered(compilation, for: target, context) else { return ExitCode.failure }
            if dialects.count > 1 { context.stdout.write("==> \(dialect.name) \(target.version) <==\n") }
            var current: String?
            for result in TestRunner.run(ir) {
                if result.test != current {
                    context.stdout.write("test '\(result.test)'\n")
                    current = result.test
                }
                context.stdout.write("  \(result.passed ? "ok  " : "FAIL") \(result.expectation)\n")
                if let explanation = result.explanation {
                    for line in explanation.split(separator: "\n") { context.stdout.write("       \(line)\n") }
                }
                if result.passed { passed += 1 } else { failed += 1 }
            }
        }
        context.stdout.write("\(passed) passed, \(failed) failed\n")
        return failed == 0 ? ExitCode.success : ExitCode.failure
    }
}
