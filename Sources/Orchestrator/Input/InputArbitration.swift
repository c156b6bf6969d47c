/// Who may send input to one stream (api.md §10.4): one controller at a time. The first
/// input-capable viewer to ask (or to send input) gets control; others are denied until the holder
/// releases it, leaves, or has sent nothing for `idleTakeoverNanoseconds` (30 s), after which the
/// next request takes it over. Pure: the caller passes the time and acts on the decisions.
public struct InputArbitration: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        /// The requester holds control (newly or already). `revoked` is the idle holder it replaced.
        case granted(revoked: String?)
        /// Someone else holds control.
        case denied(holder: String)
    }

    public static let defaultIdleTakeoverNanoseconds: UInt64 = 30_000_000_000

    public private(set) var holder: String?
    private var lastInputAt: UInt64 = 0
    let idleTakeoverNanoseconds: UInt64

    public init(idleTakeoverNanoseconds: UInt64 = Self.defaultIdleTakeoverNanoseconds) {
        self.idleTakeoverNanoseconds = idleTakeoverNanoseconds
    }

    /// A request for control (explicit, or implied by input from a viewer without it).
    public mutating func request(_ viewer: String, now: UInt64) -> Decision {
        if let holder, holder != viewer {
            guard now &- lastInputAt >= idleTakeoverNanoseconds else { return .denied(holder: holder) }
            self.holder = viewer
            lastInputAt = now
            return .granted(revoked: holder)
        }
        if holder == nil { lastInputAt = now }
        holder = viewer
        return .granted(revoked: nil)
    }

    /// Input from `viewer`: true when it holds control (the idle clock restarts), else false.
    public mutating func input(from viewer: String, now: UInt64) -> Bool {
        guard holder == viewer else { return false }
        lastInputAt = now
        return true
    }

    /// The viewer gave control up or left: true when it held it (the runner must release keys).
    public mutating func release(_ viewer: String) -> Bool {
        guard holder == viewer else { return false }
        holder = nil
        return true
    }
}
