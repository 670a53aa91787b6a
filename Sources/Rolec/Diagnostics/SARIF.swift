import Foundation

/// SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), so code-scanning
/// services show findings on pull requests. One run, one rule per code that occurs;
/// regions are 1-based lines and 1-based columns counted in UTF-16 code units (the
/// SARIF default `columnKind`), end column exclusive.
extension DiagnosticRenderer {
    public static let sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    /// Where the tool is documented; nil leaves `informationUri` out (it is optional).
    public static let informationUri: String? = nil

    public func sarif(_ diagnostics: [Diagnostic], toolVersion: String? = nil) -> String {
        struct Text: Encodable { var text: String }
        struct Rule: Encodable { var id: String; var name: String?; var shortDescription: Text; var helpUri: String? }
        struct Driver: Encodable { var name: String; var version: String?; var informationUri: String?; var rules: [Rule] }
        struct Tool: Encodable { var driver: Driver }
        struct Artifact: Encodable { var uri: String }
        struct Region: Encodable { var startLine: Int; var startColumn: Int; var endLine: Int; var endColumn: Int }
        struct Physical: Encodable { var artifactLocation: Artifact; var region: Region }
        struct Location: Encodable { var physicalLocation: Physical }
        struct RelatedLocation: Encodable { var id: Int; var physicalLocation: Physical; var message: Text }
        struct Result: Encodable {
            var ruleId: String; var ruleIndex: Int; var level: String; var message: Text
            var locations: [Location]; var relatedLocations: [RelatedLocation]?
        }
        struct Run: Encodable { var tool: Tool; var columnKind: String; var results: [Result] }
        struct Log: Encodable {
            var schema: String; var version: String; var runs: [Run]
            enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
        }

        func physical(_ range: SourceRange?) -> Physical? {
            guard let range, let file = files.first(where: { $0.id == range.file }) else { return nil }
            func position(_ offset: Int) -> (Int, Int) {
                let (line, byteColumn) = file.location(of: offset)
                let lineBytes = file.lineBytes(line)
                let prefix = lineBytes.prefix(max(0, byteColumn - 1))
                return (line, String(decoding: prefix, as: UTF8.self).utf16.count + 1 + max(0, byteColumn - 1 - lineBytes.count))
            }
            let (startLine, startColumn) = position(range.start)
            let (endLine, endColumn) = position(max(range.start, range.end))
            return Physical(artifactLocation: Artifact(uri: DiagnosticRenderer.uri(file.path)),
                            region: Region(startLine: startLine, startColumn: startColumn, endLine: endLine, endColumn: endColumn))
        }

        let summaries = Dictionary(Diagnostic.lintCatalog.map { ($0.code, $0.summary) }, uniquingKeysWith: { a, _ in a })
        var rules: [Rule] = []
        var ruleIndex: [String: Int] = [:]
        for d in diagnostics where ruleIndex[d.code] == nil {
            ruleIndex[d.code] = rules.count
            rules.append(Rule(id: d.code, name: nil, shortDescription: Text(text: summaries[d.code] ?? d.message), helpUri: nil))
        }
        let results = diagnostics.map { d -> Result in
            var text = d.message
            if let help = d.help { text += "\nhelp: \(help)" }
            var related: [RelatedLocation] = []
            for note in d.notes {
                if let p = physical(note.range) {
                    related.append(RelatedLocation(id: related.count + 1, physicalLocation: p, message: Text(text: note.message)))
                } else {
                    text += "\nnote: \(note.message)"
                }
            }
            let level: String
            switch d.severity {
            case .error: level = "error"
            case .warning: level = "warning"
            case .note: level = "note"
            }
            return Result(ruleId: d.code, ruleIndex: ruleIndex[d.code] ?? 0, level: level, message: Text(text: text),
                          locations: physical(d.range).map { [Location(physicalLocation: $0)] } ?? [],
                          relatedLocations: related.isEmpty ? nil : related)
        }
        let log = Log(schema: DiagnosticRenderer.sarifSchema, version: "2.1.0",
                      runs: [Run(tool: Tool(driver: Driver(name: "rolec", version: toolVersion, informationUri: DiagnosticRenderer.informationUri, rules: rules)),
                                 columnKind: "utf16CodeUnits", results: results)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(log) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A URI reference for a path: relative paths stay relative (code scanning resolves
    /// them against the checkout), absolute ones become `file://` URIs; `/` is kept and
    /// everything outside the unreserved set percent-encoded.
    static func uri(_ path: String) -> String {
        var out = path.hasPrefix("/") ? "file://" : ""
        for byte in path.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~/".contains(c)) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
