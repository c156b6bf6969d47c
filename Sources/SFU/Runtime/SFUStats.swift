/// Packet-path counters, read by the stats endpoint and metrics.
public struct SFUCounters: Sendable, Equatable {
    public var packetsSent: UInt64 = 0
    public var retransmissionsSent: UInt64 = 0
    public var nacksReceived: UInt64 = 0
    public var keyframeRequestsReceived: UInt64 = 0
    public var keyframeRequestsSent: UInt64 = 0
    public var senderReportsSent: UInt64 = 0
    public var transportFeedbackSent: UInt64 = 0
    public var droppedUnknown: UInt64 = 0
    public var droppedUnprotect: UInt64 = 0
    public var droppedProtect: UInt64 = 0
    public var droppedOnPurpose: UInt64 = 0
    /// Video not sent to viewers that could not keep up (streaming.md §3.7), packets and whole
    /// frames: their downlink estimate below the stream's target (congestion), or the socket's
    /// send queue over its water mark (queue full).
    public var droppedCongestion: UInt64 = 0
    public var droppedQueueFull: UInt64 = 0
    public var framesDroppedCongestion: UInt64 = 0
    public var framesDroppedQueueFull: UInt64 = 0
    public var dtlsFailures: UInt64 = 0
    public var consentTimeouts: UInt64 = 0
    /// Datagrams that reached a worker other than their peer's and were handed to the owner (a
    /// publisher whose 5-tuple hashed to another worker's socket, or an ICE restart from a new address).
    public var forwardedToWorkers: UInt64 = 0

    /// Another worker's counters.
    mutating func add(_ other: SFUCounters) {
        packetsSent &+= other.packetsSent
        retransmissionsSent &+= other.retransmissionsSent
        nacksReceived &+= other.nacksReceived
        keyframeRequestsReceived &+= other.keyframeRequestsReceived
        keyframeRequestsSent &+= other.keyframeRequestsSent
        senderReportsSent &+= other.senderReportsSent
        transportFeedbackSent &+= other.transportFeedbackSent
        droppedUnknown &+= other.droppedUnknown
        droppedUnprotect &+= other.droppedUnprotect
        droppedProtect &+= other.droppedProtect
        droppedOnPurpose &+= other.droppedOnPurpose
        droppedCongestion &+= other.droppedCongestion
        droppedQueueFull &+= other.droppedQueueFull
        framesDroppedCongestion &+= other.framesDroppedCongestion
        framesDroppedQueueFull &+= other.framesDroppedQueueFull
        dtlsFailures &+= other.dtlsFailures
        consentTimeouts &+= other.consentTimeouts
        forwardedToWorkers &+= other.forwardedToWorkers
    }
}

public struct SFUStats: Sendable, Equatable {
    public var counters: SFUCounters
    public var viewers: Int
    public var publishers: Int
    /// Video packets from ingress (publisher packet read, or runner frame packetized) to the flush
    /// that handed their copies to the kernel.
    public var forwardDelay: SFULatencyHistogram
    /// A viewer's WHEP offer accepted to its first media packet sent (the cached keyframe).
    public var firstFrame: SFULatencyHistogram

    /// Another worker's part (the server sums its workers).
    mutating func add(_ other: SFUStats) {
        counters.add(other.counters)
        viewers += other.viewers
        publishers += other.publishers
        forwardDelay.add(other.forwardDelay)
        firstFrame.add(other.firstFrame)
    }
}
