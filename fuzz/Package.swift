// swift-tools-version: 6.1
// libFuzzer targets for the SFU's wire parsers (STUN, RTP, RTCP, SDP) and the scrcpy protocol
// parsers of the Capture room (stream, device/control messages). A separate package so the main
// build never links them: they only build with `-sanitize=fuzzer`. Run with `make fuzz`
// (scripts/fuzz.sh): each target replays its corpus, then fuzzes for FUZZ_SECONDS (60).
import PackageDescription

let package = Package(
    name: "MarionetteFuzz",
    platforms: [.macOS(.v15)],
    // `root` is a committed symlink to the repository, so the dependency has the same identity in any clone.
    dependencies: [.package(path: "root")],
    targets: [
        .target(name: "FuzzDriver", path: "Sources/FuzzDriver", swiftSettings: [.swiftLanguageMode(.v6)])
    ]
        + ["STUN", "RTP", "RTCP", "SDP"].map { name in
            .executableTarget(
                name: "Fuzz\(name)",
                dependencies: ["FuzzDriver", .product(name: "MarionetteSFU", package: "root")],
                path: "Sources/Fuzz\(name)",
                swiftSettings: [.swiftLanguageMode(.v6)])
        }
        + ["ScrcpyStream", "ScrcpyDevice"].map { name in
            .executableTarget(
                name: "Fuzz\(name)",
                dependencies: ["FuzzDriver", .product(name: "MarionetteCapture", package: "root")],
                path: "Sources/Fuzz\(name)",
                swiftSettings: [.swiftLanguageMode(.v6)])
        }
)
