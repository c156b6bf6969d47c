/// A signaling or set-up step that failed, with what the other side said.
struct SignalingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
