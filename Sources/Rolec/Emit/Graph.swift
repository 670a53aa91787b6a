/// `rolec graph`: principals and memberships as a Mermaid flowchart or a Graphviz DOT
/// digraph. Output is deterministic (nodes and edges sorted by name) and every label is
/// escaped for its format, so any quoted name (`"a ""b"" <c>"`) draws as written.
public enum GraphFormat: String, CaseIterable, Sendable {
    case mermaid, dot
}

public enum Graph {
    /// How a node is drawn: users, roles, external (existing) principals and the
    /// server's built-in roles each get their own shape and class.
    public enum NodeKind: String, Sendable, Comparable {
        case user, role, external, builtin
        var order: Int {
            switch self {
            case .user: return 0
            case .role: return 1
            case .external: return 2
            case .builtin: return 3
            }
        }
        public static func < (a: Self, b: Self) -> Bool { a.order < b.order }
    }

    public struct Node: Sendable, Hashable {
        public var name: String
        public var kind: NodeKind
        /// External principals keep their kind for the shape (a user or a role).
        public var isUser: Bool
        public var login: Bool
    }

    public struct Edge: Sendable, Hashable {
        public var member: String
        public var role: String
        public var admin: Bool
        public var inherit: Bool?
        public var set: Bool?

        /// The words on the edge: "admin option", "noinherit", "noset".
        public var label: String {
            var parts: [String] = []
            if admin { parts.append("admin option") }
            if inherit == false { parts.append("noinherit") }
            if set == false { parts.append("noset") }
            return parts.joined(separator: ", ")
        }
    }

    /// Every principal of the policy plus every role a membership names (built-in roles
    /// are not declared), users first, then roles, external and built-in; by name within.
    public static func nodes(_ ir: PolicyIR, builtins: Set<String>) -> [Node] {
        var nodes: [String: Node] = [:]
        for p in ir.principals {
            nodes[p.name] = Node(name: p.name, kind: p.external ? .external : (p.kind == .user ? .user : .role),
                                 isUser: p.kind == .user, login: p.kind == .user || p.login == true)
        }
        for m in ir.memberships {
            for name in [m.role, m.member] where nodes[name] == nil {
                nodes[name] = Node(name: name, kind: builtins.contains(name) ? .builtin : .external, isUser: false, login: false)
            }
        }
        return nodes.values.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    public static func edges(_ ir: PolicyIR) -> [Edge] {
        ir.memberships
            .map { Edge(member: $0.member, role: $0.role, admin: $0.admin, inherit: $0.inherit, set: $0.set) }
            .sorted { ($0.member, $0.role) < ($1.member, $1.role) }
    }

    public static func render(_ ir: PolicyIR, format: GraphFormat, builtins: Set<String> = []) -> String {
        switch format {
        case .mermaid: return mermaid(ir, builtins: builtins)
        case .dot: return dot(ir, builtins: builtins)
        }
    }

    // MARK: Mermaid

    /// A Mermaid flowchart. Node ids are generated (`n1`, `n2`, ...), never taken from
    /// names, so no name can collide with Mermaid syntax (`end`, `graph`, `o`/`x` edge
    /// heads); labels are quoted and entity-escaped.
    public static func mermaid(_ ir: PolicyIR, builtins: Set<String> = []) -> String {
        let nodes = nodes(ir, builtins: builtins)
        var id: [String: String] = [:]
        for (index, node) in nodes.enumerated() { id[node.name] = "n\(index + 1)" }
        var out = "flowchart LR\n"
        out += "  %% rolec graph (\(ir.dialect) \(ir.serverVersion)): an arrow goes from a member to its role\n"
        out += "  %% stadium = user, rectangle = role, dashed = external (exists already), hexagon = built-in role\n"
        out += "  classDef user fill:#dbeafe,stroke:#1d4ed8,color:#0f172a\n"
        out += "  classDef role fill:#dcfce7,stroke:#15803d,color:#0f172a\n"
        out += "  classDef external fill:#f1f5f9,stroke:#64748b,stroke-dasharray:5 3,color:#0f172a\n"
        out += "  classDef builtin fill:#fef3c7,stroke:#b45309,color:#0f172a\n"
        for node in nodes {
            let label = "\"" + mermaidEscape(node.name) + "\""
            let shape: String
            switch node.kind {
            case .builtin: shape = "{{\(label)}}"
            case .user: shape = "([\(label)])"
            case .role: shape = "[\(label)]"
            case .external: shape = node.isUser ? "([\(label)])" : "[\(label)]"
            }
            out += "  \(id[node.name] ?? "n0")\(shape):::\(node.kind.rawValue)\n"
        }
        for edge in edges(ir) {
            let from = id[edge.member] ?? "n0", to = id[edge.role] ?? "n0"
            let label = edge.label
            let arrow = edge.admin ? "==>" : "-->"
            if label.isEmpty {
                out += "  \(from) \(arrow) \(to)\n"
            } else {
                out += "  \(from) \(arrow)|\"\(mermaidEscape(label))\"| \(to)\n"
            }
        }
        return out
    }

    /// Text for inside a quoted Mermaid label: Mermaid's `#name;` / `#number;` entity
    /// codes for what would end the label, start an entity or be read as HTML or markdown;
    /// line breaks and other control characters become spaces.
    public static func mermaidEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "&": out += "#amp;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "`": out += "#96;"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    // MARK: DOT

    /// A Graphviz digraph. Node ids are the names as escaped DOT strings.
    public static func dot(_ ir: PolicyIR, builtins: Set<String> = []) -> String {
        let nodes = nodes(ir, builtins: builtins)
        var out = "// rolec graph (\(dotComment(ir.dialect)) \(dotComment(ir.serverVersion))): an arrow goes from a member to its role\n"
        out += "// ellipse = user, box = role, dashed = external (exists already), hexagon = built-in role\n"
        out += "digraph rolec {\n"
        out += "  rankdir=LR;\n"
        out += "  node [fontname=\"Helvetica\", style=filled];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=10];\n"
        for node in nodes {
            let attributes: String
            switch node.kind {
            case .user: attributes = "shape=ellipse, fillcolor=\"#dbeafe\", color=\"#1d4ed8\""
            case .role: attributes = "shape=box, fillcolor=\"#dcfce7\", color=\"#15803d\""
            case .external: attributes = "shape=\(node.isUser ? "ellipse" : "box"), style=\"filled,dashed\", fillcolor=\"#f1f5f9\", color=\"#64748b\""
            case .builtin: attributes = "shape=hexagon, fillcolor=\"#fef3c7\", color=\"#b45309\""
            }
            out += "  \(dotString(node.name)) [label=\(dotString(node.name)), \(attributes), class=\"\(node.kind.rawValue)\"];\n"
        }
        for edge in edges(ir) {
            var attributes: [String] = []
            if !edge.label.isEmpty { attributes.append("label=\(dotString(edge.label))") }
            if edge.admin { attributes.append("penwidth=2") }
            if edge.inherit == false { attributes.append("style=dashed") }
            let suffix = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]"
            out += "  \(dotString(edge.member)) -> \(dotString(edge.role))\(suffix);\n"
        }
        out += "}\n"
        return out
    }

    /// A double-quoted DOT string: backslash and quote escaped (so no `\N`, `\G`
    /// escape of Graphviz's own applies), line breaks as `\n`, other controls dropped.
    public static func dotString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Text for a `//` comment line: no line breaks.
    static func dotComment(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 ? " " : $0 }))
    }
}
