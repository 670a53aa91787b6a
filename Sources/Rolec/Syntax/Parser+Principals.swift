extension Parser {
    static let itemKeywords: Set<String> = [
        "comment", "member", "grant", "profile", "set", "host", "password", "default",
        "login", "superuser", "createdb", "createrole", "replication", "bypassrls", "inherit", "noinherit",
        "connection", "valid",
    ]

    /// role = "role" name [ "{" { role_item } "}" ] ;
    /// user = "user" name [ "{" { role_item | user_item } "}" ] ;
    mutating func parsePrincipal(kind: PrincipalKind, external: Bool) throws -> PrincipalDecl {
        let start = current.start
        advance()
        let name = try parseName("a \(kind.rawValue) name")
        var items: [RoleItem] = []
        if current.kind == .lbrace {
            items = try parseBlock(itemKeywords: Parser.itemKeywords) { try $0.parseRoleItem() }.0
        }
        return PrincipalDecl(kind: kind, names: [name], external: external, items: items, range: rangeFrom(start))
    }

    /// external = "external" ( "role" | "user" ) name { "," name } [ "{" { role_item | user_item } "}" ] ;
    mutating func parseExternal() throws -> Statement {
        let start = current.start
        advance()
        let kind = try parsePrincipalKind()
        let names = try parseNameList("a \(kind.rawValue) name")
        var items: [RoleItem] = []
        if current.kind == .lbrace {
            items = try parseBlock(itemKeywords: Parser.itemKeywords) { try $0.parseRoleItem() }.0
        }
        return .principal(PrincipalDecl(kind: kind, names: names, external: true, items: items, range: rangeFrom(start)))
    }

    /// absent = "absent" ( "role" | "user" ) name { "," name } ;
    mutating func parseAbsent() throws -> Statement {
        let start = current.start
        advance()
        let kind = try parsePrincipalKind()
        let names = try parseNameList("a \(kind.rawValue) name")
        return .absent(kind, names, rangeFrom(start))
    }

    mutating func parsePrincipalKind() throws -> PrincipalKind {
        if accept("role") { return .role }
        if accept("user") { return .user }
        throw fail(.expected("'role' or 'user'", found: describe(current), at: range(current)))
    }

    /// role_item = "comment" string
    ///           | "member" "of" name { "," name } [ "with" member_option { "," member_option } ]
    ///           | attribute
    ///           | "grant" privileges "on" objects [ "with" "grant" "option" ]
    ///           | "profile" word "on" objects
    ///           | "set" setting_name ( "=" | "to" ) value { "," value } [ "in" "database" name ] ;
    /// user_item = "host" string { "," string }
    ///           | "password" "hash" string { "," string }
    ///           | "default" "role" ( name { "," name } | "all" | "none" ) ;
    mutating func parseRoleItem() throws -> RoleItem? {
        let start = current.start
        guard current.kind == .word else {
            throw fail(.expected("a role item such as 'member of', 'grant' or 'login'", found: describe(current), at: range(current)))
        }
        switch keyword(current) {
        case "comment":
            advance()
            return .comment(try parseString("a comment string"))
        case "member":
            advance()
            try expect("of")
            let roles = try parseNameList("a role name")
            var options: [MemberOption] = []
            if accept("with") {
                repeat { options.append(try parseMemberOption()) } while accept(.comma)
            }
            return .memberOf(roles, options, rangeFrom(start))
        case "grant":
            advance()
            let privileges = try parsePrivileges()
            try expect("on", help: "write 'grant PRIVILEGES on OBJECTS'")
            let objects = try parseObjects()
            let withGrantOption = try parseWithGrantOption()
            if isKeyword("to") {
                throw fail(.expected("the end of the grant", found: "'to'", at: range(current),
                                     help: "inside a role block the grantee is the enclosing role: drop 'to ...'"))
            }
            return .grant(privileges, objects, withGrantOption: withGrantOption, rangeFrom(start))
        case "profile":
            advance()
            let profile = try parseName("a profile name")
            try expect("on")
            let objects = try parseObjects()
            return .profile(profile, objects, rangeFrom(start))
        case "set":
            advance()
            return try parseSetting(start: start)
        case "host":
            advance()
            return .host(try parseStringList("a host string such as '%'"), rangeFrom(start))
        case "password":
            advance()
            try expect("hash", help: "only pre-hashed verifiers are accepted: 'password hash 'SCRAM-SHA-256$...''")
            return .passwordHash(try parseStringList("a password verifier string"), rangeFrom(start))
        case "default":
            advance()
            try expect("role")
            if accept("all") { return .defaultRole(.all, rangeFrom(start)) }
            if accept("none") { return .defaultRole(.none, rangeFrom(start)) }
            return .defaultRole(.names(try parseNameList("a role name")), rangeFrom(start))
        default:
            return .attribute(try parseAttribute())
        }
    }

    /// member_option = "admin" "option" | "inherit" ( "true" | "false" ) | "set" ( "true" | "false" ) ;
    mutating func parseMemberOption() throws -> MemberOption {
        let start = current.start
        if accept("admin") {
            try expect("option")
            return .admin(rangeFrom(start))
        }
        if accept("inherit") { return .inherit(try parseBool(), rangeFrom(start)) }
        if accept("set") { return .set(try parseBool(), rangeFrom(start)) }
        throw fail(.expected("'admin option', 'inherit true|false' or 'set true|false'", found: describe(current), at: range(current)))
    }

    mutating func parseBool() throws -> Bool {
        if accept("true") { return true }
        if accept("false") { return false }
        throw fail(.expected("'true' or 'false'", found: describe(current), at: range(current)))
    }

    /// attribute = "login" | "superuser" | "createdb" | "createrole" | "replication"
    ///           | "bypassrls" | "inherit" | "noinherit" | "connection" "limit" integer
    ///           | "valid" "until" string ;
    mutating func parseAttribute() throws -> Attribute {
        let start = current.start
        let word = keyword(current)
        if let flag = AttributeKind(rawValue: word) {
            advance()
            return .flag(flag, rangeFrom(start))
        }
        if accept("connection") {
            try expect("limit")
            let (value, _) = try parseInteger()
            return .connectionLimit(value, rangeFrom(start))
        }
        if accept("valid") {
            try expect("until")
            let value = try parseString("a timestamp string such as '2027-06-30'")
            return .validUntil(value, rangeFrom(start))
        }
        let found = text(current)
        let suggestion = closest(to: found.lowercased(), among: Parser.itemKeywords)
        throw fail(.expected("a role item such as 'member of', 'grant' or 'login'", found: describe(current), at: range(current),
                             help: suggestion.map { "did you mean '\($0)'?" }))
    }

    /// "set" setting_name ( "=" | "to" ) value { "," value } [ "in" "database" name ] ;
    /// setting_name = word { "." word } ;   value = string | name | integer ;
    mutating func parseSetting(start: Int) throws -> RoleItem {
        let nameStart = current.start
        guard current.kind == .word else { throw fail(.expected("a setting name", found: describe(current), at: range(current))) }
        var parts = [text(current)]
        advance()
        while accept(.dot) {
            guard current.kind == .word else { throw fail(.expected("a setting name", found: describe(current), at: range(current))) }
            parts.append(text(current))
            advance()
        }
        let name = Name(parts.joined(separator: "."), range: rangeFrom(nameStart))
        if !accept(.equals) && !accept("to") {
            throw fail(.expected("'=' or 'to'", found: describe(current), at: range(current)))
        }
        var values: [SettingValue] = []
        repeat {
            let token = current
            switch token.kind {
            case .string: values.append(.string(Lexer.unquote(bytes, token)))
            case .word: values.append(.name(text(token)))
            case .quotedName: values.append(.name(Lexer.unquote(bytes, token)))
            case .integer: values.append(.integer(text(token)))
            default: throw fail(.expected("a value (string, name or integer)", found: describe(token), at: range(token)))
            }
            advance()
        } while accept(.comma)
        var database: Name?
        if accept("in") {
            try expect("database")
            database = try parseName("a database name")
        }
        return .setting(name: name, values: values, database: database, rangeFrom(start))
    }

    /// schema_decl   = "schema" name [ "owned" "by" name ] [ "created" "by" name { "," name } ] ;
    /// database_decl = "database" name [ "owned" "by" name ] [ "created" "by" name { "," name } ] ;
    mutating func parseOwnerDecl(scope: OwnerDecl.Scope) throws -> OwnerDecl {
        let start = current.start
        advance()
        let name = try parseName("a \(scope.rawValue) name")
        var owner: Name?
        var creators: [Name] = []
        if accept("owned") {
            try expect("by")
            owner = try parseName("a role name")
        }
        if accept("created") {
            try expect("by")
            creators = try parseNameList("a role name")
        }
        return OwnerDecl(scope: scope, name: name, ownedBy: owner, createdBy: creators, range: rangeFrom(start))
    }
}
