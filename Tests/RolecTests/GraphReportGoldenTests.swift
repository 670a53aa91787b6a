import Foundation
import Testing
@testable import Rolec
@testable import RolecCLI

/// `rolec graph` and `rolec report`: golden files for a few corpus cases (graph.mmd,
/// graph.dot, report.md, report.csv, report.html at PostgreSQL's default version), and
/// the escaping of every label and cell for its format.
@Suite("Graph and report")
struct GraphReportGoldenTests {
    static let cases = ["builtin-roles", "portable", "shop"]

    @Test("golden graph and report", arguments: cases)
    func golden(_ name: String) throws {
        let compilation = try Golden.load(name)
        let dialect = try #require(DialectRegistry.named("postgres"))
        let target = Target(dialect: dialect, version: dialect.defaultVersion)
        let (ir, problems) = compilation.lower(for: target)
        #expect(!compilation.hasSyntaxErrors && !problems.contains(where: \.isError), "case \(name) must lower for postgres")
        let builtins = dialect.builtinRoles(version: target.version)
        Golden.check(Graph.render(ir, format: .mermaid, builtins: builtins), file: "graph.mmd", in: name)
        Golden.check(Graph.render(ir, format: .dot, builtins: builtins), file: "graph.dot", in: name)
        let report = AccessReport(ir: ir, sources: compilation.files.map { ($0.path, $0.sha256) })
        Golden.check(report.render(.markdown), file: "report.md", in: name)
        Golden.check(report.render(.csv), file: "report.csv", in: name)
        Golden.check(report.render(.html), file: "report.html", in: name)
    }

    // MARK: Escaping helpers

    @Test func mermaidEscaping() {
        #expect(Graph.mermaidEscape("a\"b") == "a#quot;b")
        #expect(Graph.mermaidEscape("<b>&#x</b>") == "#lt;b#gt;#amp;#35;x#lt;/b#gt;")
        #expect(Graph.mermaidEscape("line\nnext\r`code`") == "line next #96;code#96;")
        #expect(Graph.mermaidEscape("a|b, c") == "a|b, c")
    }

    @Test func dotEscaping() {
        #expect(Graph.dotString("plain") == "\"plain\"")
        #expect(Graph.dotString("a\"b") == "\"a\\\"b\"")
        #expect(Graph.dotString("back\\N") == "\"back\\\\N\"")
        #expect(Graph.dotString("one\ntwo\r") == "\"one\\ntwo\"")
    }

    @Test func csvEscaping() {
        #expect(AccessReport.csvField("plain") == "plain")
        #expect(AccessReport.csvField("a,b") == "\"a,b\"")
        #expect(AccessReport.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(AccessReport.csvField("line\nnext") == "\"line\nnext\"")
        #expect(AccessReport.csvField("cr\rlf") == "\"cr\rlf\"")
        #expect(AccessReport.csvField("a|b <c>") == "a|b <c>")
        #expect(AccessReport.csvField("") == "")
    }

    @Test func markdownEscaping() {
        #expect(AccessReport.markdownEscape("a|b") == "a\\|b")
        #expect(AccessReport.markdownEscape("<script>&") == "&lt;script>&amp;")
        #expect(AccessReport.markdownEscape("one\ntwo\r\nthree") == "one<br>two<br>three")
        #expect(AccessReport.markdownEscape("*x* _y_ `z` [l] \\") == "\\*x\\* \\_y\\_ \\`z\\` \\[l\\] \\\\")
    }

    @Test func htmlEscaping() {
        #expect(AccessReport.htmlEscape("<b>\"x\" & 'y'</b>") == "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;")
        #expect(AccessReport.htmlEscape("a\nb") == "a\nb")
    }

    // MARK: Through the CLI, with names that need escaping everywhere

