import Foundation

extension Parser {
    static let objectKeywords: Set<String> = [
        "database", "schema", "server", "table", "view", "sequence", "function", "procedure", "all",
    ]

    /// grant  = "grant" privileges "on" objects "to" grantees [ "with" "grant" "option" ] ;
    /// revoke = "revoke" privileges "on" objects "from" grantees ;
    mutating func parseGrant() throws -> GrantStmt {
        let start = current.start
        let isRevoke = isKeyword("revoke")
        advance()
        let privileges = try parsePrivileges()
        try expect("on", help: isRevoke ? "write 'revoke PRIVILEGES on OBJECTS from GRANTEES'" : "write 'grant PRIVILEGES on OBJECTS to GRANTEES'")
        let objects = try parseObjects()
        try expect(isRevoke ? "from" : "to")
        let grantees = try parseGrantees()
        let withGrantOption = isRevoke ? false : try parseWithGrantOption()
        return GrantStmt(privileges: privileges, objects: objects, grantees: grantees,
                         withGrantOption: withGrantOption, isRevoke: isRevoke, range: rangeFrom(start))
    }

    /// [ "with" "grant" "option" ]
    mutating func parseWithGrantOption() throws -> Bool {
        guard isKeyword("with") else { return false }
        advance()
        try expect("grant")
        try expect("option")
        return true
    }

    /// privileges = "all" [ "privileges" ] | privilege { "," privilege } ;
    /// privilege  = word { word } [ "(" name { "," name } ")" ] ;
    mutating func parsePrivileges() throws -> PrivilegeList {
        if isKeyword("all") && (isKeyword("privileges", peekToken) || isKeyword("on", peekToken)) {
            let start = current.start
            advance()
            _ = accept("privileges")
            return .all(rangeFrom(start))
        }
        var items: [Privilege] = []
        repeat {
            let start = current.start
            guard current.kind == .word, !isKeyword("on") else {
                throw fail(.expected("a privilege such as 'select'", found: describe(current), at: range(current)))
            }
            var words = [keyword(current)]
            advance()
            // Multi-word privileges (`lock tables`, `alter system`) stay on one line.
            while current.kind == .word, !isKeyword("on"), !isKeyword("except"), !startsObject(current), !atLineStart(current) {
                words.append(keyword(current))
                advance()
            }
            var columns: [Name]?
            if accept(.lparen) {
                columns = try parseNameList("a column name")
                try expect(.rparen, "')'")
            }
            items.append(Privilege(name: words.joined(separator: " "), columns: columns, range: rangeFrom(start)))
        } while accept(.comma)
        return .list(items)
    }

    /// objects = object { "," ( object | qname ) } ;   (* a bare name repeats the last kind *)
    mutating func parseObjects() throws -> [ObjectRef] {
        var objects = [try parseObject()]
        // The kind a bare name after a comma repeats: the last object's, kept as a small
        // value rather than copying that object for every name of a long list.
        var repeated = RepeatedKind(objects[0].kind)
        while current.kind == .comma {
            advance()
            if current.kind == .word, isObjectKeyword(current) {
                let object = try parseObject()
                repeated = RepeatedKind(object.kind)
                objects.append(object)
                continue
            }
            objects.append(try parseRepeatedObject(like: repeated))
        }
        return objects
    }

    /// Whether a word is one of `objectKeywords`, without building its lower-cased text
    /// (this runs once per object of a list).
    func isObjectKeyword(_ token: Token) -> Bool {
        // `isKeyword` for each object keyword, with the length compared first: most words
        // here are names, rejected without looking at their bytes.
        let length = token.end - token.start
        for word in Parser.objectKeywordBytes where word.count == length {
            var i = 0
            // Keywords are lower-case letters: `b | 0x20` matches either case of one.
            while i < length, bytes[token.start + i] | 0x20 == word[i] { i += 1 }
            if i == length { return true }
        }
        return false
    }

    static let objectKeywordBytes: [[UInt8]] = objectKeywords.sorted().map { Array($0.utf8) }

    /// Object keywords that no privilege name contains (`create view`, `lock tables` and
    /// `show databases` do contain object words), so a privilege's words stop there.
    static let privilegeStopWords = ["table", "schema", "database", "sequence", "function", "procedure", "server"]

    func startsObject(_ token: Token) -> Bool {
        Parser.privilegeStopWords.contains { isKeyword($0, token) }
    }

    /// "a table name" and the like: literals, so the hot path builds no string.
    static func nameDescription(_ kind: RelationKind) -> String {
        switch kind {
        case .table: return "a table name"
        case .view: return "a view name"
        case .sequence: return "a sequence name"
        }
    }

    static func nameDescription(_ kind: RoutineKind) -> String {
        switch kind {
        case .function: return "a function name"
        case .procedure: return "a procedure name"
        }
    }

    /// What a bare name after a comma in an object list is: the kind of the object before it.
    enum RepeatedKind {
        case database, schema, relation(RelationKind), routine(RoutineKind)
        /// `server` and `all ...` cannot be repeated by a bare name.
        case none

        init(_ kind: ObjectRefKind) {
            switch kind {
            case .database: self = .database
            case .schema: self = .schema
            case .relation(let k, _): self = .relation(k)
            case .routine(let k, _, _): self = .routine(k)
            case .server, .bulk: self = .none
            }
        }
    }

