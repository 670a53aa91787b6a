/// Renders migrations (incremental changes) for MySQL. PLACEHOLDER: being implemented.
extension MySQLDialect {
    public func renderMigration(_ changes: [Change], context: MigrationContext) -> [MigrationSection] {
        []
    }
}
