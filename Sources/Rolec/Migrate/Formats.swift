/// The migration tools rolec writes for, each in its own naming, versioning and up/down
/// conventions. A format only frames statements (header, transaction, statement
/// delimiters); what the statements are is the dialect's business.
public enum MigrationFormat: String, CaseIterable, Sendable {
    case dbmate
    case flyway
    case golangMigrate = "golang-migrate"
    case goose
    case sqitch
    case liquibase
    case plain

    public static var names: [String] { allCases.map(\.rawValue) }

    /// Flyway numbers its migrations 1, 2, 3 ...; the others take a UTC timestamp
    /// (YYYYMMDDHHMMSS) as version (Sqitch needs one for its plan line).
    public var usesSequenceNumbers: Bool { self == .flyway }

    /// Whether the tool runs each migration in a transaction of its own (then no BEGIN/COMMIT of ours).
    func toolWrapsTransaction(_ traits: MigrationScriptTraits) -> Bool {
        switch self {
        case .dbmate, .flyway, .goose, .liquibase: return true
        case .golangMigrate: return traits.golangMigrateWraps
        case .sqitch, .plain: return false
        }
    }

    /// How the tool finds statement boundaries, and so what a compound statement needs.
    enum Splitting {
        /// The whole file goes through a database driver (dbmate; golang-migrate with
        /// multiStatements): the server splits it; `DELIMITER` would be a syntax error.
        case driver
        /// A command-line client (mysql, psql, sqlite3) or a parser that follows the
        /// client's rules (Flyway): `DELIMITER` where the dialect's client needs it.
        case client
        /// goose splits on semicolons: a compound statement goes between
        /// `-- +goose StatementBegin` and `-- +goose StatementEnd`.
        case goose
        /// Liquibase splits on semicolons unless the changeset says `splitStatements:false`.
        case liquibase
    }

    var splitting: Splitting {
        switch self {
        case .dbmate, .golangMigrate: return .driver
        case .flyway, .sqitch, .plain: return .client
        case .goose: return .goose
        case .liquibase: return .liquibase
        }
    }
}

/// One migration, ready to be framed by a format.
public struct MigrationDocument: Sendable {
    public var version: String
    public var name: String
    /// Comment lines (without `-- `) that open every file.
    public var header: [String]
    public var up: [MigrationSection]
    public var down: [MigrationSection]
    /// SQL that fails unless the database holds the state after `up` (`rolec verify`; Sqitch's verify script).
    public var verify: String
    public var traits: MigrationScriptTraits

    public init(version: String, name: String, header: [String], up: [MigrationSection], down: [MigrationSection],
                verify: String, traits: MigrationScriptTraits) {
        self.version = version
        self.name = name
        self.header = header
        self.up = up
        self.down = down
        self.verify = verify
        self.traits = traits
    }
}

/// A file a format writes, relative to the migrations directory.
public struct MigrationOutputFile: Sendable, Hashable {
    public var path: String
    public var contents: String
    /// Part of the migration, so hashed into the chain. False for a file the tool keeps
    /// appending to (`sqitch.plan`).
    public var chained: Bool
}

public struct MigrationFormatError: Error, Sendable {
    public var message: String
}

extension MigrationFormat {
    public static let sqitchPlanFile = "sqitch.plan"
    static let sqitchPlanner = "rolec <rolec@localhost>"

    /// The files of one migration. `existing` reads a file of the migrations directory
    /// (nil: absent), for the tools whose plan lives in a file of its own.
    public func files(_ document: MigrationDocument, project: String, existing: (String) -> String?) throws -> [MigrationOutputFile] {
        let v = document.version, n = document.name
        switch self {
        case .dbmate:
            var text = comments(document.header)
            text += "-- migrate:up\n" + body(document.up, document.traits) + "\n-- migrate:down\n" + body(document.down, document.traits)
            return [MigrationOutputFile(path: "\(v)_\(n).sql", contents: text, chained: true)]
        case .goose:
            var text = comments(document.header)
            text += "-- +goose Up\n" + body(document.up, document.traits) + "\n-- +goose Down\n" + body(document.down, document.traits)
            return [MigrationOutputFile(path: "\(v)_\(n).sql", contents: text, chained: true)]
        case .flyway:
            return [
                MigrationOutputFile(path: "V\(v)__\(n).sql", contents: comments(document.header + ["up (Flyway versioned migration)"]) + body(document.up, document.traits), chained: true),
                MigrationOutputFile(path: "U\(v)__\(n).sql", contents: comments(document.header + ["down (Flyway undo migration of V\(v))"]) + body(document.down, document.traits), chained: true),
            ]
        case .golangMigrate, .plain:
            return [
                MigrationOutputFile(path: "\(v)_\(n).up.sql", contents: comments(document.header + ["up"]) + body(document.up, document.traits), chained: true),
                MigrationOutputFile(path: "\(v)_\(n).down.sql", contents: comments(document.header + ["down"]) + body(document.down, document.traits), chained: true),
            ]
        case .liquibase:
            return [MigrationOutputFile(path: "\(v)_\(n).sql", contents: liquibase(document), chained: true)]
        case .sqitch:
            let timestamp = try MigrationFormat.sqitchTimestamp(v)
            var plan = existing(MigrationFormat.sqitchPlanFile) ?? "%syntax-version=1.0.0\n%project=\(project)\n\n"
            if MigrationFormat.sqitchChangeNames(plan).contains(n) {
                throw MigrationFormatError(message: "sqitch.plan already has a change named '\(n)'; choose another --name")
            }
            if !plan.isEmpty && !plan.hasSuffix("\n") { plan += "\n" }
            plan += "\(n) \(timestamp) \(MigrationFormat.sqitchPlanner) # rolec migration \(v)\n"
            return [
                MigrationOutputFile(path: "deploy/\(n).sql", contents: comments(document.header + ["deploy"]) + body(document.up, document.traits), chained: true),
                MigrationOutputFile(path: "revert/\(n).sql", contents: comments(document.header + ["revert"]) + body(document.down, document.traits), chained: true),
                MigrationOutputFile(path: "verify/\(n).sql", contents: comments(document.header + ["verify: fails unless the database holds what deploy leads to"]) + document.verify, chained: true),
                MigrationOutputFile(path: MigrationFormat.sqitchPlanFile, contents: plan, chained: false),
            ]
        }
    }

