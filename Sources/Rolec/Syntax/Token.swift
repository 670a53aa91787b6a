/// A token: a kind and a byte range; its text is sliced on demand.
public struct Token: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case word            // bare identifier or keyword
        case quotedName      // "Any Name"
        case string          // 'text'
        case integer
        case lbrace, rbrace, lparen, rparen, lbracket, rbracket
        case comma, dot, semicolon, equals
        case eof
    }

    public var kind: Kind
    public var start: Int
    public var end: Int

    public var description: String {
        switch kind {
        case .word: return "word"
        case .quotedName: return "quoted name"
        case .string: return "string"
        case .integer: return "integer"
        case .lbrace: return "'{'"
        case .rbrace: return "'}'"
        case .lparen: return "'('"
        case .rparen: return "')'"
        case .lbracket: return "'['"
        case .rbracket: return "']'"
        case .comma: return "','"
        case .dot: return "'.'"
        case .semicolon: return "';'"
        case .equals: return "'='"
        case .eof: return "end of file"
        }
    }
}
