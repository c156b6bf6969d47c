import Foundation

/// Unbuffered writes to stdout/stderr (nothing is lost on `_exit`).
enum Console {
    static func out(_ text: String) { write(fd: 1, text) }

    /// Writes `text` and a newline to stdout.
    static func line(_ text: String) { write(fd: 1, text + "\n") }

    /// Writes `text` and a newline to stderr.
    static func error(_ text: String) { write(fd: 2, text + "\n") }

    static func write(fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if result < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += result
        }
    }

    static var stdinIsTerminal: Bool { isatty(0) == 1 }

    /// Asks a yes/no question on stderr and reads the answer from stdin.
    static func confirm(_ question: String) -> Bool {
        write(fd: 2, question + " [y/N]: ")
        guard let answer = readLine() else { return false }
        let lowered = answer.trimmingCharacters(in: .whitespaces).lowercased()
        return lowered == "y" || lowered == "yes"
    }

    /// Reads all of stdin as text.
    static func readStdin() -> String {
        String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Reads a file as text; errors name the path.
    static func readFile(_ path: String) throws -> String {
        do {
            return String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        } catch {
            throw CLIError("cannot read \(path): \((error as NSError).localizedDescription)")
        }
    }
}
