import Foundation
import Rolec

/// `rolec explain PATH... (--principal NAME | --object 'table s.t') [--privilege P] [--dialect D] [--format text|json]`
enum ExplainCommand {
    static func run(_ arguments: [String], _ context: Context) throws -> Int32 {
        let args = try Arguments(arguments, command: "explain",
                                 valueOptions: ["--principal", "--object", "--privilege", "--dialect", "--server-version", "--format"], flagOptions: [])
        if args.flag("--help") { context.stdout.write(Help.commands["explain"] ?? ""); return ExitCode.success }
        let format = try args.choice("--format", ["text", "json"], command: "explain") ?? "text"
        let principal = args.value("--principal")
        let objectText = args.value("--object")
        guard (principal == nil) != (objectText == nil) else {
            throw UsageError(message: "give exactly one of --principal NAME or --object 'KIND NAME'", command: "explain")
        }
        let dialect = try Common.dialect(args.value("--dialect") ?? "postgres", command: "explain")
        let target = try Common.target(dialect, version: args.value("--server-version"), command: "explain")
        let compilation = try Common.load(args.positional, command: "explain", context)
        guard let ir = Common.lowered(compilation, for: target, context) else { return ExitCode.failure }
        let access = EffectiveAccess(ir: ir)
        let privilegeFilter = args.value("--privilege")?.uppercased()
        struct Row: Encodable { var principal: String; var object: String; var privilege: String; var column: String?; var paths: [String] }
        var rows: [Row] = []
        if let principal {
            guard ir.principal(named: principal) != nil else {
                throw UsageError(message: "no principal named '\(principal)' in the policy", command: "explain")
            }
            for entry in access.privileges(of: principal) where privilegeFilter == nil || entry.privilege == privilegeFilter {
                rows.append(Row(principal: principal, object: entry.object.display, privilege: entry.privilege, column: entry.column,
                                paths: entry.paths.map { $0.explain(principal) }))
            }
        } else if let objectText {
            guard let object = access.namedObjects.first(where: { $0.display == objectText || $0.display.hasPrefix(objectText + "(") }) else {
                throw UsageError(message: "the policy names no object '\(objectText)'; objects look like 'table sales.orders'", command: "explain")
            }
            for entry in access.privileges(on: object) where privilegeFilter == nil || entry.privilege == privilegeFilter {
                rows.append(Row(principal: entry.principal, object: object.display, privilege: entry.privilege, column: entry.column,
                                paths: entry.paths.map { $0.explain(entry.principal) }))
            }
        }
        if format == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            context.stdout.write(String(decoding: (try? encoder.encode(rows)) ?? Data("[]".utf8), as: UTF8.self) + "\n")
            return ExitCode.success
        }
        var current = ""
        for row in rows {
            let heading = principal != nil ? row.object : row.principal
            if heading != current {
                context.stdout.write("\(heading)\n")
                current = heading
            }
            let what = row.privilege.lowercased() + (row.column.map { " (\($0))" } ?? "")
            context.stdout.write("  \(what): \(row.paths.joined(separator: "; "))\n")
        }
        if rows.isEmpty { context.stdout.write("nothing\n") }
        return ExitCode.success
    }
}
