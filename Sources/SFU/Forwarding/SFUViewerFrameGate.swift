/// Whole-frame dropping for one viewer's video when it cannot keep up (streaming.md §3.7). Pure:
/// the caller passes each video packet in the order the track produced it and gets a decision.
///
/// - Decisions are taken at frame boundaries only (a frame is the packets of one timestamp, up to
///   the marker), so a frame is either sent whole or not at all; one already started is finished.
/// - A delta frame that starts while the viewer is congested (its downlink estimate below the
///   stream's target, or the SFU's send queue full) begins an episode: that frame and every delta
///   frame after it are dropped until a keyframe, which is sent. The episode's first drop asks once
///   for a keyframe (the caller sends it through the room's throttle). If the viewer is still
///   congested at the next delta frame, a new episode begins: the viewer sees a slideshow of
///   keyframes instead of a stalled or broken picture.
/// - Dropped packets leave no hole in the viewer's sequence numbers (it would NACK them, and count
///   them as loss): each forwarded run of packets is shifted down by the numbers dropped before it.
///   ``cacheSequenceNumber(forViewerSequenceNumber:)`` maps the viewer's numbers back for NACKs.
///   Timestamps are left alone: a gap in time is what a dropped frame is.
/// - Audio never comes here.
///
/// The run history is a fixed ring allocated once; a packet costs a few comparisons.
struct SFUViewerFrameGate: Sendable {
    enum Cause: Sendable, Equatable {
        /// The viewer's downlink estimate is below the stream's bitrate target.
        case downlink
        /// The SFU's socket could not take the fan-out (its send queue is over the water mark).
        case egressQueue
    }

    enum Decision: Sendable, Equatable {
        /// Send the packet with this sequence number (the viewer's numbering).
        case forward(sequenceNumber: UInt16)
        /// Do not send it. `frameStart`: the first packet of a dropped frame; `requestKeyframe`: an
        /// episode starts here, so the source should be asked for a keyframe.
        case drop(cause: Cause, frameStart: Bool, requestKeyframe: Bool)
    }

    /// Forwarded and dropped runs kept for late packets and NACKs: 8 drop episodes, several seconds
    /// of a keyframe slideshow, more than the retransmission cache's 1 s.
    static let runCapacity = 16

    /// Consecutive cache sequence numbers with one fate, from `cacheStart` to the next run.
    private struct Run: Sendable {
        /// Extended cache sequence number of the run's first packet.
        var cacheStart: Int64
        /// Cache numbers dropped before this run: the viewer's number is cache − skipped.
        var skipped: Int64
        var forwarded: Bool
    }

    private var runs: [Run]
    private var runsAdded = 0
    private var cacheSequence = RTPSequenceUnwrapper()
    private var skipped: Int64 = 0
    private var highestViewerSequence: Int64?
    /// The frame being admitted: its timestamp, whether its marker has not come yet, and its fate.
    private var frameTimestamp: UInt32 = 0
    private var frameOpen = false
    private var frameForwarded = true
    private var cause = Cause.downlink
    /// Delta frames are dropped until a keyframe starts.
    private(set) var awaitingKeyframe = false
    /// The downlink estimate is below the target (with hysteresis, see ``updateDownlink``).
    private(set) var downlinkCongested = false
    /// When the estimate last went under the target (nil: not under it now).
    private var belowTargetSince: UInt64?
    private(set) var framesDropped: UInt64 = 0
    private(set) var packetsDropped: UInt64 = 0

    init() {
        runs = Array(repeating: Run(cacheStart: 0, skipped: 0, forwarded: true), count: Self.runCapacity)
    }

    /// How long a viewer must stay under the target before it counts as congested. An episode costs
    /// a keyframe round trip with the picture frozen, and a short dip recovers better by NACKs: one
    /// overuse signal cuts Chrome's REMB to 0.85 × what it receives, and a viewer on another worker
    /// than the stream's home is compared with a target that has not seen its new estimate yet (the
    /// home hears the estimates every 200 ms). Both pass within this hold; real congestion does not.
    static let congestionHoldNanoseconds: UInt64 = 500_000_000

    /// From the viewer's estimate (REMB, else receiver-report loss) and the stream's target at
    /// monotonic time `now`: congested once below the target for ``congestionHoldNanoseconds``, clear
    /// again at 5 % above it. The target is 0.9 × the 10th percentile of the viewers, so the viewer
    /// that set it sits about 11 % above it and is never congested by it.
    mutating func updateDownlink(estimateBitsPerSecond estimate: UInt64?, targetBitsPerSecond target: UInt64?, now: UInt64) {
        guard let estimate, let target else {
            downlinkCongested = false
            belowTargetSince = nil
            return
        }
        if downlinkCongested {
            if estimate >= target + target / 20 {
                downlinkCongested = false
                belowTargetSince = nil
            }
        } else if estimate < target {
            let since = belowTargetSince ?? now
            belowTargetSince = since
            downlinkCongested = now &- since >= Self.congestionHoldNanoseconds
        } else {
            belowTargetSince = nil
        }
    }

