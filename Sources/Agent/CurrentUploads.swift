/// The "current channel" indirection (orchestration.md §3.2): runs opened by the long-lived
/// command handler reach the uploaders of whatever connection is up.
public actor CurrentUploads {
    private var starter: (@Sendable (String) async -> Void)?

    public init() {}

    func set(_ starter: (@Sendable (String) async -> Void)?) { self.starter = starter }

    public func runOpened(_ runID: String) async {
        await starter?(runID)
    }
}
