/// The one place MySQL/MariaDB names and literals are quoted. Scripts pin
/// `sql_mode` to NO_BACKSLASH_ESCAPES, so a backslash is literal in strings and the
/// only escape is a doubled quote.
enum MySQLQuoting {
    /// `` `name` `` with backticks doubled.
    static func identifier(_ name: String) -> String {
        "`" + name.replacingAll("`", with: "``") + "`"
    }

    /// `'text'` with quotes doubled (safe under NO_BACKSLASH_ESCAPES, pinned by the script).
    static func literal(_ value: String) -> String {
        "'" + value.replacingAll("'", with: "''") + "'"
    }

    /// A database name in a database-level grant (`db.*`): `_` and `%` are LIKE
    /// wildcards there, so they are escaped with a backslash inside the backticks.
    static func databasePattern(_ name: String) -> String {
        identifier(name.replacingAll("\\", with: "\\\\").replacingAll("_", with: "\\_").replacingAll("%", with: "\\%"))
    }

    static func account(_ user: String, host: String) -> String {
        literal(user) + "@" + literal(host.lowercased())
    }
}
