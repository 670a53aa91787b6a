/// `rolec report`: the access matrix for access reviews (SOC 2 and the like): every
/// principal (users first), every object the policy names, each privilege held on it,
/// and how it is held (directly, through a role path, through PUBLIC). Deterministic:
/// no timestamps; the header names the policy sources by path and sha256.
public enum ReportFormat: String, CaseIterable, Sendable {
    case markdown, csv, html
}

public struct AccessReport: Sendable {
    public struct Principal: Sendable, Hashable {
        public var name: String
        /// "user", "role", "role (login)", "external user", "external role".
        public var kind: String
        public var memberOf: [String]
        public var comment: String
    }

    public struct Entry: Sendable, Hashable {
        public var principal: String
        public var object: String
        public var privilege: String
        public var column: String?
        /// One description per path: "direct", "via a -> b", "PUBLIC", ...
        public var held: [String]
    }

    public var dialect: String
    public var serverVersion: String
    public var sources: [(path: String, sha256: String)]
    public var principals: [Principal]
    public var entries: [Entry]
    /// Every object in any entry, in the IR's object order.
    public var objects: [String]

    public init(ir: PolicyIR, sources: [(path: String, sha256: String)]) {
        dialect = ir.dialect
        serverVersion = ir.serverVersion
        self.sources = sources
        let access = EffectiveAccess(ir: ir)
        let ordered = ir.principals.sorted { (($0.kind == .user ? 0 : 1), $0.name) < (($1.kind == .user ? 0 : 1), $1.name) }
        var memberOf: [String: [String]] = [:]
        for m in ir.memberships { memberOf[m.member, default: []].append(m.role + (m.admin ? " (admin option)" : "")) }
        principals = ordered.map { p in
            var kind = p.kind == .user ? "user" : (p.login == true ? "role (login)" : "role")
            if p.external { kind = "external " + (p.kind == .user ? "user" : "role") }
            if p.superuser == true { kind += ", superuser" }
            return Principal(name: p.name, kind: kind, memberOf: (memberOf[p.name] ?? []).sorted(), comment: p.comment ?? "")
        }
        var entries: [Entry] = []
        var seenObjects: Set<IRObject> = []
        let dialect = DialectRegistry.named(ir.dialect)
        for p in ordered {
            for item in access.privileges(of: p.name) {
                // Superuser and owner paths stand for every privilege the object kind has;
                // keep only the privileges that exist on it (no CONNECT on a table).
                let paths = item.paths.filter { path in
                    switch path.source {
                    case .superuser, .owner:
                        guard let dialect else { return true }
                        let table = dialect.privileges(on: AccessReport.objectClass(item.object), version: ir.serverVersion)
                        if let capability = table[item.privilege], case .unsupported = capability { return false }
                        return table[item.privilege] != nil
                    default: return true
                    }
                }
                guard !paths.isEmpty else { continue }
                seenObjects.insert(item.object)
                entries.append(Entry(principal: p.name, object: item.object.display, privilege: item.privilege,
                                     column: item.column, held: AccessReport.describe(paths, principal: p.name, object: item.object)))
            }
        }
        self.entries = entries
        objects = seenObjects.sorted().map(\.display)
    }

    static func objectClass(_ object: IRObject) -> ObjectClass {
        switch object {
        case .database: return .database
        case .schema: return .schema
        case .server: return .server
        case .relation(let kind, _, _):
            switch kind {
            case .table: return .table
            case .view: return .view
            case .sequence: return .sequence
            }
        case .routine(let kind, _, _, _): return kind == .function ? .function : .procedure
        case .allInSchema(let kind, _):
            switch kind {
            case .tables: return .table
            case .sequences: return .sequence
            case .functions, .routines: return .function
            case .procedures: return .procedure
            }
        }
    }

