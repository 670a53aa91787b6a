import Foundation
import Rolec

/// Where the CLI writes; tests capture it in memory.
public protocol TextSink: AnyObject {
    func write(_ text: String)
}

public final class FileSink: TextSink {
    let handle: FileHandle
    public init(_ handle: FileHandle) { self.handle = handle }
    public func write(_ text: String) { handle.write(Data(text.utf8)) }
}

public final class CapturedSink: TextSink {
    public private(set) var text = ""
    public init() {}
    public func write(_ text: String) { self.text += text }
}

/// Exit codes of language.md section 7.
public enum ExitCode {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let difference: Int32 = 3
    public static let loss: Int32 = 4
}

struct UsageError: Error {
    var message: String
    var command: String?
}

/// Everything a command needs from the outside world.
struct Context {
    let stdin: () -> [UInt8]
    let stdout: TextSink
    let stderr: TextSink
}

/// The CLI entry point: `rolec COMMAND ...`. Returns the process exit code.
public func run(arguments: [String], stdin: @escaping () -> [UInt8], stdout: TextSink, stderr: TextSink) -> Int32 {
    let context = Context(stdin: stdin, stdout: stdout, stderr: stderr)
    guard let first = arguments.first else {
        stderr.write(Help.overview)
        return ExitCode.usage
    }
    let rest = Array(arguments.dropFirst())
    do {
        switch first {
        case "--help", "-h":
            stdout.write(Help.overview)
            return ExitCode.success
        case "--version":
            stdout.write("rolec \(ScriptWriter.toolVersion)\n")
            return ExitCode.success
        case "help":
            if let topic = rest.first {
                guard let text = Help.commands[topic] else { throw UsageError(message: "unknown command '\(topic)'") }
                stdout.write(text)
            } else {
                stdout.write(Help.overview)
            }
            return ExitCode.success
        case "compile": return try CompileCommand.run(rest, context)
        case "preview": return try PreviewCommand.run(rest, context)
        case "check": return try CheckCommand.run(rest, context)
        case "test": return try TestCommand.run(rest, context)
        case "explain": return try ExplainCommand.run(rest, context)
        case "verify": return try VerifyCommand.run(rest, context)
        case "graph": return try GraphCommand.run(rest, context)
        case "report": return try ReportCommand.run(rest, context)
        case "diff": return try DiffCommand.run(rest, context)
        case "plan": return try PlanCommand.run(rest, context)
        case "migrate": return try MigrateCommand.run(rest, context)
        case "log": return try LogCommand.run(rest, context)
        default:
            let known = Array(Help.commands.keys)
            var message = "unknown command '\(first)'"
            if let guess = known.min(by: { levenshtein($0, first) < levenshtein($1, first) }), levenshtein(guess, first) <= 2 {
                message += "; did you mean '\(guess)'?"
            }
            throw UsageError(message: message)
        }
    } catch let error as UsageError {
        stderr.write("rolec: error: \(error.message)\n")
        stderr.write(error.command.map { "See 'rolec help \($0)'.\n" } ?? "See 'rolec --help'.\n")
        return ExitCode.usage
    } catch {
        stderr.write("rolec: error: \(error)\n")
        return ExitCode.usage
    }
}

func levenshtein(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var row = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count {
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = row
    }
    return previous[y.count]
}
