import Foundation
import Testing
@testable import Rolec

/// The golden corpus: `dialects/examples/<case>/`, found through #filePath.
enum Golden {
    static let examples: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("dialects/examples")

    static var update: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" }

    static var caseNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: examples.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }

    /// The case's policy files, with paths relative to `dialects/examples` so output
    /// does not depend on where the checkout lives.
    static func load(_ name: String) throws -> Compilation {
        let directory = examples.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".roles") }.sorted()
        var sources: [SourceFile] = []
        for (index, file) in files.enumerated() {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            sources.append(SourceFile(id: index, path: "\(name)/\(file)", bytes: [UInt8](data)))
        }
        return Compilation(files: sources)
    }

    /// Compares `actual` with the file, or rewrites it under UPDATE_GOLDEN=1.
    /// `nil` means the file must not exist.
    static func check(_ actual: String?, file: String, in name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = examples.appendingPathComponent(name).appendingPathComponent(file)
        let existing = try? String(contentsOf: url, encoding: .utf8)
        if update {
            if let actual { try? actual.write(to: url, atomically: true, encoding: .utf8) } else if existing != nil { try? FileManager.default.removeItem(at: url) }
            return
        }
        switch (existing, actual) {
        case (nil, nil): return
        case (nil, .some):
            Issue.record("\(name)/\(file) is missing; run UPDATE_GOLDEN=1 swift test and review it", sourceLocation: sourceLocation)
        case (.some, nil):
            Issue.record("\(name)/\(file) exists but the case produces no such output", sourceLocation: sourceLocation)
        case (.some(let expected), .some(let actual)):
            if expected != actual {
                let diff = UnifiedDiff.diff(expected: expected, actual: actual, expectedName: "\(name)/\(file)", actualName: "actual")
                Issue.record("\(name)/\(file) differs:\n\(diff)", sourceLocation: sourceLocation)
            }
        }
    }
}
