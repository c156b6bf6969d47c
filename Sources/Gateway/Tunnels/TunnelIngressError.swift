/// An entry-point error answered as `{code, message}` with `X-Marionette-Error`.
public struct TunnelIngressError: Error, Sendable, Equatable {
    public var status: Int
    public var code: String
    public var message: String
    public var headers: [(String, String)] = []

    public init(status: Int, code: String, message: String, headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public static func == (a: TunnelIngressError, b: TunnelIngressError) -> Bool {
        a.status == b.status && a.code == b.code && a.message == b.message
    }
}
