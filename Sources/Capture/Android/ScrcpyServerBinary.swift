import COpenSSL
import Foundation

/// The scrcpy server the agent pushes to a device (scrcpy.md §1.2): the official binary of the
/// pinned version, installed by `scripts/fetch-scrcpy-server.sh`, and checked against its
/// SHA-256 before every push (the server refuses a client of another version, and a tampered
/// binary would run with shell rights on the device).
public enum ScrcpyServerBinary {
    /// Where the agent looks, in order: `MARIONETTE_SCRCPY_SERVER` (a file), the agent's own
    /// folder, `../share/marionette` next to it, `/usr/local/share/marionette`, `/usr/share/marionette`.
    public static func locate(
        version: ScrcpyVersion, environment: [String: String] = ProcessInfo.processInfo.environment,
        executableDirectory: String? = nil
    ) throws(AndroidCaptureError) -> String {
        let name = "scrcpy-server-v" + version.versionName
        if let explicit = environment["MARIONETTE_SCRCPY_SERVER"], !explicit.isEmpty {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw .serverBinary("MARIONETTE_SCRCPY_SERVER names \(explicit), which does not exist")
            }
            return explicit
        }
        var candidates: [String] = []
        let directory = executableDirectory ?? Self.executableDirectory()
        if let directory { candidates += [directory + "/" + name, directory + "/../share/marionette/" + name] }
        candidates += ["/usr/local/share/marionette/" + name, "/usr/share/marionette/" + name]
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate) { return candidate }
        throw .serverBinary(
            "\(name) not found (looked in \(candidates.joined(separator: ", "))): run scripts/fetch-scrcpy-server.sh or set MARIONETTE_SCRCPY_SERVER")
    }

    /// Throws unless the file's SHA-256 is the official one of `version`.
    public static func verify(path: String, version: ScrcpyVersion) throws(AndroidCaptureError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .serverBinary("cannot read \(path)") }
        let digest = sha256Hex(data)
        guard digest == version.serverSHA256 else {
            throw .serverBinary("\(path) has SHA-256 \(digest), not the official scrcpy \(version)'s \(version.serverSHA256)")
        }
    }

    static func sha256Hex(_ data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = data.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        return digest.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    static func executableDirectory() -> String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
