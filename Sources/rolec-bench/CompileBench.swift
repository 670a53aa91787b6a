import Foundation
import Rolec

/// The compile benchmark: a large synthetic policy through every phase.
///
/// The parent generates the policy and writes it to a temporary file; every timed run
/// happens in a fresh child process (`rolec-bench measure ...`) that reads that file,
/// so peak-memory figures are not inflated by the generator or by earlier runs.
enum CompileBench {
    struct Options {
        var scale = 1.0
        var runs = 3
        var emit: String?
        var serverVersion = "15"
    }

    static func run(_ options: Options) throws -> Int32 {
        let policy = LargePolicy(scale: options.scale)
        let t0 = Gauge.now()
        let bytes = policy.generate()
        let generation = Gauge.now() - t0
        if let path = options.emit {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            say("wrote \(path): \(bytes.count) bytes (\(Gauge.mb(Double(bytes.count)))), \(policy.shape.roles) roles, \(policy.shape.users) users, \(policy.shape.tables) tables")
            return 0
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("bench.roles").path
        try Data(bytes).write(to: URL(fileURLWithPath: input))

        let shape = policy.shape
        say("rolec-bench: scale \(options.scale): \(shape.roles) roles, \(shape.users) users, \(shape.schemas) schemas x \(shape.tablesPerSchema) = \(shape.tables) tables")
        say("policy: \(bytes.count) bytes (\(Gauge.mb(Double(bytes.count)))), generated in \(Gauge.seconds(generation)); PostgreSQL \(options.serverVersion); \(options.runs) run(s), each in a fresh process")

        let exe = selfExecutable()
        var phaseRuns: [[String: String]] = []
        var wholeRuns: [[String: String]] = []
        for _ in 0..<max(1, options.runs) {
            for mode in ["phases", "whole"] {
                let result = try runProcess(exe, ["measure", "--input", input, "--mode", mode, "--server-version", options.serverVersion])
                guard result.status == 0 else {
                    FileHandle.standardError.write(Data("measure \(mode) failed (status \(result.status)):\n\(result.stderr)\(result.stdout)".utf8))
                    return 1
                }
                let report = parseReport(result.stdout)
                if mode == "phases" { phaseRuns.append(report) } else { wholeRuns.append(report) }
            }
        }

        func values(_ runs: [[String: String]], _ key: String) -> [Double] { runs.compactMap { $0[key].flatMap(Double.init) } }
        func med(_ runs: [[String: String]], _ key: String) -> Double { median(values(runs, key)) }
        func best(_ runs: [[String: String]], _ key: String) -> Double { values(runs, key).min() ?? .nan }
        func peakMax(_ runs: [[String: String]], _ key: String) -> Int { Int(values(runs, key).max() ?? 0) }

        let first = phaseRuns[0]
        let size = Double(bytes.count)
        say("")
        say("counts: \(first["tokens"] ?? "?") tokens, \(first["statements"] ?? "?") statements; IR: \(first["grants"] ?? "?") grants (atomic facts), \(first["defaultGrants"] ?? "?") default grants, \(first["revokes"] ?? "?") revokes, \(first["memberships"] ?? "?") memberships, \(first["principals"] ?? "?") principals")
        say("diagnostics: \(first["errors"] ?? "?") errors, \(first["warnings"] ?? "?") warnings; script: \(first["scriptBytes"] ?? "?") bytes, \(first["scriptStatements"] ?? "?") statements")
        say("")

        let header = pad("phase", 22) + pad("median", 10, right: true) + pad("best", 10, right: true) + pad("throughput", 14, right: true) + pad("peak RSS", 12, right: true) + pad("RSS growth", 12, right: true)
        say(header)
        say(String(repeating: "-", count: header.count))
        let rows: [(String, String, Bool)] = [
            ("read+line table", "source", false), ("lex", "lex", true), ("lex+parse", "parse", true),
            ("lowering", "lower", false), ("rules + lints", "analyze", false), ("explain (1 user)", "explain", false),
            ("explain (1 object)", "explainObject", false),
            ("rendering (PG \(options.serverVersion))", "render", false),
        ]
        for (label, key, throughput) in rows {
            let m = med(phaseRuns, "\(key).seconds")
            let rate = throughput ? String(format: "%.0f MB/s", size / 1_048_576 / m) : ""
            say(pad(label, 22) + pad(Gauge.seconds(m), 10, right: true) + pad(Gauge.seconds(best(phaseRuns, "\(key).seconds")), 10, right: true)
                  + pad(rate, 14, right: true) + pad(Gauge.mb(peakMax(phaseRuns, "\(key).peak")), 12, right: true)
                  + pad("+" + Gauge.mb(peakMax(phaseRuns, "\(key).peak") - peakMax(phaseRuns, "\(key).before")), 12, right: true))
        }
        let whole = med(wholeRuns, "whole.seconds")
        let wholePeak = peakMax(wholeRuns, "whole.maxrss")
        say(pad("whole compile", 22) + pad(Gauge.seconds(whole), 10, right: true) + pad(Gauge.seconds(best(wholeRuns, "whole.seconds")), 10, right: true)
              + pad(String(format: "%.1f MB/s", size / 1_048_576 / whole), 14, right: true) + pad(Gauge.mb(wholePeak), 12, right: true) + pad("(ru_maxrss)", 12, right: true))
        say("")
        say("peak RSS: the kernel's high-water mark (VmHWM, reset before each phase) in the 'phases' process;")
        say("it includes what earlier phases keep alive (source, AST, IR). Whole compile: ru_maxrss of a separate process")
        say("that only reads the file and runs Compilation(files:).compile(for:) (process baseline \(Gauge.mb(peakMax(wholeRuns, "whole.baseline")))).")
        say("")
        // `rolec check` = read + lex/parse + lowering + rules and lints (no rendering).
        let check = med(phaseRuns, "source.seconds") + med(phaseRuns, "parse.seconds") + med(phaseRuns, "lower.seconds") + med(phaseRuns, "analyze.seconds")
        say("check (read + parse + lowering + rules + lints, sum of medians): \(Gauge.seconds(check)); \(first["findings"] ?? "?") findings")
        say("explain: \(first["explained"] ?? "?") (object, privilege) entries for one user, after lowering")
        say("explain: \(first["explainedObject"] ?? "?") (principal, privilege) entries for one object (\(first["explainObjectName"] ?? "?")), after lowering")
        say("")
        let parseRate = size / 1_048_576 / med(phaseRuns, "parse.seconds")
        let goals: [(String, Bool, String)] = [
            ("whole compile under 2 s", whole < 2, Gauge.seconds(whole)),
            ("whole compile under 2 GB", wholePeak < 2 << 30, Gauge.mb(wholePeak)),
            ("lex+parse at 100 MB/s or more", parseRate >= 100, String(format: "%.0f MB/s", parseRate)),
            ("check under 2 s", check < 2, Gauge.seconds(check)),
        ]
        for (goal, met, value) in goals { say("goal: \(goal): \(met ? "met" : "NOT MET") (\(value))") }
        return goals.allSatisfy(\.1) ? 0 : 3
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let gap = String(repeating: " ", count: max(0, width - s.count))
        return right ? gap + s : s + gap
    }

    // MARK: the child

    /// `rolec-bench measure --input FILE --mode phases|whole --server-version V`: prints key=value lines.
    static func measure(input: String, mode: String, serverVersion: String) throws -> Int32 {
        guard let data = FileManager.default.contents(atPath: input) else {
            FileHandle.standardError.write(Data("cannot read \(input)\n".utf8))
            return 2
        }
        let bytes = [UInt8](data)
        let target = Target(dialect: PostgresDialect(), version: serverVersion)
        var report: [(String, String)] = []
        func put(_ key: String, _ value: Any) { report.append((key, "\(value)")) }

        if mode == "whole" {
            put("whole.baseline", Gauge.maxRSS())
            let t0 = Gauge.now()
            let file = SourceFile(id: 0, path: input, bytes: bytes)
            let compilation = Compilation(files: [file])
            let output = compilation.compile(for: target)
            let elapsed = Gauge.now() - t0
            put("whole.seconds", elapsed)
            put("whole.maxrss", Gauge.maxRSS())
            put("errors", output.diagnostics.filter(\.isError).count)
            put("scriptBytes", output.script?.utf8.count ?? -1)
            guard output.script != nil else {
                let text = DiagnosticRenderer(files: [file]).text(Array(output.diagnostics.prefix(20)))
                FileHandle.standardError.write(Data(text.utf8))
                return 1
            }
        } else {
            var before = 0
            func start() -> Double {
                Gauge.resetPeak()
                before = Gauge.status("VmRSS") ?? 0
                return Gauge.now()
            }
            func stop(_ key: String, _ t0: Double) {
                let elapsed = Gauge.now() - t0
                put("\(key).seconds", elapsed)
                put("\(key).peak", Gauge.peak())
                put("\(key).before", before)
            }
            var t = start()
            let file = SourceFile(id: 0, path: input, bytes: bytes)
            stop("source", t)

            t = start()
            do {
                let (tokens, _) = Lexer.tokenize(file)
                stop("lex", t)
                put("tokens", tokens.count)
            }

            t = start()
            let (ast, parseDiagnostics) = Parser.parse(file)
            stop("parse", t)
            put("statements", ast.statements.count)

            t = start()
            let (ir, lowerDiagnostics) = Lowering.lower([(file, ast)], target: target)
            stop("lower", t)

            // What `rolec check` adds after lowering: policy rules and lints.
            t = start()
            let findings = RuleChecker.check(ir) + Lints.check([ast], ir: ir)
            stop("analyze", t)
            put("findings", findings.count)

            // What `rolec explain --principal` adds after lowering, for one user.
            t = start()
            let someone = ir.principals.first { $0.kind == .user }?.name ?? ""
            let held = EffectiveAccess(ir: ir).privileges(of: someone)
            stop("explain", t)
            put("explained", held.count)

            // What `rolec explain --object` adds after lowering, for the first table the policy names.
            t = start()
            let objectAccess = EffectiveAccess(ir: ir)
            let table = objectAccess.namedObjects.first { if case .relation(.table, _, _) = $0 { return true } else { return false } }
            let holders = table.map { objectAccess.privileges(on: $0) } ?? []
            stop("explainObject", t)
            put("explainedObject", holders.count)
            put("explainObjectName", table?.display ?? "none")

            t = start()
            let options = RenderOptions(sources: [(file.path, file.sha256)])
            let script = target.dialect.render(ir, options: options)
            stop("render", t)

            let diagnostics = parseDiagnostics + lowerDiagnostics
            put("errors", diagnostics.filter(\.isError).count)
            put("warnings", diagnostics.filter { $0.severity == .warning }.count)
            put("grants", ir.grants.count)
            put("defaultGrants", ir.defaultGrants.count)
            put("revokes", ir.revokes.count + ir.defaultRevokes.count)
            put("memberships", ir.memberships.count)
            put("principals", ir.principals.count)
            put("scriptBytes", script.utf8.count)
            var statements = 0
            var previous: UInt8 = 0
            for b in script.utf8 {
                if b == UInt8(ascii: "\n"), previous == UInt8(ascii: ";") { statements += 1 }
                previous = b
            }
            put("scriptStatements", statements)
            if diagnostics.contains(where: \.isError) {
                let text = DiagnosticRenderer(files: [file]).text(Array(diagnostics.filter(\.isError).prefix(20)))
                FileHandle.standardError.write(Data(text.utf8))
                return 1
            }
        }
        say(report.map { "\($0.0)=\($0.1)" }.joined(separator: "\n"))
        return 0
    }
}
