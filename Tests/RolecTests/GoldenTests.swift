import Foundation
import Testing
@testable import Rolec

/// Every case in dialects/examples: the expected script per dialect (and per server
/// version or phase where the case has such files) and the expected diagnostics.
@Suite("Golden corpus")
struct GoldenTests {
    @Test("the corpus is large enough to cover every construct")
    func corpusSize() {
        #expect(Golden.caseNames.count >= 20)
    }

    @Test("golden case", arguments: Golden.caseNames)
    func goldenCase(_ name: String) throws {
        let compilation = try Golden.load(name)
        #expect(!compilation.files.isEmpty, "case \(name) has no .roles file")
        if let first = compilation.files.first {
            #expect(first.bytes.first == UInt8(ascii: "#"), "the first line of \(first.path) must be a comment saying what the case proves")
        }
        // Diagnostics as `rolec check` reports them for every dialect at its default version.
        var bag = DiagnosticBag()
        bag.add(contentsOf: compilation.parseDiagnostics)
        for dialect in DialectRegistry.all {
            let (ir, problems) = compilation.lower(for: Target(dialect: dialect, version: dialect.defaultVersion))
            bag.add(contentsOf: problems)
            if !problems.contains(where: \.isError) {
                bag.add(contentsOf: RuleChecker.check(ir))
                if !compilation.hasSyntaxErrors { bag.add(contentsOf: Lints.check(compilation.syntax.map(\.1), ir: ir)) }
            }
        }
        let diagnostics = DiagnosticRenderer(files: compilation.files).text(bag.sorted)
        Golden.check(diagnostics.isEmpty ? nil : diagnostics, file: "expected.txt", in: name)

        let directory = Golden.examples.appendingPathComponent(name)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for dialect in DialectRegistry.all {
            // <dialect>.sql at the default version, plus <dialect>@<version>.sql and
            // <dialect>.<phase>.sql variants where the case has them.
            var variants: [(file: String, version: String, phase: RenderOptions.Phase?)] = [("\(dialect.name).sql", dialect.defaultVersion, nil)]
            for version in dialect.versions where existing.contains("\(dialect.name)@\(version).sql") {
                variants.append(("\(dialect.name)@\(version).sql", version, nil))
            }
            for phase in [RenderOptions.Phase.principals, .privileges] where existing.contains("\(dialect.name).\(phase.rawValue).sql") {
                variants.append(("\(dialect.name).\(phase.rawValue).sql", dialect.defaultVersion, phase))
            }
            for variant in variants {
                let output = compilation.compile(for: Target(dialect: dialect, version: variant.version), options: RenderOptions(phase: variant.phase))
                Golden.check(output.script, file: variant.file, in: name)
            }
        }
    }
}
