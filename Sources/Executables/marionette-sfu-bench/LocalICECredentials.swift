/// Our side's ICE ufrag and password (random, as RFC 8445 asks).
struct LocalICECredentials: Sendable {
    let ufrag: String
    let password: String

    static func random() -> LocalICECredentials {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        func text(_ n: Int) -> String { String((0..<n).map { _ in alphabet.randomElement()! }) }
        return LocalICECredentials(ufrag: text(8), password: text(24))
    }
}
