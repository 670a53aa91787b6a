import Testing
@testable import Rolec

@Suite("Lexer")
struct LexerTests {
    func kinds(_ text: String) -> [Token.Kind] {
        Lexer.tokenize(SourceFile(id: 0, path: "t", text: text)).tokens.map(\.kind)
    }

    func diagnostics(_ bytes: [UInt8]) -> [String] {
        Lexer.tokenize(SourceFile(id: 0, path: "t", bytes: bytes)).diagnostics.map(\.code)
    }

    @Test func wordsPunctuationAndComments() {
        #expect(kinds("role a { member of b, c } # comment\n;") == [.word, .word, .lbrace, .word, .word, .word, .comma, .word, .rbrace, .semicolon, .eof])
        #expect(kinds("s.t(integer)=[]") == [.word, .dot, .word, .lparen, .word, .rparen, .equals, .lbracket, .rbracket, .eof])
        #expect(kinds("a$1 _x 42") == [.word, .word, .integer, .eof])
    }

    @Test func quotedTextIsUnescaped() {
        let source = SourceFile(id: 0, path: "t", text: #"'it''s' "we""ird""#)
        let (tokens, problems) = Lexer.tokenize(source)
        #expect(problems.isEmpty)
        #expect(tokens.map(\.kind) == [.string, .quotedName, .eof])
        #expect(Lexer.unquote(source.bytes, tokens[0]) == "it's")
        #expect(Lexer.unquote(source.bytes, tokens[1]) == #"we"ird"#)
    }

    @Test func multiByteTextInsideQuotesIsKept() {
        let source = SourceFile(id: 0, path: "t", text: "\"Zoë ☃\" 'ü'")
        let (tokens, problems) = Lexer.tokenize(source)
        #expect(problems.isEmpty)
        #expect(Lexer.unquote(source.bytes, tokens[0]) == "Zoë ☃")
    }

    @Test func problemsAreReportedAndLexingGoesOn() {
        #expect(diagnostics(Array("'open\nrole a".utf8)) == ["E0102"])
        #expect(diagnostics(Array("\"open\nrole a".utf8)) == ["E0103"])
        #expect(diagnostics(Array("role a @ b".utf8)) == ["E0101"])
        #expect(diagnostics([0x72, 0x00, 0x72]) == ["E0105"])
        #expect(diagnostics([0x27, 0xC3, 0x28, 0x27]) == ["E0104"])
        #expect(diagnostics([0xFF]) == ["E0104"])
        #expect(diagnostics(Array("\"\"".utf8)) == ["E0106"])
        #expect(diagnostics(Array("# ok é\n".utf8)).isEmpty)
        let after = Lexer.tokenize(SourceFile(id: 0, path: "t", text: "'open\nrole a")).tokens.map(\.kind)
        #expect(after == [.string, .word, .word, .eof])
    }

    @Test func lineAndColumnAreBytes() {
        let source = SourceFile(id: 0, path: "t", text: "ab\nçd x\n")
        #expect(source.location(of: 0) == (1, 1))
        #expect(source.location(of: 3) == (2, 1))
        #expect(source.location(of: 6) == (2, 4))
        #expect(source.location(of: 9) == (3, 1))
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array(String(repeating: "a", count: 1000).utf8)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
