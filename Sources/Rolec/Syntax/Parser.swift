/// Hand-written recursive-descent parser with error recovery. Each parse function
/// implements the production of the same name in grammar/roles.ebnf. A function
/// that meets a mistake records one diagnostic and throws `ParseFailure`; the
/// enclosing block or the statement loop catches it and resynchronises at the next
/// statement (or block item) keyword, so every error of a run is reported.
public struct Parser {
    struct ParseFailure: Error {}

    let source: SourceFile
    let bytes: [UInt8]
    /// Tokens are lexed as the parser reaches them (no token array: a large file's
    /// tokens would be tens of megabytes written once and read once).
    var lexer: Lexer
    /// The token being looked at, the one after it, and the one before it.
    private(set) var current: Token
    private(set) var peekToken: Token
    private var previous: Token?
    /// How many tokens were consumed (recovery compares positions).
    var index = 0
    /// The parser's own diagnostics; `diagnostics` puts the lexer's first.
    private var parseDiagnostics: [Diagnostic] = []
    public var diagnostics: [Diagnostic] { lexer.diagnostics + parseDiagnostics }

    static let statementKeywords: Set<String> = [
        "role", "user", "external", "absent", "schema", "database", "grant", "revoke", "dialect", "policy", "test",
    ]

    public init(source: SourceFile) {
        self.source = source
        self.bytes = source.bytes
        var lexer = Lexer(bytes: source.bytes, file: source.id)
        let first = lexer.next()
        current = first
        peekToken = first.kind == .eof ? first : lexer.next()
        self.lexer = lexer
    }

    /// Parses one file; the diagnostics include the lexer's.
    public static func parse(_ source: SourceFile) -> (PolicyAST, [Diagnostic]) {
        var parser = Parser(source: source)
        let ast = parser.parsePolicy()
        // The statement loop ends at the end of the file, so the lexer has seen all of it.
        return (ast, parser.diagnostics)
    }

    // MARK: policy = { statement } ;

    mutating func parsePolicy() -> PolicyAST {
        var statements: [Statement] = []
        while current.kind != .eof {
            if current.kind == .semicolon { advance(); continue }
            if current.kind == .rbrace {
                record(.expected("a statement", found: describe(current), at: range(current)))
                advance()
                continue
            }
            let start = index
            do {
                statements.append(try parseStatement())
            } catch {
                synchronize(toAny: Parser.statementKeywords, mustAdvance: index == start)
            }
        }
        return PolicyAST(statements: statements)
    }

    /// statement = role | user | external | absent | schema_decl | database_decl
    ///           | grant | revoke | dialect_block | policy_block | test_block ;
    mutating func parseStatement() throws -> Statement {
        guard current.kind == .word else {
            throw fail(.expected("a statement such as 'role', 'user' or 'grant'", found: describe(current), at: range(current)))
        }
        switch keyword(current) {
        case "role": return .principal(try parsePrincipal(kind: .role, external: false))
        case "user": return .principal(try parsePrincipal(kind: .user, external: false))
        case "external": return try parseExternal()
        case "absent": return try parseAbsent()
        case "schema": return .owner(try parseOwnerDecl(scope: .schema))
        case "database": return .owner(try parseOwnerDecl(scope: .database))
        case "grant", "revoke": return .grant(try parseGrant())
        case "dialect": return try parseDialectBlock()
        case "policy": return try parsePolicyBlock()
        case "test": return .test(try parseTestBlock())
        default:
            let text = self.text(current)
            let suggestion = closest(to: text.lowercased(), among: Parser.statementKeywords)
            throw fail(.expected("a statement such as 'role', 'user' or 'grant'", found: "'\(text)'", at: range(current),
                                 help: suggestion.map { "did you mean '\($0)'?" }))
        }
    }

    // MARK: token helpers

    mutating func advance() {
        guard current.kind != .eof else { return }
        previous = current
        current = peekToken
        if peekToken.kind != .eof { peekToken = lexer.next() }
        index += 1
    }

