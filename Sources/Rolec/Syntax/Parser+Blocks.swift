extension Parser {
    /// dialect_block = "dialect" dialect_name { "," dialect_name } "{" { statement } "}" ;
    mutating func parseDialectBlock() throws -> Statement {
        let start = current.start
        advance()
        let names = try parseNameList("a dialect name such as 'postgres'")
        let (statements, _) = try parseBlock(itemKeywords: Parser.statementKeywords) { parser -> Statement? in
            let keywordStart = parser.current
            let statement = try parser.parseStatement()
            switch statement {
            case .dialect, .policy, .test:
                parser.record(.nestedBlock("'\(parser.keyword(keywordStart))'", at: parser.range(keywordStart)))
                return nil
            default:
                return statement
            }
        }
        return .dialect(names, statements, rangeFrom(start))
    }

    static let ruleKeywords: Set<String> = ["separate", "forbid", "limit", "protect", "allow"]

    /// policy_block = "policy" "{" { rule } "}" ;
    mutating func parsePolicyBlock() throws -> Statement {
        let start = current.start
        advance()
        let (rules, _) = try parseBlock(itemKeywords: Parser.ruleKeywords) { try $0.parseRule() }
        return .policy(rules, rangeFrom(start))
    }

    /// rule = "separate" name "," name { "," name }
    ///      | "forbid" ( privileges "on" objects | attribute_word ) [ "except" name { "," name } ]
    ///      | "limit" "members" "of" name "to" integer
    ///      | "protect" name { "," name }
    ///      | "allow" lint_code "for" name { "," name } ;
    mutating func parseRule() throws -> Rule {
        let start = current.start
        switch keyword(current) {
        case "separate":
            advance()
            let names = try parseNameList("a role name")
            if names.count < 2 {
                throw fail(.expected("',' and at least one more role", found: describe(current), at: range(current)))
            }
            return .separate(names, rangeFrom(start))
        case "forbid":
            advance()
            let privileges = try parsePrivileges()
            if accept("on") {
                let objects = try parseObjects()
                return .forbidPrivileges(privileges, objects, except: try parseExcept(), rangeFrom(start))
            }
            if case .list(let items) = privileges, items.count == 1, items[0].columns == nil,
               AttributeKind(rawValue: items[0].name) != nil {
                let attribute = Name(items[0].name, range: items[0].range)
                return .forbidAttribute(attribute, except: try parseExcept(), rangeFrom(start))
            }
            throw fail(.expected("'on' (or a single attribute such as 'superuser')", found: describe(current), at: range(current)))
        case "limit":
            advance()
            try expect("members")
            try expect("of")
            let role = try parseName("a role name")
            try expect("to")
            let (count, _) = try parseInteger()
            return .limitMembers(role, count, rangeFrom(start))
        case "protect":
            advance()
            return .protect(try parseNameList("a principal name"), rangeFrom(start))
        case "allow":
            advance()
            let code = try parseName("a lint code such as 'W0301'")
            try expect("for")
            return .allow(code: code, principals: try parseNameList("a principal name"), rangeFrom(start))
        default:
            let suggestion = current.kind == .word ? closest(to: keyword(current), among: Parser.ruleKeywords) : nil
            throw fail(.expected("a rule ('separate', 'forbid', 'limit', 'protect' or 'allow')", found: describe(current), at: range(current),
                                 help: suggestion.map { "did you mean '\($0)'?" }))
        }
    }

    mutating func parseExcept() throws -> [Name] {
        guard accept("except") else { return [] }
        return try parseNameList("a principal name")
    }

    /// test_block = "test" string "{" { expectation } "}" ;
    mutating func parseTestBlock() throws -> TestBlock {
        let start = current.start
        advance()
        let title = try parseString("a test title string")
        let (expectations, _) = try parseBlock(itemKeywords: ["expect"]) { try $0.parseExpectation() }
        return TestBlock(title: title, expectations: expectations, range: rangeFrom(start))
    }

    /// expectation = "expect" name ( "can" | "cannot" ) privileges "on" object
    ///             | "expect" name [ "not" ] "member" "of" name ;
    mutating func parseExpectation() throws -> Expectation {
        let start = current.start
        try expect("expect")
        let principal = try parseName("a principal name")
        if accept("can") || isKeyword("cannot") {
            let positive = !accept("cannot")
            let privileges = try parsePrivileges()
            try expect("on")
            let object = try parseObject()
            return .can(principal, positive, privileges, object, rangeFrom(start))
        }
        let negated = accept("not")
        try expect("member", help: "write 'expect NAME can|cannot PRIVILEGES on OBJECT' or 'expect NAME [not] member of ROLE'")
        try expect("of")
        let role = try parseName("a role name")
        return .member(principal, !negated, role, rangeFrom(start))
    }
}
