/// A finding about the policy: data only; rendering happens at the edge.
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning, note
        var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public struct Note: Sendable, Hashable {
        public var message: String
        public var range: SourceRange?
        public init(_ message: String, at range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    public var severity: Severity
    public var code: String
    public var message: String
    public var range: SourceRange
    public var help: String?
    public var notes: [Note]

    public init(_ severity: Severity, _ code: String, _ message: String, at range: SourceRange,
                help: String? = nil, notes: [Note] = []) {
        self.severity = severity
        self.code = code
        self.message = message
        self.range = range
        self.help = help
        self.notes = notes
    }

    public var isError: Bool { severity == .error }
}

/// Collects diagnostics of every stage of one run.
public struct DiagnosticBag: Sendable {
    public private(set) var items: [Diagnostic] = []
    private struct Key: Hashable {
        var severity: Diagnostic.Severity
        var code: String
        var message: String
        var range: SourceRange
    }
    private var seen: Set<Key> = []

    public init() {}

    /// Adds a diagnostic unless one with the same code and message at the same place is
    /// there already (checking several dialects finds many problems once per dialect;
    /// the first one's help is kept).
    public mutating func add(_ diagnostic: Diagnostic) {
        let key = Key(severity: diagnostic.severity, code: diagnostic.code, message: diagnostic.message, range: diagnostic.range)
        if seen.insert(key).inserted { items.append(diagnostic) }
    }

    public mutating func add(contentsOf other: [Diagnostic]) {
        for diagnostic in other { add(diagnostic) }
    }

    public var hasErrors: Bool { items.contains { $0.isError } }
    public var errorCount: Int { items.filter { $0.isError }.count }
    public var warningCount: Int { items.filter { $0.severity == .warning }.count }

    /// Source order, so output is deterministic whatever the stage that found it.
    public var sorted: [Diagnostic] {
        items.enumerated().sorted { a, b in
            if a.element.range != b.element.range { return a.element.range < b.element.range }
            return a.offset < b.offset
        }.map(\.element)
    }
}