    /// The fate of one video packet. `egressQueueFull`: the SFU's socket is not writable now.
    mutating func admit(
        sequenceNumber: UInt16, timestamp: UInt32, marker: Bool, keyframeStart: Bool, egressQueueFull: Bool
    ) -> Decision {
        let previousHighest = cacheSequence.highest
        let extended = cacheSequence.unwrap(sequenceNumber)
        if let previousHighest {
            guard extended > previousHighest else { return admitLate(extended) }
        } else {
            push(Run(cacheStart: extended, skipped: 0, forwarded: true))  // the first packet opens the first run
        }
        return admitNewest(
            extended, timestamp: timestamp, marker: marker, keyframeStart: keyframeStart, egressQueueFull: egressQueueFull)
    }

    /// The cache's sequence number of a packet this viewer received as `viewerSequenceNumber`
    /// (for a NACK); nil when it names nothing that was sent to it.
    func cacheSequenceNumber(forViewerSequenceNumber viewerSequenceNumber: UInt16) -> UInt16? {
        guard let highest = highestViewerSequence else { return nil }
        let back = UInt16(truncatingIfNeeded: highest) &- viewerSequenceNumber
        guard back < 0x8000 else { return nil }  // newer than anything sent
        let extended = highest - Int64(back)
        for index in 0..<min(runsAdded, Self.runCapacity) {
            let run = runs[slot(back: index)]
            guard run.forwarded else { continue }
            if run.cacheStart - run.skipped <= extended { return UInt16(truncatingIfNeeded: extended + run.skipped) }
        }
        return nil
    }

    // MARK: Private

    private mutating func admitNewest(
        _ extended: Int64, timestamp: UInt32, marker: Bool, keyframeStart: Bool, egressQueueFull: Bool
    ) -> Decision {
        var frameStart = false
        var requestKeyframe = false
        if !frameOpen || timestamp != frameTimestamp {
            // A new frame (after a marker, or a new timestamp when the marker was lost upstream).
            frameStart = true
            frameTimestamp = timestamp
            if keyframeStart {
                frameForwarded = true
                awaitingKeyframe = false
            } else if awaitingKeyframe {
                frameForwarded = false
            } else if downlinkCongested || egressQueueFull {
                frameForwarded = false
                awaitingKeyframe = true
                requestKeyframe = true
                cause = downlinkCongested ? .downlink : .egressQueue
            } else {
                frameForwarded = true
            }
        } else if keyframeStart && !frameForwarded {
            // A keyframe whose first packet was not recognised as its start (an H.264 access unit
            // opening with an AUD or SEI): the keyframe is what ends the episode, send it from here.
            frameForwarded = true
            awaitingKeyframe = false
        }
        frameOpen = !marker
        let current = runs[slot(back: 0)]
        if frameForwarded {
            if !current.forwarded {
                skipped += extended - current.cacheStart
                push(Run(cacheStart: extended, skipped: skipped, forwarded: true))
            }
            let viewer = extended - skipped
            highestViewerSequence = viewer
            return .forward(sequenceNumber: UInt16(truncatingIfNeeded: viewer))
        }
        // A drop run starts at the first packet dropped: numbers missing before it (lost upstream or
        // still to come) stay in the forwarded run, so the viewer may NACK them and late ones are sent.
        if current.forwarded { push(Run(cacheStart: extended, skipped: skipped, forwarded: false)) }
        packetsDropped &+= 1
        if frameStart { framesDropped &+= 1 }
        return .drop(cause: cause, frameStart: frameStart, requestKeyframe: requestKeyframe)
    }

    /// A packet older than the newest one seen (reordered upstream): it shares the fate of the run its
    /// number falls in; older than every run kept, it is dropped (its numbering is unknown).
    private mutating func admitLate(_ extended: Int64) -> Decision {
        for index in 0..<min(runsAdded, Self.runCapacity) {
            let run = runs[slot(back: index)]
            guard run.cacheStart <= extended else { continue }
            if run.forwarded { return .forward(sequenceNumber: UInt16(truncatingIfNeeded: extended - run.skipped)) }
            break
        }
        packetsDropped &+= 1
        return .drop(cause: cause, frameStart: false, requestKeyframe: false)
    }

    /// The ring index of the run `back` places before the newest.
    private func slot(back: Int) -> Int { (runsAdded - 1 - back) & (Self.runCapacity - 1) }

    private mutating func push(_ run: Run) {
        runs[runsAdded & (Self.runCapacity - 1)] = run
        runsAdded += 1
    }
}
