import Foundation
import Testing
@testable import Rolec

@Suite("Diagnostics rendering")
struct DiagnosticsTests {
    let file = SourceFile(id: 0, path: "p.roles", text: "role a\n\trole \"データ\" { member of x }\nuser b\n")

    func caretLine(_ d: Diagnostic) -> String {
        let lines = DiagnosticRenderer(files: [file]).text(d).split(separator: "\n", omittingEmptySubsequences: false)
        return String(lines[3])
    }

    @Test func textLayoutMatchesTheDesign() {
        let range = SourceRange(file: 0, start: 0, end: 4)
        let d = Diagnostic(.error, "E0999", "something 'a'", at: range, help: "try 'b'", notes: [.init("see here", at: SourceRange(file: 0, start: 30, end: 31))])
        let text = DiagnosticRenderer(files: [file]).text(d)
        #expect(text == """
        p.roles:1:1: error[E0999]: something 'a'
          |
        1 | role a
          | ^^^^
          = note: see here (p.roles:2:24)
          = help: try 'b'

        """)
    }

    @Test func caretKeepsTabsAndCountsWideCharacters() throws {
        let start = try #require(file.text(SourceRange(file: 0, start: 0, end: file.bytes.count)).utf8.firstIndex(of: UInt8(ascii: "x")))
        let offset = file.text(SourceRange(file: 0, start: 0, end: file.bytes.count)).utf8.distance(from: file.text(SourceRange(file: 0, start: 0, end: file.bytes.count)).utf8.startIndex, to: start)
        let line = caretLine(Diagnostic(.error, "E0201", "unknown role 'x'", at: SourceRange(file: 0, start: offset, end: offset + 1)))
        // "\trole \"データ\" { member of " is a tab, 6 columns, 3 wide characters (6), then 14 columns.
        #expect(line == "  | \t" + String(repeating: " ", count: 6 + 6 + 14) + "^")
    }

    @Test func controlCharactersAreShownAsSymbols() {
        #expect(DiagnosticRenderer.printable("a\u{0}b\u{1B}[31m\tc") == "a\u{2400}b\u{241B}[31m\tc")
        #expect(DiagnosticRenderer.columns("a") == 1)
        #expect(DiagnosticRenderer.columns("分") == 2)
        #expect(DiagnosticRenderer.columns("🚀") == 2)
        #expect(DiagnosticRenderer.columns("\u{0301}") == 0)
    }

    @Test func jsonCarriesTheSameData() throws {
        let d = Diagnostic(.warning, "W0502", "future objects", at: SourceRange(file: 0, start: 44, end: 48), help: "declare")
        let json = DiagnosticRenderer(files: [file]).json([d])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let first = try #require((object["diagnostics"] as? [[String: Any]])?.first)
        #expect(first["severity"] as? String == "warning")
        #expect(first["code"] as? String == "W0502")
        #expect(first["help"] as? String == "declare")
        let location = try #require(first["location"] as? [String: Any])
        #expect(location["file"] as? String == "p.roles")
        #expect(location["line"] as? Int == 3)
        #expect(object["warnings"] as? Int == 1 && object["errors"] as? Int == 0)
    }

    @Test func bagSortsBySourceAndDeduplicates() {
        var bag = DiagnosticBag()
        let late = Diagnostic(.error, "E2", "late", at: SourceRange(file: 0, start: 10, end: 11))
        let early = Diagnostic(.warning, "W1", "early", at: SourceRange(file: 0, start: 1, end: 2))
        bag.add(late)
        bag.add(early)
        bag.add(late)
        #expect(bag.sorted.map(\.code) == ["W1", "E2"])
        #expect(bag.errorCount == 1 && bag.warningCount == 1 && bag.hasErrors)
    }

    /// SourceRange keeps 32-bit offsets: the Int API, ordering and JSON are as before, and
    /// an offset past 4 GiB clamps instead of trapping.
    @Test func sourceRangeIsCompactAndKeepsItsInterface() throws {
        let range = SourceRange(file: 2, start: 10, end: 14)
        #expect(range.file == 2 && range.start == 10 && range.end == 14)
        #expect(MemoryLayout<SourceRange>.size == 12)
        #expect(SourceRange.none.file == -1)
        #expect(range < SourceRange(file: 2, start: 10, end: 15) && SourceRange(file: 1, start: 99, end: 99) < range)
        #expect(range.to(SourceRange(file: 2, start: 3, end: 12)) == SourceRange(file: 2, start: 3, end: 14))
        let huge = SourceRange(file: 0, start: 5_000_000_000, end: Int.max)
        #expect(huge.start == Int(UInt32.max) && huge.end == Int(UInt32.max))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(range), as: UTF8.self)
        #expect(json == #"{"end":14,"file":2,"start":10}"#)
        #expect(try JSONDecoder().decode(SourceRange.self, from: Data(json.utf8)) == range)
    }
}

