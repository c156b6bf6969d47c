import Foundation

/// Creates session workspaces and keeps `.marionette/` out of git (orchestration.md §4.6).
public enum WorkspaceDirectory {
    /// `mkdir -p`; returns an error text on failure.
    public static func ensure(_ path: String) -> String? {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return nil
        } catch {
            return "cannot create \(path): \(error)"
        }
    }

    /// Adds `.marionette/` to `.git/info/exclude` when the workspace is a git repository.
    public static func excludeStateFromGit(_ workspace: String) {
        let gitDirectory = workspace + "/.git"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: gitDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else { return }
        let infoDirectory = gitDirectory + "/info"
        let exclude = infoDirectory + "/exclude"
        let existing = (try? String(contentsOfFile: exclude, encoding: .utf8)) ?? ""
        if existing.split(separator: "\n").contains(where: { $0 == ".marionette/" || $0 == "/.marionette/" }) { return }
        try? FileManager.default.createDirectory(atPath: infoDirectory, withIntermediateDirectories: true)
        let separator = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
        try? (existing + separator + ".marionette/\n").write(toFile: exclude, atomically: true, encoding: .utf8)
    }
}
