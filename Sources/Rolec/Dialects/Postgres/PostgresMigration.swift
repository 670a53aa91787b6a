/// Renders migrations (incremental changes) for Postgres. PLACEHOLDER: being implemented.
extension PostgresDialect {
    public func renderMigration(_ changes: [Change], context: MigrationContext) -> [MigrationSection] {
        []
    }
}
