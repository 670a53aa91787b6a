import Foundation

/// The one pipeline every command runs: load -> lex/parse -> lower -> render.
public struct Compilation: Sendable {
    public struct LoadError: Error, Sendable {
        public var message: String
    }

    public let files: [SourceFile]
    public let syntax: [(SourceFile, PolicyAST)]
    public let parseDiagnostics: [Diagnostic]

    /// Parses already-loaded files.
    public init(files: [SourceFile]) {
        self.files = files
        var units: [(SourceFile, PolicyAST)] = []
        var diagnostics: [Diagnostic] = []
        for file in files {
            let (ast, problems) = Parser.parse(file)
            units.append((file, ast))
            diagnostics.append(contentsOf: problems)
        }
        self.syntax = units
        self.parseDiagnostics = diagnostics
    }

    /// Loads policy files: a directory means every `.roles` file below it, sorted by
    /// path; `-` reads standard input.
    public static func load(paths: [String], stdin: () -> [UInt8]) throws -> [SourceFile] {
        var files: [SourceFile] = []
        var seen: Set<String> = []
        let manager = FileManager.default
        func add(_ path: String, _ bytes: [UInt8]) {
            guard seen.insert(path).inserted else { return }
            files.append(SourceFile(id: files.count, path: path, bytes: bytes))
        }
        for path in paths {
            if path == "-" {
                add("<stdin>", stdin())
                continue
            }
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw LoadError(message: "no such file or directory: \(path)")
            }
            if isDirectory.boolValue {
                guard let enumerator = manager.enumerator(atPath: path) else {
                    throw LoadError(message: "cannot read directory: \(path)")
                }
                var found: [String] = []
                while let relative = enumerator.nextObject() as? String {
                    if relative.hasSuffix(".roles") { found.append(relative) }
                }
                if found.isEmpty { throw LoadError(message: "no .roles files in \(path)") }
                for relative in found.sorted() {
                    let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
                    guard let data = manager.contents(atPath: full) else { throw LoadError(message: "cannot read \(full)") }
                    add(full, [UInt8](data))
                }
            } else {
                guard let data = manager.contents(atPath: path) else { throw LoadError(message: "cannot read \(path)") }
                add(path, [UInt8](data))
            }
        }
        return files
    }

    public var hasSyntaxErrors: Bool { parseDiagnostics.contains { $0.isError } }

    /// Lowers for one target. Parse diagnostics are not repeated here.
    public func lower(for target: Target) -> (PolicyIR, [Diagnostic]) {
        Lowering.lower(syntax, target: target)
    }

    public struct Output: Sendable {
        public var script: String?
        public var ir: PolicyIR?
        public var diagnostics: [Diagnostic]
        public var hasErrors: Bool { diagnostics.contains { $0.isError } }
    }

    /// Parses, lowers and renders; no script when anything is an error.
    public func compile(for target: Target, options: RenderOptions = RenderOptions()) -> Output {
        var bag = DiagnosticBag()
        bag.add(contentsOf: parseDiagnostics)
        let (ir, lowering) = lower(for: target)
        bag.add(contentsOf: lowering)
        if bag.hasErrors { return Output(script: nil, ir: nil, diagnostics: bag.sorted) }
        var options = options
        if options.sources.isEmpty { options.sources = files.map { ($0.path, $0.sha256) } }
        return Output(script: target.dialect.render(ir, options: options), ir: ir, diagnostics: bag.sorted)
    }
}