    static let awkward = """
    # names with quotes, <, |, commas and #
    role "we""ird <b>|x</b>, y" {
      comment 'it''s a, "test" | <i>'
      grant select on table "s|1"."t,<2>"
    }
    user "o'brien#1" {
      member of "we""ird <b>|x</b>, y" with admin option
    }
    role "end"

    """

    struct Result { var code: Int32; var out: String; var err: String }

    func rolec(_ arguments: [String], stdin: String = "") -> Result {
        let out = CapturedSink(), err = CapturedSink()
        let code = run(arguments: arguments, stdin: { Array(stdin.utf8) }, stdout: out, stderr: err)
        return Result(code: code, out: out.text, err: err.text)
    }

    @Test func mermaidGraphOfAwkwardNames() {
        let result = rolec(["graph", "-"], stdin: Self.awkward)
        #expect(result.code == 0, "\(result.err)")
        let out = result.out
        #expect(out.hasPrefix("flowchart LR\n"))
        #expect(out.contains("n1([\"o'brien#35;1\"]):::user"))
        #expect(out.contains("[\"end\"]:::role"))
        #expect(out.contains("[\"we#quot;ird #lt;b#gt;|x#lt;/b#gt;, y\"]:::role"))
        #expect(out.contains("n1 ==>|\"admin option\"| n"))
        #expect(!out.contains("<b>"))
        // Node ids are generated, never names: no line defines a node called `end`.
        #expect(!out.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("end") })
    }

