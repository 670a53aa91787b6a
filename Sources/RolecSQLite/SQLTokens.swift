import CSQLite

/// Just enough of SQLite's lexer to find statement boundaries and the REPLACE
/// conflict clause: strings, quoted identifiers and comments are skipped, so a
/// word inside them never counts.
enum SQLTokens {
    enum Kind: Equatable { case word, punctuation, literal }

    struct Token: Equatable {
        var kind: Kind
        /// Words upper-cased (ASCII); punctuation as written; strings and quoted identifiers:
        /// their content between the quotes, upper-cased, quotes inside left doubled.
        var text: String
        /// Byte offsets in the UTF-8 text.
        var start: Int
        var end: Int
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x24 || b >= 0x80
    }

    static func upper(_ bytes: [UInt8], _ from: Int, _ to: Int) -> String {
        guard from < to else { return "" }
        return String(decoding: bytes[from..<to].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    static func tokens(_ bytes: [UInt8], from start: Int = 0, to limit: Int? = nil) -> [Token] {
        let end = min(limit ?? bytes.count, bytes.count)
        var out: [Token] = []
        var i = start
        func closing(_ quote: UInt8, from j: Int, doubled: Bool) -> Int {
            var k = j + 1
            while k < end {
                if bytes[k] == quote {
                    if doubled && k + 1 < end && bytes[k + 1] == quote { k += 2; continue }
                    return k + 1
                }
                k += 1
            }
            return end
        }
        while i < end {
            let b = bytes[i]
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C:
                i += 1
            case UInt8(ascii: "-") where i + 1 < end && bytes[i + 1] == UInt8(ascii: "-"):
                while i < end && bytes[i] != 0x0A { i += 1 }
            case UInt8(ascii: "/") where i + 1 < end && bytes[i + 1] == UInt8(ascii: "*"):
                i += 2
                while i < end && !(bytes[i] == UInt8(ascii: "*") && i + 1 < end && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i = min(i + 2, end)
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                let j = closing(b, from: i, doubled: true)
                out.append(Token(kind: .literal, text: upper(bytes, i + 1, j - 1), start: i, end: j))
                i = j
            case UInt8(ascii: "["):
                let j = closing(UInt8(ascii: "]"), from: i, doubled: false)
                out.append(Token(kind: .literal, text: upper(bytes, i + 1, j - 1), start: i, end: j))
                i = j
            default:
                if isWordByte(b) {
                    var j = i
                    while j < end && isWordByte(bytes[j]) { j += 1 }
                    out.append(Token(kind: .word, text: upper(bytes, i, j), start: i, end: j))
                    i = j
                } else {
                    out.append(Token(kind: .punctuation, text: String(UnicodeScalar(b)), start: i, end: i + 1))
                    i += 1
                }
            }
        }
        return out
    }

    /// The end (byte offset just past its `;`, or the end of the text) of the statement
    /// that starts at `start`, as SQLite's own `sqlite3_complete` sees it (a trigger
    /// body's semicolons do not end a CREATE TRIGGER).
    static func statementEnd(_ bytes: [UInt8], from start: Int) -> Int {
        for token in tokens(bytes, from: start) where token.kind == .punctuation && token.text == ";" {
            let prefix = Array(bytes[start..<token.end]) + [0]
            let complete = prefix.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { $0.withMemoryRebound(to: CChar.self, capacity: buffer.count) { sqlite3_complete($0) } } ?? 0
            }
            if complete != 0 { return token.end }
        }
        return bytes.count
    }

    /// Whether the tokens can make SQLite delete rows to resolve a conflict: a REPLACE
    /// keyword (`REPLACE INTO`, `INSERT OR REPLACE`, `UPDATE OR REPLACE`, `ON CONFLICT
    /// REPLACE`), never the replace() function. Conservative: any REPLACE word not
    /// followed by `(` counts.
    static func mayReplace(_ tokens: [Token]) -> Bool {
        for (k, token) in tokens.enumerated() where token.kind == .word && token.text == "REPLACE" {
            let next = k + 1 < tokens.count ? tokens[k + 1] : nil
            if next?.kind == .punctuation && next?.text == "(" { continue }
            return true
        }
        return false
    }

    static func mayReplace(_ sql: String) -> Bool { mayReplace(tokens(Array(sql.utf8))) }

    /// Whether a word, string or quoted identifier names one of `names` (ASCII case ignored).
    static func mentions(_ tokens: [Token], anyOf names: Set<String>) -> Bool {
        let upperNames = Set(names.map { $0.uppercased() })
        return tokens.contains { $0.kind != .punctuation && upperNames.contains($0.text) }
    }
}
