import Foundation

/// Unbuffered output: RESULT lines on stdout (run.sh relays them as they come), progress on stderr.
enum BenchOutput {
    static func result(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func log(_ role: String, _ text: String) {
        FileHandle.standardError.write(Data("[sfu-bench \(role)] \(text)\n".utf8))
    }
}
