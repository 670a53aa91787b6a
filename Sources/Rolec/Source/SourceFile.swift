import Foundation

/// One policy file: its bytes and a lazily useful line-start table.
/// Offsets everywhere are UTF-8 byte offsets into `bytes`.
public struct SourceFile: Sendable {
    public let id: Int
    public let path: String
    public let bytes: [UInt8]
    /// Byte offset of the first byte of every line.
    public let lineStarts: [Int]

    public init(id: Int, path: String, bytes: [UInt8]) {
        self.id = id
        self.path = path
        self.bytes = bytes
        var starts = [0]
        starts.reserveCapacity(bytes.count / 32 + 1)
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(index + 1)
        }
        self.lineStarts = starts
    }

    public init(id: Int, path: String, text: String) {
        self.init(id: id, path: path, bytes: Array(text.utf8))
    }

    /// 1-based line and column (column counted in UTF-8 bytes) of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return (low + 1, offset - lineStarts[low] + 1)
    }

    /// The bytes of a 1-based line without its line terminator.
    public func lineBytes(_ line: Int) -> ArraySlice<UInt8> {
        guard line >= 1, line <= lineStarts.count else { return [] }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, end <= bytes.count, end - 1 >= start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return bytes[start..<max(start, end)]
    }

    public func text(_ range: SourceRange) -> String {
        let lower = max(0, min(range.start, bytes.count))
        let upper = max(lower, min(range.end, bytes.count))
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }

    /// sha256 of the file's bytes, lower-case hex.
    public var sha256: String { SHA256.hex(bytes) }
}

/// A half-open byte range in one file. Stored in 12 bytes (the syntax tree holds about
/// two per name, and a large policy has millions of names); offsets past 4 GiB clamp.
public struct SourceRange: Hashable, Sendable, Comparable, Codable {
    private var fileID: Int32
    private var startOffset: UInt32
    private var endOffset: UInt32

    public var file: Int { Int(fileID) }
    public var start: Int { Int(startOffset) }
    public var end: Int { Int(endOffset) }

    public init(file: Int, start: Int, end: Int) {
        fileID = Int32(clamping: file)
        startOffset = UInt32(clamping: start)
        endOffset = UInt32(clamping: end)
    }

    enum CodingKeys: String, CodingKey { case file, start, end }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(file: try container.decode(Int.self, forKey: .file), start: try container.decode(Int.self, forKey: .start),
                  end: try container.decode(Int.self, forKey: .end))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
    }

    public static let none = SourceRange(file: -1, start: 0, end: 0)

    public func to(_ other: SourceRange) -> SourceRange {
        guard other.file == file else { return self }
        return SourceRange(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    public static func < (lhs: SourceRange, rhs: SourceRange) -> Bool {
        (lhs.file, lhs.start, lhs.end) < (rhs.file, rhs.start, rhs.end)
    }
}
