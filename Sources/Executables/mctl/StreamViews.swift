import Client

extension Views {
    /// `ID TYPE STATE SIZE VIEWERS CREATED` (cli.md §5).
    static let stream = ResourceView(
        plural: "streams",
        columns: [
            .init(header: "ID") { cell($0, "id") },
            .init(header: "TYPE") { cell($0, "type") },
            .init(header: "STATE") { cell($0, "state") },
            .init(header: "SIZE") { streamSize($0) ?? "-" },
            .init(header: "VIEWERS") { cell($0, "viewer_count") },
            .init(header: "CREATED") { timeCell($0, "created_at") },
        ],
        fields: { item in
            var f = FieldList(item)
            f.text("ID", "id")
            f.text("Session", "session_id")
            f.text("Runner", "runner_id")
            f.text("Type", "type")
            f.text("State", "state")
            f.add("Size", streamSize(item))
            f.text("Max Size", "max_size")
            f.text("FPS", "fps")
            if let kbps = item["bitrate_kbps"]?.intValue { f.add("Bitrate", "\(kbps) kbit/s") }
            f.text("Video Codec", "video_codec")
            f.text("Audio Codec", "audio_codec")
            f.bool("Audio", "audio")
            f.bool("Input", "input")
            f.text("Display", "display")
            f.text("Serial", "serial")
            f.text("Viewers", "viewer_count")
            f.bool("Publisher Connected", "publisher_connected")
            f.text("Viewer URL", "viewer_url")
            f.text("WHEP URL", "whep_url")
            f.text("WHIP URL", "whip_url")
            f.text("Input URL", "input_url")
            f.text("Error Code", "error_code")
            f.text("Error", "error")
            f.map("Labels", "labels")
            f.map("Metadata", "metadata")
            f.time("Started", "started_at")
            f.time("Stopped", "stopped_at")
            f.time("Expires", "expires_at")
            f.time("Created", "created_at")
            f.time("Updated", "updated_at")
            return f.pairs
        }
    )

    /// `mctl streams stats`: the counters as `Field: value` lines, then one line per viewer.
    static let streamStats = ResourceView(
        plural: "stream stats",
        columns: [],
        fields: { item in
            var f = FieldList(item)
            f.text("Stream", "stream_id")
            f.bool("Publisher Connected", "publisher_connected")
            f.text("Viewers", "viewer_count")
            f.text("Frames In", "frames_received")
            f.text("Keyframes In", "keyframes_received")
            f.text("Packets In", "packets_in")
            f.text("Bytes In", "bytes_in")
            if let kbps = item["bitrate_in_kbps"]?.intValue { f.add("Bitrate In", "\(kbps) kbit/s") }
            f.text("Packets Out", "packets_out")
            f.text("Bytes Out", "bytes_out")
            if let kbps = item["bitrate_out_kbps"]?.intValue { f.add("Bitrate Out", "\(kbps) kbit/s") }
            f.text("NACKs Received", "nacks_received")
            f.text("RTX Sent", "rtx_sent")
            f.text("PLIs Received", "plis_received")
            f.text("Keyframe Requests Sent", "keyframe_requests_sent")
            f.text("Sender Reports Sent", "sender_reports_sent")
            if let kbps = item["target_bitrate_kbps"]?.intValue { f.add("Target Bitrate", "\(kbps) kbit/s") }
            for viewer in item["viewers"]?.arrayValue ?? [] {
                let state = viewer["connected"]?.boolValue == true ? "connected" : "connecting"
                let packets = viewer["packets_out"]?.intValue ?? 0
                let nacks = viewer["nacks_received"]?.intValue ?? 0
                let rtx = viewer["rtx_sent"]?.intValue ?? 0
                let plis = viewer["plis_received"]?.intValue ?? 0
                let rtt = viewer["rtt_ms"]?.doubleValue.map { ", RTT \(Int($0.rounded())) ms" } ?? ""
                f.add(
                    "Viewer " + (viewer["id"]?.stringValue ?? "?"),
                    "\(state), \(packets) packets out, \(nacks) NACKs, \(rtx) RTX, \(plis) PLIs\(rtt)")
            }
            return f.pairs
        }
    )

    static func streamSize(_ item: JSONValue) -> String? {
        guard let width = item["width"]?.intValue, let height = item["height"]?.intValue else { return nil }
        return "\(width)x\(height)"
    }
}
