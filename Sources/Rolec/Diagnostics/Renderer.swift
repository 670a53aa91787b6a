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
        let lineText = DiagnosticRenderer.printable(String(decoding: lineBytes, as: UTF8.self))
        let startInLine = max(0, min(range.start - lineStart, lineBytes.count))
        let endInLine = max(startInLine, min(range.end - lineStart, lineBytes.count))
        let prefix = lineBytes.prefix(startInLine)
        var padding = ""
        for scalar in String(decoding: prefix, as: UTF8.self).unicodeScalars {
            padding += scalar == "\t" ? "\t" : String(repeating: " ", count: DiagnosticRenderer.columns(scalar))
        }
        let marked = lineBytes[(lineBytes.startIndex + startInLine)..<(lineBytes.startIndex + endInLine)]
        let width = max(1, String(decoding: marked, as: UTF8.self).unicodeScalars.reduce(0) { $0 + DiagnosticRenderer.columns($1) })
        let gutter = String(repeating: " ", count: String(line).count)
        return "\(gutter) |\n\(line) | \(lineText)\n\(gutter) | \(padding)\(String(repeating: "^", count: width))\n"
    }

    /// Terminal columns a scalar takes: 0 for combining marks, 2 for East Asian wide and
    /// emoji ranges, 1 otherwise (control characters are shown as one-column symbols).
    static func columns(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v) { return 0 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    /// The line as shown under a diagnostic: control characters other than tab become
    /// their visible symbols (U+2400...), so no NUL or escape sequence reaches a terminal.
    static func printable(_ line: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in line.unicodeScalars {
            if scalar.value < 0x20 && scalar != "\t", let symbol = Unicode.Scalar(0x2400 + scalar.value) {
                out.append(symbol)
            } else if scalar.value == 0x7F {
                out.append("\u{2421}")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
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
