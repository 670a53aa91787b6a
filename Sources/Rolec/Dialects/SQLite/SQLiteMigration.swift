/// Renders migrations (incremental changes) for SQLite. PLACEHOLDER: being implemented.
extension SQLiteDialect {
    public func renderMigration(_ changes: [Change], context: MigrationContext) -> [MigrationSection] {
        []
    }
}