    @Test func dotGraphOfAwkwardNames() {
        let result = rolec(["graph", "-", "--format", "dot"], stdin: Self.awkward)
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.contains("\"o'brien#1\" -> \"we\\\"ird <b>|x</b>, y\" [label=\"admin option\", penwidth=2];"))
        #expect(result.out.contains("\"end\" [label=\"end\", shape=box"))
        #expect(result.out.contains("\"o'brien#1\" [label=\"o'brien#1\", shape=ellipse"))
    }

    /// A minimal RFC 4180 reader, to prove the CSV parses back into the same fields.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, index = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let c = scalars[index]
            index = scalars.index(after: index)
            if quoted {
                if c == "\"" {
                    if index < scalars.endIndex, scalars[index] == "\"" { field += "\""; index = scalars.index(after: index) } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(field); field = "" }
            else if c == "\r" { continue }
            else if c == "\n" { row.append(field); rows.append(row); row = []; field = "" }
            else { field.unicodeScalars.append(c) }
        }
        return rows
    }

    @Test func csvReportOfAwkwardNames() {
        let result = rolec(["report", "-", "--format", "csv"], stdin: Self.awkward)
        #expect(result.code == 0, "\(result.err)")
        #expect(result.out.hasPrefix("principal,kind,object,privilege,column,held\r\n"))
        #expect(result.out.hasSuffix("\r\n"))
        #expect(result.out.contains("\"we\"\"ird <b>|x</b>, y\",role,\"table s|1.t,<2>\",select,,direct\r\n"))
        let rows = Self.parseCSV(result.out)
        #expect(rows.allSatisfy { $0.count == 6 })
        // Users first, then roles by name.
        #expect(rows.dropFirst().first?.first == "o'brien#1")
        #expect(rows.contains(["o'brien#1", "user", "table s|1.t,<2>", "select", "", "via we\"ird <b>|x</b>, y"]))
        #expect(rows.contains(["end", "role", "", "", "", "none"]))
    }

    @Test func markdownReportOfAwkwardNames() {
        let result = rolec(["report", "-"], stdin: Self.awkward)
        #expect(result.code == 0, "\(result.err)")
        let out = result.out
        #expect(out.contains("| we\"ird &lt;b>\\|x&lt;/b>, y | role |  | it's a, \"test\" \\| &lt;i> |"))
        #expect(out.contains("it's a, \"test\" \\| &lt;i>"))
        #expect(out.contains("- `<stdin>` sha256:"))
        #expect(!out.contains("<b>") && !out.contains("<i>"))
        // Every table row has as many unescaped pipes as its header.
        func pipes(_ line: Substring) -> Int {
            var count = 0, escaped = false
            for c in line { if c == "|" && !escaped { count += 1 }; escaped = c == "\\" && !escaped }
            return count
        }
        var expected: Int?
        for line in out.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { expected = nil; continue }
            if let expected { #expect(pipes(line) == expected, "\(line)") } else { expected = pipes(line) }
        }
    }

    @Test func htmlReportOfAwkwardNames() {
        let result = rolec(["report", "-", "--format", "html"], stdin: Self.awkward)
        #expect(result.code == 0, "\(result.err)")
        let out = result.out
        #expect(out.hasPrefix("<!DOCTYPE html>"))
        #expect(out.contains("<td>we&quot;ird &lt;b&gt;|x&lt;/b&gt;, y</td>"))
        #expect(out.contains("<td>it&#39;s a, &quot;test&quot; | &lt;i&gt;</td>"))
        #expect(out.contains("<li>&lt;stdin&gt; sha256:"))
        #expect(!out.contains("<b>") && !out.contains("<i>"))
        // Self-contained: no scripts, no external resources.
        #expect(!out.contains("<script") && !out.contains("http://") && !out.contains("https://") && !out.contains("<link"))
    }

    @Test func outputFileIsWrittenAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rolec-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = directory.appendingPathComponent("report.html").path
        let mmd = directory.appendingPathComponent("graph.mmd").path
        #expect(rolec(["report", "-", "--format=html", "-o", html], stdin: Self.awkward).code == 0)
        #expect(rolec(["graph", "-", "-o", mmd], stdin: Self.awkward).code == 0)
        #expect(try String(contentsOfFile: html, encoding: .utf8) == rolec(["report", "-", "--format", "html"], stdin: Self.awkward).out)
        #expect(try String(contentsOfFile: mmd, encoding: .utf8) == rolec(["graph", "-"], stdin: Self.awkward).out)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == ["graph.mmd", "report.html"])
        // On a policy error nothing is written and the old file stays.
        let failed = rolec(["report", "-", "-o", html], stdin: "role a { member of b }\n")
        #expect(failed.code == 1 && failed.err.contains("E0201"))
        #expect(try String(contentsOfFile: html, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
    }

    @Test func usageErrorsAndHelp() {
        let bad = rolec(["graph", "-", "--format", "svg"], stdin: "role a\n")
        #expect(bad.code == 2 && bad.err.contains("expected one of: mermaid, dot"))
        let badReport = rolec(["report", "-", "--format", "pdf"], stdin: "role a\n")
        #expect(badReport.code == 2 && badReport.err.contains("expected one of: markdown, csv, html"))
        #expect(rolec(["report", "-", "--dialect", "oracle"], stdin: "role a\n").code == 2)
        for command in ["graph", "report"] {
            let help = rolec(["help", command])
            #expect(help.code == 0)
            for heading in ["OVERVIEW:", "USAGE:", "ARGUMENTS:", "OPTIONS:"] { #expect(help.out.contains(heading)) }
            #expect(rolec([command, "--help"]).out == help.out)
            #expect(rolec(["--help"]).out.contains("  \(command) "))
        }
    }

    @Test func dialectSelectsSemantics() {
        let policy = "role r { grant select on table s.t }\nuser u { member of r }\nrole v { grant execute on function s.f() }\n"
        let postgres = rolec(["report", "-", "--format", "csv"], stdin: policy)
        #expect(postgres.out.contains("u,user,function s.f(),execute,,PUBLIC (server default)\r\n"))
        let mysql = rolec(["report", "-", "--format", "csv", "--dialect", "mysql"], stdin: policy)
        #expect(mysql.code == 0, "\(mysql.err)")
        #expect(!mysql.out.contains("PUBLIC (server default)"))
        #expect(mysql.out.contains("u,user,table s.t,select,,via r\r\n"))
    }
}