    func range(_ token: Token) -> SourceRange { SourceRange(file: source.id, start: token.start, end: token.end) }
    var previousEnd: Int { previous?.end ?? 0 }
    func rangeFrom(_ start: Int) -> SourceRange { SourceRange(file: source.id, start: start, end: max(start, previousEnd)) }

    func text(_ token: Token) -> String { String(decoding: bytes[token.start..<token.end], as: UTF8.self) }

    /// The lower-cased text of a bare word (keywords are matched without case); "" otherwise.
    func keyword(_ token: Token) -> String {
        guard token.kind == .word else { return "" }
        // Written straight into the string's storage: no temporary array (words are short
        // ASCII, so this is usually a small string without any allocation).
        let start = token.start, count = token.end - token.start
        return String(unsafeUninitializedCapacity: count) { buffer in
            for i in 0..<count {
                let b = bytes[start + i]
                buffer[i] = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b
            }
            return count
        }
    }

    func isKeyword(_ word: String, _ token: Token? = nil) -> Bool {
        let token = token ?? current
        guard token.kind == .word, token.end - token.start == word.utf8.count else { return false }
        var i = token.start
        for expected in word.utf8 {
            var b = bytes[i]
            if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b += 32 }
            if b != expected { return false }
            i += 1
        }
        return true
    }

    mutating func accept(_ word: String) -> Bool {
        if isKeyword(word) { advance(); return true }
        return false
    }

    mutating func accept(_ kind: Token.Kind) -> Bool {
        if current.kind == kind { advance(); return true }
        return false
    }

    @discardableResult
    mutating func expect(_ word: String, help: String? = nil) throws -> Token {
        let token = current
        if isKeyword(word) { advance(); return token }
        throw fail(.expected("'\(word)'", found: describe(token), at: range(token), help: help))
    }

    @discardableResult
    mutating func expect(_ kind: Token.Kind, _ what: String? = nil) throws -> Token {
        let token = current
        if token.kind == kind { advance(); return token }
        throw fail(.expected(what ?? Token(kind: kind, start: 0, end: 0).description, found: describe(token), at: range(token)))
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .word: return "'\(text(token))'"
        case .quotedName: return "quoted name \(text(token))"
        case .string: return "string \(text(token))"
        case .integer: return "integer \(text(token))"
        default: return token.description
        }
    }

    /// True when only whitespace stands before the token on its line.
    func atLineStart(_ token: Token) -> Bool {
        var i = token.start - 1
        while i >= 0 {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") { return true }
            if b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") && b != UInt8(ascii: "\r") { return false }
            i -= 1
        }
        return true
    }

    mutating func record(_ diagnostic: Diagnostic) { parseDiagnostics.append(diagnostic) }

    mutating func fail(_ diagnostic: Diagnostic) -> ParseFailure {
        record(diagnostic)
        return ParseFailure()
    }

    /// Skips tokens until one of `keywords` starts a line (or follows ';', '{' or '}'),
    /// or until the '}' that closes the current block. Braces opened while skipping are
    /// skipped whole, so a broken block does not leak its items into the outer level.
    mutating func synchronize(toAny keywords: Set<String>, stopAtCloseBrace: Bool = false, mustAdvance: Bool) {
        var depth = 0
        var first = mustAdvance
        while current.kind != .eof {
            let token = current
            if depth == 0 {
                if token.kind == .rbrace {
                    if stopAtCloseBrace { return }
                } else if !first, token.kind == .word, keywords.contains(keyword(token)) {
                    let before = previous?.kind ?? .semicolon
                    if atLineStart(token) || before == .semicolon || before == .lbrace || before == .rbrace { return }
                }
            }
            if token.kind == .lbrace { depth += 1 }
            if token.kind == .rbrace { depth = max(0, depth - 1) }
            first = false
            advance()
        }
    }

    // MARK: names

    /// name = word | quoted_name ;
    mutating func parseName(_ what: String = "a name") throws -> Name {
        let token = current
        switch token.kind {
        case .word:
            // A keyword that starts a new line, not continuing a list, begins the next
            // item: the name was left out (`member of` then a line break).
            if atLineStart(token), let previous, previous.kind != .comma,
               Parser.statementKeywords.contains(keyword(token)) || Parser.itemKeywords.contains(keyword(token)) {
                throw fail(.expected(what, found: describe(token), at: range(token)))
            }
            advance()
            return Name(text(token), range: range(token))
        case .quotedName:
            advance()
            return Name(Lexer.unquote(bytes, token), range: range(token), quoted: true)
        default:
            throw fail(.expected(what, found: describe(token), at: range(token)))
        }
    }

    /// name { "," name }
    mutating func parseNameList(_ what: String = "a name") throws -> [Name] {
        var names = [try parseName(what)]
        while accept(.comma) { names.append(try parseName(what)) }
        return names
    }

    /// qname = name [ "." name ] ;
    mutating func parseQualifiedName(_ what: String = "a name") throws -> QualifiedName {
        let first = try parseName(what)
        if accept(.dot) {
            let second = try parseName(what)
            return QualifiedName(schema: first, name: second)
        }
        return QualifiedName(schema: nil, name: first)
    }

    mutating func parseString(_ what: String = "a string") throws -> StringLiteral {
        let token = current
        guard token.kind == .string else { throw fail(.expected(what, found: describe(token), at: range(token))) }
        advance()
        return StringLiteral(value: Lexer.unquote(bytes, token), range: range(token))
    }

    mutating func parseStringList(_ what: String = "a string") throws -> [StringLiteral] {
        var items = [try parseString(what)]
        while accept(.comma) { items.append(try parseString(what)) }
        return items
    }

    mutating func parseInteger() throws -> (Int, SourceRange) {
        let token = current
        guard token.kind == .integer else { throw fail(.expected("an integer", found: describe(token), at: range(token))) }
        advance()
        guard let value = Int(text(token)), value <= Int(Int32.max) else { throw fail(.integerTooLarge(at: range(token))) }
        return (value, range(token))
    }

    /// `{` items `}` where each item is parsed by `item`; a failing item is skipped up to the next
    /// item keyword so the rest of the block is still checked.
    mutating func parseBlock<T>(itemKeywords: Set<String>, _ item: (inout Parser) throws -> T?) throws -> ([T], SourceRange) {
        let open = try expect(.lbrace, "'{'")
        var items: [T] = []
        while current.kind != .rbrace && current.kind != .eof {
            if accept(.semicolon) { continue }
            let start = index
            do {
                if let value = try item(&self) { items.append(value) }
            } catch {
                synchronize(toAny: itemKeywords, stopAtCloseBrace: true, mustAdvance: index == start)
            }
        }
        let close = current
        if current.kind == .eof {
            record(.expected("'}'", found: "end of file", at: range(close),
                             help: "the block opened here is not closed: \(source.path):\(source.location(of: open.start).line)"))
            throw ParseFailure()
        }
        advance()
        return (items, SourceRange(file: source.id, start: open.start, end: close.end))
    }
}

/// Levenshtein distance over Unicode scalars; used for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var row = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        row[0] = i
        for j in 1...y.count {
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&previous, &row)
    }
    return previous[y.count]
}

/// The candidate closest to `word` if it is close enough to be a likely typo.
func closest<S: Sequence>(to word: String, among candidates: S) -> String? where S.Element == String {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate.lowercased())
        let limit = max(1, min(3, (candidate.count + 1) / 3))
        if distance <= limit, best.map({ distance < $0.1 || (distance == $0.1 && candidate < $0.0) }) ?? true {
            best = (candidate, distance)
        }
    }
    return best?.0
}
