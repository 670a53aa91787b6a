/// How a dialect's migration scripts must be framed for the tools that run them. Data,
/// one entry per dialect, so the migration formats never ask which dialect they write.
public struct MigrationScriptTraits: Sendable, Hashable {
    /// A script runs as one transaction (BEGIN/COMMIT of ours) unless the tool already
    /// wraps it. False where account statements commit implicitly anyway (MySQL/MariaDB).
    public var transactional: Bool
    /// The command-line client splits on semicolons, so a compound statement (one with
    /// semicolons of its own) needs `DELIMITER` around it when a client runs the file.
    /// Tools that send a file through a driver must not get `DELIMITER` (not SQL).
    public var compoundNeedsDelimiter: Bool
    /// golang-migrate's driver for this database wraps each migration in a transaction
    /// itself (its sqlite3 driver does; its postgres driver does not).
    public var golangMigrateWraps: Bool

    public init(transactional: Bool, compoundNeedsDelimiter: Bool, golangMigrateWraps: Bool) {
        self.transactional = transactional
        self.compoundNeedsDelimiter = compoundNeedsDelimiter
        self.golangMigrateWraps = golangMigrateWraps
    }
}

public protocol MigrationScripting {
    var migrationScriptTraits: MigrationScriptTraits { get }
}

extension PostgresDialect: MigrationScripting {
    public var migrationScriptTraits: MigrationScriptTraits {
        MigrationScriptTraits(transactional: true, compoundNeedsDelimiter: false, golangMigrateWraps: false)
    }
}

extension MySQLDialect: MigrationScripting {
    public var migrationScriptTraits: MigrationScriptTraits {
        MigrationScriptTraits(transactional: false, compoundNeedsDelimiter: true, golangMigrateWraps: false)
    }
}

extension SQLiteDialect: MigrationScripting {
    public var migrationScriptTraits: MigrationScriptTraits {
        MigrationScriptTraits(transactional: true, compoundNeedsDelimiter: false, golangMigrateWraps: true)
    }
}

extension Dialect {
    /// The dialect's traits; a dialect without an entry gets the most careful framing.
    public var migrationTraits: MigrationScriptTraits {
        (self as? MigrationScripting)?.migrationScriptTraits
            ?? MigrationScriptTraits(transactional: true, compoundNeedsDelimiter: false, golangMigrateWraps: false)
    }
}
