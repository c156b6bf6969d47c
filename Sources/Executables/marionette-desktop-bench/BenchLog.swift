import Foundation

/// Unbuffered output: measurements on stdout (bench/desktop/run.sh parses them), progress on stderr.
enum BenchLog {
    static func result(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func log(_ role: String, _ text: String) {
        FileHandle.standardError.write(Data("[desktop-bench \(role)] \(text)\n".utf8))
    }
}
