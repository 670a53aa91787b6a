import Foundation

/// Turns diagnostics into text (compiler style, with a caret) or JSON.
public struct DiagnosticRenderer: Sendable {
    public let files: [SourceFile]

    public init(files: [SourceFile]) { self.files = files }

    private func file(_ id: Int) -> SourceFile? { files.first { $0.id == id } }

    /// `path:line:col` of a range's start, or nil for ranges outside any file.
    public func position(_ range: SourceRange) -> String? {
        guard let file = file(range.file) else { return nil }
        let (line, column) = file.location(of: range.start)
        return "\(file.path):\(line):\(column)"
    }

    public func text(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for diagnostic in diagnostics { out += text(diagnostic) }
        return out
    }

    public func text(_ d: Diagnostic) -> String {
        var out = ""
        let head = "\(d.severity.rawValue)[\(d.code)]: \(d.message)"
        var indent = "  "
        if let position = position(d.range), let file = file(d.range.file) {
            out += "\(position): \(head)\n"
            out += snippet(file: file, range: d.range)
            indent = String(repeating: " ", count: String(file.location(of: d.range.start).line).count + 1)
        } else {
            out += "rolec: \(head)\n"
        }
        for note in d.notes {
            if let range = note.range, let position = position(range) {
                out += "\(indent)= note: \(note.message) (\(position))\n"
            } else {
                out += "\(indent)= note: \(note.message)\n"
            }
        }
        if let help = d.help { out += "\(indent)= help: \(help)\n" }
        return out
    }

    /// The source line and a caret under the range; padding counts characters, not
    /// bytes, so the caret stays right under multi-byte text. Tabs are kept as tabs.
    private func snippet(file: SourceFile, range: SourceRange) -> String {
        let (line, _) = file.location(of: range.start)
        let lineBytes = file.lineBytes(line)
        let lineStart = file.lineStarts[line - 1]
        let lineText = String(decoding: lineBytes, as: UTF8.self)
        let startInLine = max(0, min(range.start - lineStart, lineBytes.count))
        let endInLine = max(startInLine, min(range.end - lineStart, lineBytes.count))
        let prefix = lineBytes.prefix(startInLine)
        var padding = ""
        for scalar in String(decoding: prefix, as: UTF8.self).unicodeScalars {
            padding += scalar == "\t" ? "\t" : " "
        }
        let marked = lineBytes[(lineBytes.startIndex + startInLine)..<(lineBytes.startIndex + endInLine)]
        let width = max(1, String(decoding: marked, as: UTF8.self).unicodeScalars.count)
        let gutter = String(repeating: " ", count: String(line).count)
        return "\(gutter) |\n\(line) | \(lineText)\n\(gutter) | \(padding)\(String(repeating: "^", count: width))\n"
    }

    public func json(_ diagnostics: [Diagnostic]) -> String {
        struct Location: Encodable { var file: String; var line: Int; var column: Int; var endLine: Int; var endColumn: Int }
        struct NoteRecord: Encodable { var message: String; var location: Location? }
        struct Record: Encodable {
            var severity: String; var code: String; var message: String
            var location: Location?; var help: String?; var notes: [NoteRecord]
        }
        func location(_ range: SourceRange?) -> Location? {
            guard let range, let file = file(range.file) else { return nil }
            let start = file.location(of: range.start)
            let end = file.location(of: range.end)
            return Location(file: file.path, line: start.line, column: start.column, endLine: end.line, endColumn: end.column)
        }
        let records = diagnostics.map { d in
            Record(severity: d.severity.rawValue, code: d.code, message: d.message, location: location(d.range),
                   help: d.help, notes: d.notes.map { NoteRecord(message: $0.message, location: location($0.range)) })
        }
        struct Document: Encodable { var diagnostics: [Record]; var errors: Int; var warnings: Int }
        let doc = Document(diagnostics: records,
                           errors: diagnostics.filter { $0.severity == .error }.count,
                           warnings: diagnostics.filter { $0.severity == .warning }.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(doc) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
