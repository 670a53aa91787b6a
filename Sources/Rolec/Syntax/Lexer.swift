/// UTF-8 bytes -> tokens. Never throws: problems become diagnostics and the lexer
/// carries on, so one run reports every mistake.
public struct Lexer {
    private let bytes: [UInt8]
    private let file: Int
    private var position = 0
    public private(set) var diagnostics: [Diagnostic] = []

    public init(bytes: [UInt8], file: Int) {
        self.bytes = bytes
        self.file = file
    }

    public static func tokenize(_ source: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(bytes: source.bytes, file: source.id)
        var tokens: [Token] = []
        // Room for the densest real text (`s.t1, s.t2, ...` is about 3 bytes a token), so a
        // large file is not copied while it grows; pages never written cost no memory.
        tokens.reserveCapacity(source.bytes.count / 2 + 1)
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .eof { break }
        }
        return (tokens, lexer.diagnostics)
    }

    private func range(_ start: Int, _ end: Int) -> SourceRange { SourceRange(file: file, start: start, end: end) }

    public mutating func next() -> Token {
        skipTrivia()
        let count = bytes.count
        while position < count {
            let start = position
            let byte = bytes[position]
            if isIdentifierStart(byte) {
                position = bytes.withUnsafeBufferPointer { buffer in
                    var i = start + 1
                    while i < count, Lexer.isIdentifierContinue(buffer[i]) { i += 1 }
                    return i
                }
                return Token(kind: .word, start: start, end: position)
            }
            if isDigit(byte) {
                position += 1
                while position < count, isDigit(bytes[position]) { position += 1 }
                return Token(kind: .integer, start: start, end: position)
            }
            switch byte {
            case UInt8(ascii: "'"):
                lexQuoted(UInt8(ascii: "'"))
                return Token(kind: .string, start: start, end: position)
            case UInt8(ascii: "\""):
                lexQuoted(UInt8(ascii: "\""))
                return Token(kind: .quotedName, start: start, end: position)
            default:
                break
            }
            position += 1
            switch byte {
            case UInt8(ascii: "{"): return Token(kind: .lbrace, start: start, end: position)
            case UInt8(ascii: "}"): return Token(kind: .rbrace, start: start, end: position)
            case UInt8(ascii: "("): return Token(kind: .lparen, start: start, end: position)
            case UInt8(ascii: ")"): return Token(kind: .rparen, start: start, end: position)
            case UInt8(ascii: "["): return Token(kind: .lbracket, start: start, end: position)
            case UInt8(ascii: "]"): return Token(kind: .rbracket, start: start, end: position)
            case UInt8(ascii: ","): return Token(kind: .comma, start: start, end: position)
            case UInt8(ascii: "."): return Token(kind: .dot, start: start, end: position)
            case UInt8(ascii: ";"): return Token(kind: .semicolon, start: start, end: position)
            case UInt8(ascii: "="): return Token(kind: .equals, start: start, end: position)
            default:
                reportBadByte(at: start)
                skipTrivia()
            }
        }
        return Token(kind: .eof, start: count, end: count)
    }

    /// Reports an unexpected byte (or a whole invalid UTF-8 sequence) and moves past it.
    private mutating func reportBadByte(at start: Int) {
        let byte = bytes[start]
        if byte == 0 {
            diagnostics.append(.nulByte(at: range(start, start + 1)))
            position = start + 1
        } else if byte < 0x80 {
            let text = byte < 0x20 || byte == 0x7F ? "\\u{\(String(byte, radix: 16))}" : String(UnicodeScalar(byte))
            diagnostics.append(.unexpectedCharacter(text, at: range(start, start + 1)))
            position = start + 1
        } else {
            let length = Lexer.validUTF8Length(bytes, at: start)
            if length == 0 {
                diagnostics.append(.invalidUTF8(at: range(start, start + 1)))
                position = start + 1
            } else {
                let text = String(decoding: bytes[start..<start + length], as: UTF8.self)
                diagnostics.append(.unexpectedCharacter(text, at: range(start, start + length)))
                position = start + length
            }
        }
    }

    private mutating func skipTrivia() {
        let count = bytes.count
        while position < count {
            // Runs of blanks, the common case, without a bounds check per byte.
            position = bytes.withUnsafeBufferPointer { buffer in
                var i = position
                while i < count {
                    let b = buffer[i]
                    guard b == UInt8(ascii: " ") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") else { break }
                    i += 1
                }
                return i
            }
            guard position < count else { return }
            let byte = bytes[position]
            if byte == UInt8(ascii: "#") {
                while position < count, bytes[position] != UInt8(ascii: "\n") {
                    checkContentByte()
                }
            } else {
                return
            }
        }
    }

    /// Consumes one byte (or UTF-8 sequence) of comment or quoted content, reporting NUL and bad UTF-8.
    private mutating func checkContentByte() {
        let byte = bytes[position]
        if byte < 0x80 {
            if byte == 0 { diagnostics.append(.nulByte(at: range(position, position + 1))) }
            position += 1
            return
        }
        let length = Lexer.validUTF8Length(bytes, at: position)
        if length == 0 {
            diagnostics.append(.invalidUTF8(at: range(position, position + 1)))
            position += 1
        } else {
            position += length
        }
    }

    /// Quoted string or name; a doubled quote stands for one. Position ends after the closing quote.
    private mutating func lexQuoted(_ quote: UInt8) {
        let start = position
        position += 1
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            if byte == quote {
                if position + 1 < count, bytes[position + 1] == quote {
                    position += 2
                    continue
                }
                position += 1
                if quote == UInt8(ascii: "\""), position - start == 2 {
                    diagnostics.append(.emptyIdentifier(at: range(start, position)))
                }
                return
            }
            if byte == UInt8(ascii: "\n") {
                break
            }
            checkContentByte()
        }
        // Unterminated: the token ends at the end of the line, so the next lines still parse.
        if quote == UInt8(ascii: "'") {
            diagnostics.append(.unterminatedString(at: range(start, position)))
        } else {
            diagnostics.append(.unterminatedIdentifier(at: range(start, position)))
        }
    }

    /// Unescaped content of a string or quoted-name token.
    public static func unquote(_ bytes: [UInt8], _ token: Token) -> String {
        guard token.end - token.start >= 1 else { return "" }
        let quote = bytes[token.start]
        var end = token.end
        if end - token.start >= 2, bytes[end - 1] == quote { end -= 1 }
        var out: [UInt8] = []
        out.reserveCapacity(end - token.start)
        var i = token.start + 1
        while i < end {
            let byte = bytes[i]
            out.append(byte)
            i += (byte == quote && i + 1 < end && bytes[i + 1] == quote) ? 2 : 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Length of the valid UTF-8 sequence starting at `index`, or 0 if it is invalid.
    static func validUTF8Length(_ bytes: [UInt8], at index: Int) -> Int {
        let b0 = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        let b1 = bytes[index + 1]
        guard b1 >= lower, b1 <= upper else { return 0 }
        for k in 2..<length where bytes[index + k] & 0xC0 != 0x80 { return 0 }
        return length
    }

    @inline(__always) private func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "_")
    }
    @inline(__always) static func isIdentifierContinue(_ b: UInt8) -> Bool {
        // Letters of either case in one comparison (b | 0x20 folds 'A'-'Z' onto 'a'-'z').
        (b | 0x20) &- UInt8(ascii: "a") < 26 || b &- UInt8(ascii: "0") < 10 || b == UInt8(ascii: "_") || b == UInt8(ascii: "$")
    }
    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
