/// Build identification; release builds overwrite these values.
public enum AgentBuildInfo {
    public static let version = "0.1.0-dev"
    public static let commit = "unknown"

    /// `linux` or `darwin` (`RegisterRunnerRequest.os`).
    public static var operatingSystem: String {
        #if os(Linux)
        "linux"
        #else
        "darwin"
        #endif
    }

    /// `amd64` or `arm64` (`RegisterRunnerRequest.arch`).
    public static var architecture: String {
        #if arch(x86_64)
        "amd64"
        #elseif arch(arm64)
        "arm64"
        #else
        "unknown"
        #endif
    }
}
