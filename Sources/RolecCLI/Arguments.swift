/// A small argument parser: positional arguments plus `--name value`, `--name=value`
/// and flags, validated against what the command declares.
struct Arguments {
    var positional: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    /// `valueOptions` take a value; `flagOptions` take none. Aliases map short to long names.
    init(_ arguments: [String], command: String, valueOptions: Set<String>, flagOptions: Set<String>, aliases: [String: String] = [:]) throws {
        var index = 0
        var onlyPositional = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositional || argument == "-" || !argument.hasPrefix("-") {
                positional.append(argument)
                continue
            }
            if argument == "--" { onlyPositional = true; continue }
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            name = aliases[name] ?? name
            if name == "--help" || name == "-h" { flags.insert("--help"); continue }
            if valueOptions.contains(name) {
                if let inline { values[name] = inline; continue }
                guard index < arguments.count else {
                    throw UsageError(message: "option '\(name)' needs a value", command: command)
                }
                values[name] = arguments[index]
                index += 1
            } else if flagOptions.contains(name), inline == nil {
                flags.insert(name)
            } else {
                throw UsageError(message: "unknown option '\(argument)' for '\(command)'", command: command)
            }
        }
    }

    func value(_ name: String) -> String? { values[name] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// A value that must be one of `allowed`.
    func choice(_ name: String, _ allowed: [String], command: String) throws -> String? {
        guard let value = values[name] else { return nil }
        guard allowed.contains(value) else {
            throw UsageError(message: "invalid value '\(value)' for \(name); expected one of: \(allowed.joined(separator: ", "))", command: command)
        }
        return value
    }
}
