#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import SFU

/// Keeps corpus/rtp and corpus/rtcp in sync with `Seeds`. Set
/// SFUWIRE_WRITE_CORPUS=1 to (re)write the files; otherwise existing files are
/// compared with the seeds and fed to the fuzz entry points.
@Suite struct CorpusTests {
    static var packageRoot: String {
        let parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        return parts.dropLast(4).joined(separator: "/")
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4096, f) }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    static func write(_ path: String, _ bytes: [UInt8]) -> Bool {
        guard let f = fopen(path, "wb") else { return false }
        defer { fclose(f) }
        return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } == bytes.count
    }

    @Test func corpusMatchesSeeds() throws {
        let writing = getenv("SFUWIRE_WRITE_CORPUS") != nil
        let sets = [("rtp", try Seeds.rtp()), ("rtcp", try Seeds.rtcp())]
        for (kind, seeds) in sets {
            for (name, bytes) in seeds {
                let path = "\(Self.packageRoot)/fuzz/corpus/\(kind)/\(name)"
                if writing {
                    #expect(Self.write(path, bytes), "\(path)")
                } else if let onDisk = Self.read(path) {
                    #expect(onDisk == bytes, "\(path) differs from the seed; rerun with SFUWIRE_WRITE_CORPUS=1")
                    onDisk.withUnsafeBytes { kind == "rtp" ? RTPFuzzEntry.run($0) : RTCPFuzzEntry.run($0) }
                }
            }
        }
    }
}
