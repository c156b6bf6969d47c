import Testing

@testable import Capture

@Suite struct ADBDeviceListTests {
    @Test func parsesDevicesFromTheRightAndSkipsNoise() throws {
        let output = """
            * daemon not running; starting now at tcp:5037
            * daemon started successfully
            List of devices attached
            emulator-5554          device product:sdk_gphone64_x86_64 model:sdk_gphone64_x86_64 device:emu64xa transport_id:1
            192.168.1.7:5555 offline transport_id:2
            my phone with spaces   unauthorized usb:1-1 transport_id:3

            """
        let list = ADBDeviceList(parsing: output)
        #expect(list.devices.map(\.serial) == ["emulator-5554", "192.168.1.7:5555", "my phone with spaces"])
        #expect(list.devices.map(\.state) == ["device", "offline", "unauthorized"])
        #expect(list.devices[0].model == "sdk_gphone64_x86_64")
        #expect(try list.select(serial: nil).serial == "emulator-5554")
        #expect(try list.select(serial: "emulator-5554").serial == "emulator-5554")
        #expect(throws: AndroidCaptureError.self) { try list.select(serial: "192.168.1.7:5555") }
        #expect(throws: AndroidCaptureError.self) { try list.select(serial: "nope") }
    }

    @Test func refusesToGuessAmongSeveralDevices() {
        let list = ADBDeviceList(parsing: "List of devices attached\na\tdevice\nb\tdevice\n")
        #expect(throws: AndroidCaptureError.self) { try list.select(serial: nil) }
        #expect(throws: AndroidCaptureError.self) { try ADBDeviceList(parsing: "List of devices attached\n\n").select(serial: nil) }
    }
}

@Suite struct H264SPSSizeTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    @Test func readsTheSizeOfALibx264ConstrainedBaselineSPS() {
        // The device simulator's config packet: SPS (with an emulation-prevention 03) + PPS, 720×1280.
        let config = Self.hex("000000016742e01fda02d0286c0440000003004000000f23c60ca80000000168ce3c80")
        #expect(H264SPSSize(annexB: config) == H264SPSSize(width: 720, height: 1280))
    }

    @Test func appliesFrameCroppingOf1080p() {
        // libx264 High profile 1920×1080 (chroma format, bit depths and scaling flag before the size): 68 rows of macroblocks (1088) cropped by 4 × 2 = 8 lines.
        let config = Self.hex("0000000167640028acd940780227e5c044000003000400000300f03c60c658")
        #expect(H264SPSSize(annexB: config) == H264SPSSize(width: 1920, height: 1080))
    }

    @Test func rejectsWhatIsNoSPS() {
        #expect(H264SPSSize(annexB: [0, 0, 0, 1, 0x68, 0xCE, 0x3C, 0x80]) == nil)
        #expect(H264SPSSize(annexB: [0, 0, 0, 1, 0x67, 0x42]) == nil)
        #expect(H264SPSSize(annexB: []) == nil)
    }
}