    /// `2026-11-25T19:00:00Z` from a version `20261125190000`.
    static func sqitchTimestamp(_ version: String) throws -> String {
        let digits = Array(version)
        guard digits.count == 14, digits.allSatisfy(\.isASCIIDigit) else {
            throw MigrationFormatError(message: "sqitch needs a timestamp version (YYYYMMDDHHMMSS, UTC) for its plan line, got '\(version)'")
        }
        func part(_ a: Int, _ b: Int) -> String { String(digits[a..<b]) }
        return "\(part(0, 4))-\(part(4, 6))-\(part(6, 8))T\(part(8, 10)):\(part(10, 12)):\(part(12, 14))Z"
    }

    /// The change names of a Sqitch plan (pragmas, tags, notes and blank lines skipped).
    static func sqitchChangeNames(_ plan: String) -> Set<String> { Set(sqitchChanges(plan)) }

    /// The change names of a Sqitch plan in deployment order.
    static func sqitchChanges(_ plan: String) -> [String] {
        var names: [String] = []
        for line in plan.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard let first = trimmed.first, first != "%", first != "#", first != "@" else { continue }
            var name = trimmed.prefix { $0 != " " && $0 != "\t" }
            if name.first == "+" || name.first == "-" { name = name.dropFirst() }
            names.append(String(name))
        }
        return names
    }

    /// One direction as a script a command-line client runs (`rolec diff`, `rolec plan`):
    /// in a transaction where the dialect wants one, `DELIMITER` where its client needs it.
    public static func clientScript(_ sections: [MigrationSection], traits: MigrationScriptTraits) -> String {
        MigrationFormat.plain.body(sections, traits)
    }

    private func comments(_ lines: [String]) -> String {
        lines.map { $0.isEmpty ? "--\n" : "-- \($0)\n" }.joined()
    }

    /// One direction: its sections, in a transaction of ours where the dialect wants one
    /// and the tool does not provide it.
    private func body(_ sections: [MigrationSection], _ traits: MigrationScriptTraits) -> String {
        let transaction = traits.transactional && !toolWrapsTransaction(traits)
        var writer = ScriptWriter()
        if transaction { writer.blank(); writer.line("BEGIN;") }
        var any = false
        for section in sections where !section.statements.isEmpty {
            any = true
            writer.section(section.title, section.statements.map { statement($0, traits) })
        }
        if !any { writer.blank(); writer.line("-- (no statements)") }
        if transaction { writer.blank(); writer.line("COMMIT;") }
        return writer.text
    }

    private func statement(_ statement: MigrationStatement, _ traits: MigrationScriptTraits) -> String {
        guard statement.compound else { return statement.sql }
        switch splitting {
        case .driver, .liquibase:
            return statement.sql
        case .goose:
            return "-- +goose StatementBegin\n\(statement.sql)\n-- +goose StatementEnd"
        case .client:
            guard traits.compoundNeedsDelimiter else { return statement.sql }
            var sql = statement.sql
            while let last = sql.last, last.isWhitespace { sql.removeLast() }
            if sql.hasSuffix(";") { sql.removeLast() }
            return "DELIMITER //\n\(sql)//\nDELIMITER ;"
        }
    }

    /// Liquibase formatted SQL: one changeset, its rollback as `--rollback` lines. A
    /// direction with compound statements is not split (`splitStatements:false`).
    private func liquibase(_ document: MigrationDocument) -> String {
        let compound = { (sections: [MigrationSection]) in sections.contains { $0.statements.contains(where: \.compound) } }
        var attributes = ""
        if compound(document.up) { attributes += " splitStatements:false" }
        if compound(document.down) { attributes += " rollbackSplitStatements:false" }
        var text = "--liquibase formatted sql\n\n" + comments(document.header) + "\n"
        text += "--changeset rolec:\(document.version)-\(document.name)\(attributes)\n"
        text += "--comment: generated by rolec: \(document.name)\n"
        let up = body(document.up, document.traits)
        text += up.hasPrefix("\n") ? String(up.dropFirst()) : up
        let down = body(document.down, document.traits).split(separator: "\n", omittingEmptySubsequences: true)
        text += "\n"
        for line in down { text += "--rollback \(line)\n" }
        return text
    }
}

fileprivate extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
