/// 0006_log_indexes: drops `logs_task_idx`. Every read of a task's lines goes through its runs
/// and the `(run_id, sequence)` unique index, so the index by task only cost one more b-tree
/// insert per stored line, on the fabric's hottest write. Never edit a released migration: add a
/// new one.
enum Migration0006LogIndexes {
    static func statements(_ dialect: SQLDialect) -> [String] {
        ["DROP INDEX IF EXISTS logs_task_idx"]
    }
}
