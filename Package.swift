// swift-tools-version:6.1
import PackageDescription

// One SwiftPM target per room of DESIGN.md. Dependencies point one way:
// Core <- Fabric <- {Orchestrator, Agent}; Core <- SFU; Core <- Capture;
// Gateway -> {Orchestrator, SFU, Fabric}; Agent -> {Fabric, Capture}.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Marionette",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "marionette-server", targets: ["MarionetteServer"]),
        .executable(name: "marionette-agent", targets: ["MarionetteAgent"]),
        .executable(name: "mctl", targets: ["Mctl"]),
        // bench/sfu: synthetic WebRTC viewers and an RTP source (not shipped; run by bench/sfu/run.sh).
        .executable(name: "marionette-sfu-bench", targets: ["MarionetteSFUBench"]),
        // bench/desktop: busy-screen scenes, our capture pipeline measured alone, a bar-code clock
        // (not shipped; run by bench/desktop/run.sh).
        .executable(name: "marionette-desktop-bench", targets: ["MarionetteDesktopBench"]),
        // For the libFuzzer package in fuzz/, which links the SFU's and Capture's parsers with -sanitize=fuzzer.
        .library(name: "MarionetteSFU", targets: ["SFU"]),
        .library(name: "MarionetteCapture", targets: ["Capture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // glibc's <malloc.h> for MallocTuning (Core).
        .target(name: "CMalloc", path: "Sources/CSystem/CMalloc"),
        .target(
            name: "Core",
            dependencies: ["CMalloc"],
            swiftSettings: strict
        ),
        .target(
            name: "Fabric",
            dependencies: [
                "Core",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCertificateReloading", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Generated/PROTO_SHA256"],
            swiftSettings: strict
        ),
        .target(
            name: "Orchestrator",
            dependencies: [
                "Core", "Fabric",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SFU",
            dependencies: [
                "Core", "COpenSSL", "CSRTP", "CShims",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/CSystem/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CSRTP", path: "Sources/CSystem/CSRTP", pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(
            name: "CVPX", path: "Sources/CSystem/CVPX", pkgConfig: "vpx",
            providers: [.apt(["libvpx-dev"])]),
        // Desktop capture: X11 grab, change detection, input (XCB) and BGRX -> I420 (libyuv, which
        // ships no pkg-config file: the module map links `yuv` and `xcb*` directly).
        .systemLibrary(
            name: "CXCB", path: "Sources/CSystem/CXCB",
            providers: [.apt(["libxcb-shm0-dev", "libxcb-damage0-dev", "libxcb-xfixes0-dev", "libxcb-randr0-dev",
                              "libxcb-xtest0-dev", "libxcb-keysyms1-dev"])]),
        .systemLibrary(
            name: "CYUV", path: "Sources/CSystem/CYUV",
            providers: [.apt(["libyuv-dev"])]),
        // Desktop audio: libopus (also behind CShims' opus_encoder_ctl wrappers) and PulseAudio's
        // blocking record API.
        .systemLibrary(
            name: "COpus", path: "Sources/CSystem/COpus", pkgConfig: "opus",
            providers: [.apt(["libopus-dev"])]),
        .systemLibrary(
            name: "CPulse", path: "Sources/CSystem/CPulse", pkgConfig: "libpulse-simple",
            providers: [.apt(["libpulse-dev"])]),
        .target(
            name: "CShims", path: "Sources/CSystem/CShims",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto"), .linkedLibrary("vpx"), .linkedLibrary("opus")]),
        .target(
            name: "Capture",
            dependencies: ["Core", "COpenSSL", "CVPX", "CShims", "CXCB", "CYUV", "COpus", "CPulse"],
            swiftSettings: strict
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "Core", "Orchestrator", "SFU", "Fabric",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/web"), .copy("Resources/admin")],
            swiftSettings: strict
        ),
        .target(
            name: "Agent",
            dependencies: [
                "Core", "Fabric", "Capture",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Client",
            dependencies: [
                "Core",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MarionetteServer",
            dependencies: [
                "Core", "Orchestrator", "Gateway", "Fabric",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Executables/marionette-server",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MarionetteAgent",
            dependencies: [
                "Core", "Agent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Executables/marionette-agent",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Mctl",
            dependencies: [
                "Client",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Executables/mctl",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MarionetteSFUBench",
            dependencies: [
                "SFU",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Executables/marionette-sfu-bench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MarionetteDesktopBench",
            dependencies: [
                "Capture", "CXCB",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Executables/marionette-desktop-bench",
            swiftSettings: strict
        ),
        // Test-only helpers shared by several test targets (never linked into a product).
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "SFUTests",
            dependencies: [
                "SFU", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CaptureTests",
            dependencies: ["Capture", "CVPX", "CShims", "COpus", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CoreTests",
            dependencies: ["Core"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: ["Orchestrator", "Core", "Fabric", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "Orchestrator", "Core", "Fabric", "SFU", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FabricTests",
            dependencies: [
                "Fabric", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "Core", "Fabric", "CShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ClientTests",
            dependencies: [
                "Client",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Client", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // Python origins and clients of the tunnel tests, run with /usr/bin/python3.
            exclude: ["tunnels"],
            swiftSettings: strict
        ),
    ]
)