    /// Short words for each path, without duplicates, in path order.
    static func describe(_ paths: [EffectiveAccess.Path], principal: String, object: IRObject) -> [String] {
        var out: [String] = []
        for path in paths {
            var text: String
            switch path.source {
            case .superuser: text = "superuser"
            case .builtinPublic: text = "PUBLIC (server default)"
            case .owner: text = path.via.isEmpty ? "owner" : "owner via " + path.via.joined(separator: " -> ")
            case .grant(let grantee, _, let granted):
                if grantee == .publicRole { text = "PUBLIC" }
                else if path.via.isEmpty { text = "direct" }
                else { text = "via " + path.via.joined(separator: " -> ") }
                if granted != object { text += " (\(granted.display))" }
            }
            if !out.contains(text) { out.append(text) }
        }
        return out
    }

    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .markdown: return markdown()
        case .csv: return csv()
        case .html: return html()
        }
    }

    func entries(of principal: String) -> [Entry] { entries.filter { $0.principal == principal } }

    static func privilegeText(_ entry: Entry) -> String {
        entry.privilege.lowercased() + (entry.column.map { " (\($0))" } ?? "")
    }

    // MARK: Markdown

    public func markdown() -> String {
        let e = AccessReport.markdownEscape
        var out = "# Access report\n\n"
        out += "Generated by rolec \(ScriptWriter.toolVersion) for \(e(dialect)) \(e(serverVersion)) from:\n\n"
        for source in sources { out += "- `\(AccessReport.markdownCode(source.path))` sha256:\(source.sha256)\n" }
        out += "\n## Principals\n\n"
        out += "| principal | kind | member of | comment |\n|---|---|---|---|\n"
        for p in principals {
            out += "| \(e(p.name)) | \(e(p.kind)) | \(e(p.memberOf.joined(separator: ", "))) | \(e(p.comment)) |\n"
        }
        if !objects.isEmpty {
            out += "\n## Matrix\n\nPrivileges each principal holds on each object the policy names.\n\n"
            out += "| principal | " + objects.map(e).joined(separator: " | ") + " |\n"
            out += "|---|" + String(repeating: "---|", count: objects.count) + "\n"
            for p in principals {
                let mine = entries(of: p.name)
                let cells = objects.map { object in
                    e(mine.filter { $0.object == object }.map(AccessReport.privilegeText).joined(separator: ", "))
                }
                out += "| \(e(p.name)) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        out += "\n## Access by principal\n"
        for p in principals {
            out += "\n### \(e(p.name)) (\(e(p.kind)))\n\n"
            let mine = entries(of: p.name)
            if mine.isEmpty {
                out += "No privileges on the objects the policy names.\n"
                continue
            }
            out += "| object | privilege | held |\n|---|---|---|\n"
            for entry in mine {
                out += "| \(e(entry.object)) | \(e(AccessReport.privilegeText(entry))) | \(e(entry.held.joined(separator: "; "))) |\n"
            }
        }
        return out
    }

    /// Text for a Markdown (GFM) table cell or heading: markdown punctuation and `|`
    /// backslash-escaped, `<` and `&` as entities (no raw HTML), line breaks as `<br>`.
    public static func markdownEscape(_ text: String) -> String {
        var out = ""
        var previousCR = false
        for scalar in text.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            switch scalar {
            case "\\", "`", "*", "_", "[", "]", "|", "~", "#":
                out += "\\"
                out.unicodeScalars.append(scalar)
            case "<": out += "&lt;"
            case "&": out += "&amp;"
            case "\r": out += "<br>"
            case "\n": if !previousCR { out += "<br>" }
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Text inside a single-backtick code span: backticks and line breaks cannot appear there.
    static func markdownCode(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "`" || $0.value < 0x20 ? "'" : $0 }))
    }

    // MARK: CSV

    /// RFC 4180: CRLF line ends, a header row, fields quoted when they hold a comma,
    /// quote or line break, quotes doubled. One row per principal, object and privilege;
    /// a principal without privileges gets one row with empty object and privilege.
    public func csv() -> String {
        let f = AccessReport.csvField
        var out = ["principal", "kind", "object", "privilege", "column", "held"].joined(separator: ",") + "\r\n"
        for p in principals {
            let mine = entries(of: p.name)
            if mine.isEmpty {
                out += [f(p.name), f(p.kind), "", "", "", f("none")].joined(separator: ",") + "\r\n"
            }
            for entry in mine {
                out += [f(p.name), f(p.kind), f(entry.object), f(entry.privilege.lowercased()), f(entry.column ?? ""),
                        f(entry.held.joined(separator: "; "))].joined(separator: ",") + "\r\n"
            }
        }
        return out
    }

    public static func csvField(_ text: String) -> String {
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: HTML

    /// One self-contained page: inline CSS, no scripts, no external resources.
    public func html() -> String {
        let h = AccessReport.htmlEscape
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Access report</title>
        <style>
        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em; color: #0f172a; background: #ffffff; }
        h1 { font-size: 1.6em; margin-bottom: 0.2em; }
        h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 2px solid #1d4ed8; padding-bottom: 0.2em; }
        h3 { font-size: 1.05em; margin-top: 1.2em; }
        table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
        th, td { border: 1px solid #cbd5e1; padding: 0.3em 0.6em; text-align: left; vertical-align: top; white-space: pre-wrap; }
        th { background: #1d4ed8; color: #ffffff; }
        tr:nth-child(even) td { background: #f1f5f9; }
        td.none { color: #94a3b8; }
        .kind { color: #475569; font-weight: normal; }
        .wide { overflow-x: auto; max-width: 100%; }
        .sources { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85em; }
        </style>
        </head>
        <body>
        <h1>Access report</h1>

        """
        out += "<p>Generated by rolec \(h(ScriptWriter.toolVersion)) for \(h(dialect)) \(h(serverVersion)) from:</p>\n"
        out += "<ul class=\"sources\">\n"
        for source in sources { out += "<li>\(h(source.path)) sha256:\(h(source.sha256))</li>\n" }
        out += "</ul>\n<h2>Principals</h2>\n<table>\n<tr><th>principal</th><th>kind</th><th>member of</th><th>comment</th></tr>\n"
        for p in principals {
            out += "<tr><td>\(h(p.name))</td><td>\(h(p.kind))</td><td>\(h(p.memberOf.joined(separator: ", ")))</td><td>\(h(p.comment))</td></tr>\n"
        }
        out += "</table>\n"
        if !objects.isEmpty {
            out += "<h2>Matrix</h2>\n<div class=\"wide\">\n<table>\n<tr><th>principal</th>" + objects.map { "<th>\(h($0))</th>" }.joined() + "</tr>\n"
            for p in principals {
                let mine = entries(of: p.name)
                out += "<tr><td>\(h(p.name))</td>"
                for object in objects {
                    let cell = mine.filter { $0.object == object }.map(AccessReport.privilegeText).joined(separator: ", ")
                    out += cell.isEmpty ? "<td class=\"none\">-</td>" : "<td>\(h(cell))</td>"
                }
                out += "</tr>\n"
            }
            out += "</table>\n</div>\n"
        }
        out += "<h2>Access by principal</h2>\n"
        for p in principals {
            out += "<h3>\(h(p.name)) <span class=\"kind\">(\(h(p.kind)))</span></h3>\n"
            let mine = entries(of: p.name)
            if mine.isEmpty {
                out += "<p>No privileges on the objects the policy names.</p>\n"
                continue
            }
            out += "<table>\n<tr><th>object</th><th>privilege</th><th>held</th></tr>\n"
            for entry in mine {
                out += "<tr><td>\(h(entry.object))</td><td>\(h(AccessReport.privilegeText(entry)))</td><td>\(h(entry.held.joined(separator: "; ")))</td></tr>\n"
            }
            out += "</table>\n"
        }
        out += "</body>\n</html>\n"
        return out
    }

    /// Text for HTML content or a quoted attribute value.
    public static func htmlEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" || scalar.value == 0x7F { out += " " }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
