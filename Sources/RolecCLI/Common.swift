import Foundation
import Rolec

/// Shared steps of the commands: loading, choosing targets, printing diagnostics, writing files.
enum Common {
    static func load(_ paths: [String], command: String, _ context: Context) throws -> Compilation {
        guard !paths.isEmpty else { throw UsageError(message: "no policy files given", command: command) }
        do {
            return Compilation(files: try Compilation.load(paths: paths, stdin: context.stdin))
        } catch let error as Compilation.LoadError {
            throw UsageError(message: error.message, command: command)
        }
    }

    static func dialect(_ name: String, command: String) throws -> any Dialect {
        guard let dialect = DialectRegistry.named(name) else {
            throw UsageError(message: "unknown dialect '\(name)'; available: \(DialectRegistry.names.joined(separator: ", "))", command: command)
        }
        return dialect
    }

    static func target(_ dialect: any Dialect, version: String?, command: String) throws -> Target {
        let version = version ?? dialect.defaultVersion
        guard dialect.versions.contains(version) else {
            throw UsageError(message: "unsupported \(dialect.displayName) version '\(version)'; supported: \(dialect.versions.joined(separator: ", "))", command: command)
        }
        return Target(dialect: dialect, version: version)
    }

    /// Comma-separated dialect list, or every registered dialect.
    static func dialects(_ list: String?, command: String) throws -> [any Dialect] {
        guard let list else { return DialectRegistry.all }
        return try list.split(separator: ",").map { try dialect(String($0).trimmingCharacters(in: .whitespaces), command: command) }
    }

    /// A policy lowered for one target, or nil after its errors were printed: the first
    /// step of every command that analyses rather than compiles.
    static func lowered(_ compilation: Compilation, for target: Target, _ context: Context) -> PolicyIR? {
        var bag = DiagnosticBag()
        bag.add(contentsOf: compilation.parseDiagnostics)
        let (ir, problems) = compilation.lower(for: target)
        bag.add(contentsOf: problems)
        if bag.hasErrors {
            printDiagnostics(bag.sorted, files: compilation.files, format: "text", context)
            return nil
        }
        return ir
    }

    /// Writes a command's output to `--output` (atomically) or to stdout.
    static func emit(_ text: String, to path: String?, _ context: Context) throws {
        if let path { try writeAtomically(text, to: path) } else { context.stdout.write(text) }
    }

    static func printDiagnostics(_ diagnostics: [Diagnostic], files: [SourceFile], format: String, _ context: Context) {
        let renderer = DiagnosticRenderer(files: files)
        if format == "json" {
            context.stdout.write(renderer.json(diagnostics))
            return
        }
        if format == "sarif" {
            context.stdout.write(renderer.sarif(diagnostics, toolVersion: ScriptWriter.toolVersion))
            return
        }
        context.stderr.write(renderer.text(diagnostics))
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        if errors > 0 || warnings > 0 {
            context.stderr.write("rolec: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n")
        }
    }

    /// Writes a file through a temporary file in the same directory and a rename, so a
    /// reader never sees a partial file and a failed run leaves the old one in place.
    static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).rolec-\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw UsageError(message: "cannot write \(path): \(reason)")
            }
        } catch let error as UsageError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw UsageError(message: "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
