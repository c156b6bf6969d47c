/// Build identification; release builds overwrite these values.
enum BuildInfo {
    static let version = "dev"
    static let commit = "unknown"
    static let buildDate = "unknown"
}
