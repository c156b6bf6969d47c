import Foundation

/// `adb devices -l` output (scrcpy.md §3.6): a `List of devices attached` header, then one
/// `SERIAL<whitespace>STATE [key:value ...]` line per device. Noise lines (`* daemon started`,
/// `adb server ...`) are skipped. A serial may contain spaces, so each line is read from the right:
/// the `key:value` words, then the state, and everything before is the serial.
public struct ADBDeviceList: Sendable, Equatable {
    public struct Device: Sendable, Equatable {
        public var serial: String
        /// `device` is usable; others: `offline`, `unauthorized`, `authorizing`, `connecting`, …
        public var state: String
        public var model: String?
    }

    public var devices: [Device]

    public init(parsing output: String) {
        var devices: [Device] = []
        for raw in output.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("*") || line.hasPrefix("List of devices") || line.hasPrefix("adb server") { continue }
            // From the right: drop the key:value words, then the state; the rest is the serial.
            var rest = Substring(line)
            var model: String?
            var state = ""
            while let space = rest.lastIndex(where: { $0 == " " || $0 == "\t" }) {
                let word = rest[rest.index(after: space)...]
                rest = rest[..<space]
                while let last = rest.last, last == " " || last == "\t" { rest = rest.dropLast() }
                if word.contains(":") && state.isEmpty {
                    if word.hasPrefix("model:") { model = String(word.dropFirst(6)) }
                    continue
                }
                state = String(word)
                break
            }
            let serial = String(rest)
            guard !state.isEmpty, !serial.isEmpty else { continue }
            devices.append(Device(serial: serial, state: state, model: model))
        }
        self.devices = devices
    }

    /// scrcpy's choice: the given serial (which must be in state `device`), else the only usable device.
    public func select(serial: String?) throws(AndroidCaptureError) -> Device {
        if let serial, !serial.isEmpty {
            guard let device = devices.first(where: { $0.serial == serial }) else {
                throw .deviceUnavailable("device \(serial) is not attached (adb devices lists \(summary))")
            }
            guard device.state == "device" else { throw .deviceUnavailable("device \(serial) is \(device.state)") }
            return device
        }
        let usable = devices.filter { $0.state == "device" }
        guard let only = usable.first else { throw .deviceUnavailable("adb devices lists \(summary)") }
        guard usable.count == 1 else {
            throw .deviceUnavailable("\(usable.count) devices are attached (\(summary)); give the stream a serial")
        }
        return only
    }

    private var summary: String {
        devices.isEmpty ? "none" : devices.map { "\($0.serial) (\($0.state))" }.joined(separator: ", ")
    }
}