    /// A bare name after a comma: an object of the same kind as the one before it.
    mutating func parseRepeatedObject(like previous: RepeatedKind) throws -> ObjectRef {
        let start = current.start
        switch previous {
        case .database:
            return ObjectRef(kind: .database(try parseName("a database name")), range: rangeFrom(start))
        case .schema:
            return ObjectRef(kind: .schema(try parseName("a schema name")), range: rangeFrom(start))
        case .relation(let kind):
            return ObjectRef(kind: .relation(kind, try parseQualifiedName(Parser.nameDescription(kind))), range: rangeFrom(start))
        case .routine(let kind):
            let name = try parseQualifiedName(Parser.nameDescription(kind))
            let arguments = try parseOptionalArgumentTypes()
            return ObjectRef(kind: .routine(kind, name, arguments: arguments), range: rangeFrom(start))
        case .none:
            throw fail(.expected("an object such as 'table s.t'", found: describe(current), at: range(current),
                                 help: "after 'server' or 'all ...' name the kind of each further object"))
        }
    }

    /// object = "database" name | "schema" name | "server"
    ///        | ( "table" | "view" | "sequence" ) qname
    ///        | ( "function" | "procedure" ) qname [ "(" [ type { "," type } ] ")" ]
    ///        | "all" [ "existing" | "future" ] ( "tables" | "sequences" | "functions" | "procedures" | "routines" )
    ///          [ "in" "schema" name ] ;
    mutating func parseObject() throws -> ObjectRef {
        let start = current.start
        let word = keyword(current)
        switch word {
        case "database":
            advance()
            return ObjectRef(kind: .database(try parseName("a database name")), range: rangeFrom(start))
        case "schema":
            advance()
            return ObjectRef(kind: .schema(try parseName("a schema name")), range: rangeFrom(start))
        case "server":
            advance()
            return ObjectRef(kind: .server, range: rangeFrom(start))
        case "table", "view", "sequence":
            advance()
            let kind = RelationKind(rawValue: word) ?? .table
            return ObjectRef(kind: .relation(kind, try parseQualifiedName(Parser.nameDescription(kind))), range: rangeFrom(start))
        case "function", "procedure":
            advance()
            let kind = RoutineKind(rawValue: word) ?? .function
            let name = try parseQualifiedName(Parser.nameDescription(kind))
            let arguments = try parseOptionalArgumentTypes()
            return ObjectRef(kind: .routine(kind, name, arguments: arguments), range: rangeFrom(start))
        case "all":
            advance()
            var scope = BulkScope.both
            if accept("existing") { scope = .existing } else if accept("future") { scope = .future }
            guard let kind = BulkKind(rawValue: keyword(current)) else {
                throw fail(.expected("'tables', 'sequences', 'functions', 'procedures' or 'routines'", found: describe(current), at: range(current)))
            }
            advance()
            var schema: Name?
            if accept("in") {
                try expect("schema")
                schema = try parseName("a schema name")
            }
            return ObjectRef(kind: .bulk(kind, scope, schema: schema), range: rangeFrom(start))
        default:
            let suggestion = current.kind == .word ? closest(to: word, among: Parser.objectKeywords) : nil
            throw fail(.expected("an object kind such as 'table', 'schema' or 'database'", found: describe(current), at: range(current),
                                 help: suggestion.map { "did you mean '\($0)'?" }))
        }
    }

    /// [ "(" [ type { "," type } ] ")" ]; a type is words, quoted names, integers, dots,
    /// parentheses and brackets (`character varying`, `numeric(10,2)`, `text[]`), rebuilt
    /// from tokens so nothing but those characters can reach the SQL.
    mutating func parseOptionalArgumentTypes() throws -> [String]? {
        guard accept(.lparen) else { return nil }
        var types: [String] = []
        if accept(.rparen) { return types }
        while true {
            var text = ""
            var depth = 0
            var lastWasWord = false
            while true {
                let token = current
                if depth == 0 && (token.kind == .comma || token.kind == .rparen) { break }
                switch token.kind {
                case .word, .integer:
                    if lastWasWord { text += " " }
                    text += token.kind == .word ? keyword(token) : self.text(token)
                    lastWasWord = true
                case .quotedName:
                    if lastWasWord { text += " " }
                    text += "\"" + Lexer.unquote(bytes, token).replacingOccurrences(of: "\"", with: "\"\"") + "\""
                    lastWasWord = true
                case .dot: text += "."; lastWasWord = false
                case .lbracket: text += "["; lastWasWord = false
                case .rbracket: text += "]"; lastWasWord = false
                case .lparen: depth += 1; text += "("; lastWasWord = false
                case .rparen: depth -= 1; text += ")"; lastWasWord = false
                case .comma: text += ","; lastWasWord = false
                default:
                    throw fail(.expected("an argument type", found: describe(token), at: range(token)))
                }
                advance()
            }
            if text.isEmpty { throw fail(.expected("an argument type", found: describe(current), at: range(current))) }
            types.append(text)
            if accept(.comma) { continue }
            try expect(.rparen, "')'")
            return types
        }
    }

    /// grantees = grantee { "," grantee } ;   grantee = name | "public" ;
    mutating func parseGrantees() throws -> [Grantee] {
        var grantees: [Grantee] = []
        repeat {
            if current.kind == .word && isKeyword("public") {
                grantees.append(.publicRole(range(current)))
                advance()
            } else {
                grantees.append(.principal(try parseName("a role name or 'public'")))
            }
        } while accept(.comma)
        return grantees
    }
}
