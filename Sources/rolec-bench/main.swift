import Foundation

/// rolec-bench: performance benchmarks of rolec. See BENCHMARKS.md.
///
///   rolec-bench [--scale X] [--runs N] [--server-version V]   compile benchmark (default)
///   rolec-bench --emit PATH [--scale X]                        write the synthetic policy and exit
///   rolec-bench apply-postgres --host DIR --port P [...]       apply benchmark on a live PostgreSQL
///   rolec-bench measure --input FILE --mode phases|whole       (internal: one measured run)

let usage = """
USAGE: rolec-bench [--scale X] [--runs N] [--server-version V]
       rolec-bench --emit PATH [--scale X]
       rolec-bench apply-postgres --host HOST --port PORT [--user U] [--psql PATH]
                   [--roles N] [--tables N] [--schemas N] [--runs N] [--keep DIR]
                   [--policy levels,distinct,shared]

Compile benchmark (default): generates a deterministic synthetic policy (scale 1.0:
10k roles, 1k users, 100 schemas x 1000 tables, ~1M atomic grants) and times
lex, lex+parse, lowering, rendering and the whole compile, each run in a fresh process.
--emit PATH writes that policy to PATH and exits (to time `rolec compile` itself).

apply-postgres: times `psql -f` of rolec's script against one GRANT per table and
role on a running PostgreSQL (scripts/bench-apply starts a throwaway server). Policies
(--policy, default levels,distinct): `levels`, the roles share three access levels;
`distinct`, every role has a privilege set of its own; `shared`, all roles hold SELECT.

"""

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("rolec-bench: \(message)\n\n\(usage)".utf8))
    exit(2)
}

/// Minimal `--name value` parsing.
struct Flags {
    var values: [String: String] = [:]
    init(_ args: ArraySlice<String>, allowed: Set<String>) {
        var i = args.startIndex
        while i < args.endIndex {
            let arg = args[i]
            if arg == "--help" || arg == "-h" { print(usage, terminator: ""); exit(0) }
            guard allowed.contains(arg) else { fail("unknown argument '\(arg)'") }
            guard i + 1 < args.endIndex else { fail("\(arg) needs a value") }
            values[arg] = args[i + 1]
            i += 2
        }
    }
    func string(_ name: String) -> String? { values[name] }
    func int(_ name: String, _ fallback: Int) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), value > 0 else { fail("\(name) needs a positive integer") }
        return value
    }
    func double(_ name: String, _ fallback: Double) -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text), value > 0, value <= 100 else { fail("\(name) needs a number in (0, 100]") }
        return value
    }
}

let arguments = CommandLine.arguments.dropFirst()
do {
    switch arguments.first {
    case "measure":
        let flags = Flags(arguments.dropFirst(), allowed: ["--input", "--mode", "--server-version"])
        guard let input = flags.string("--input"), let mode = flags.string("--mode"), ["phases", "whole"].contains(mode) else {
            fail("measure needs --input FILE --mode phases|whole")
        }
        exit(try CompileBench.measure(input: input, mode: mode, serverVersion: flags.string("--server-version") ?? "15"))
    case "apply-postgres":
        let flags = Flags(arguments.dropFirst(), allowed: ["--host", "--port", "--user", "--psql", "--roles", "--tables", "--schemas", "--runs", "--keep", "--policy"])
        guard let host = flags.string("--host"), let port = flags.string("--port") else { fail("apply-postgres needs --host and --port") }
        var options = ApplyBench.Options(host: host, port: port)
        options.user = flags.string("--user") ?? options.user
        options.psql = flags.string("--psql") ?? options.psql
        options.roles = flags.int("--roles", options.roles)
        options.tables = flags.int("--tables", options.tables)
        options.schemas = flags.int("--schemas", options.schemas)
        options.runs = flags.int("--runs", options.runs)
        options.keep = flags.string("--keep")
        if let list = flags.string("--policy") {
            options.kinds = list.split(separator: ",").map { name in
                guard let kind = ApplyPolicy.Kind(rawValue: String(name)) else { fail("--policy takes levels, distinct, shared (comma-separated)") }
                return kind
            }
        }
        exit(try ApplyBench.run(options))
    default:
        let flags = Flags(arguments, allowed: ["--scale", "--runs", "--emit", "--server-version"])
        var options = CompileBench.Options()
        options.scale = flags.double("--scale", 1.0)
        options.runs = flags.int("--runs", 3)
        options.emit = flags.string("--emit")
        options.serverVersion = flags.string("--server-version") ?? "15"
        exit(try CompileBench.run(options))
    }
} catch {
    FileHandle.standardError.write(Data("rolec-bench: \(error)\n".utf8))
    exit(1)
}
