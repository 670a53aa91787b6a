/// The one place PostgreSQL identifiers and literals are quoted.
enum PostgresQuoting {
    /// Key words that must (or had better) be quoted as identifiers: PostgreSQL's
    /// reserved, type/function-name and column-name key words, plus the role
    /// words that mean something in GRANT/REVOKE position.
    static let keywords: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "between", "bigint",
        "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check", "coalesce", "collate", "collation",
        "column", "concurrently", "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
        "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable",
        "desc", "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for", "foreign",
        "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner",
        "inout", "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "json", "json_array",
        "json_arrayagg", "json_exists", "json_object", "json_objectagg", "json_query", "json_scalar", "json_serialize",
        "json_table", "json_value", "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp",
        "merge_action", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
        "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing", "position", "precision",
        "primary", "real", "references", "returning", "right", "row", "select", "session_user", "setof", "similar",
        "smallint", "some", "substring", "symmetric", "system_user", "table", "tablesample", "then", "time", "timestamp",
        "to", "trailing", "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic",
        "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest",
        "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable", "admin", "inherit", "set", "option",
        "cascade", "restrict", "granted", "by", "role", "group",
    ]

    /// Plain lower-case names stay bare; everything else is double-quoted with `"` doubled.
    static func identifier(_ name: String) -> String {
        var plain = !name.isEmpty
        for (i, b) in name.utf8.enumerated() {
            let lower = b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")
            let digitOrDollar = (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "$")
            if !(lower || b == UInt8(ascii: "_") || (i > 0 && digitOrDollar)) { plain = false; break }
        }
        if plain && !keywords.contains(name) { return name }
        return "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    static func qualified(_ schema: String?, _ name: String) -> String {
        schema.map { identifier($0) + "." + identifier(name) } ?? identifier(name)
    }

    /// A string literal that reads the same whatever standard_conforming_strings is:
    /// plain `'...'` without backslashes, `E'...'` with them escaped otherwise.
    static func literal(_ value: String) -> String {
        let quoted = value.replacingAll("'", with: "''")
        if value.utf8.contains(UInt8(ascii: "\\")) {
            return "E'" + quoted.replacingAll("\\", with: "\\\\") + "'"
        }
        return "'" + quoted + "'"
    }

    /// A dollar-quote tag that does not occur in `body`.
    static func dollarTag(for body: String) -> String {
        var tag = "$rolec$"
        var n = 0
        while body.contains(tag) {
            n += 1
            tag = "$rolec\(n)$"
        }
        return tag
    }
}

extension String {
    /// Replaces every occurrence of `target` (non-empty) with `replacement`, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}
