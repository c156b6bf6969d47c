/// The type byte of a control message (client → device, scrcpy.md §6.2). 0...17 exist in both
/// versions with identical layouts; 18...22 only in 4.1. An unknown type ends the server.
public enum ScrcpyControlMessageType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case injectKeycode = 0
    case injectText = 1
    case injectTouchEvent = 2
    case injectScrollEvent = 3
    case backOrScreenOn = 4
    case expandNotificationPanel = 5
    case expandSettingsPanel = 6
    case collapsePanels = 7
    case getClipboard = 8
    case setClipboard = 9
    case setDisplayPower = 10
    case rotateDevice = 11
    case uhidCreate = 12
    case uhidInput = 13
    case uhidDestroy = 14
    case openHardKeyboardSettings = 15
    case startApp = 16
    case resetVideo = 17
    case cameraSetTorch = 18
    case cameraZoomIn = 19
    case cameraZoomOut = 20
    case resizeDisplay = 21
    case scanFile = 22

    /// The oldest supported version that has this type.
    public var minimumVersion: ScrcpyVersion { rawValue <= 17 ? .v3_3_4 : .v4_1 }

    /// The upstream name (`INJECT_KEYCODE`, ...).
    public var description: String {
        switch self {
        case .injectKeycode: "INJECT_KEYCODE"
        case .injectText: "INJECT_TEXT"
        case .injectTouchEvent: "INJECT_TOUCH_EVENT"
        case .injectScrollEvent: "INJECT_SCROLL_EVENT"
        case .backOrScreenOn: "BACK_OR_SCREEN_ON"
        case .expandNotificationPanel: "EXPAND_NOTIFICATION_PANEL"
        case .expandSettingsPanel: "EXPAND_SETTINGS_PANEL"
        case .collapsePanels: "COLLAPSE_PANELS"
        case .getClipboard: "GET_CLIPBOARD"
        case .setClipboard: "SET_CLIPBOARD"
        case .setDisplayPower: "SET_DISPLAY_POWER"
        case .rotateDevice: "ROTATE_DEVICE"
        case .uhidCreate: "UHID_CREATE"
        case .uhidInput: "UHID_INPUT"
        case .uhidDestroy: "UHID_DESTROY"
        case .openHardKeyboardSettings: "OPEN_HARD_KEYBOARD_SETTINGS"
        case .startApp: "START_APP"
        case .resetVideo: "RESET_VIDEO"
        case .cameraSetTorch: "CAMERA_SET_TORCH"
        case .cameraZoomIn: "CAMERA_ZOOM_IN"
        case .cameraZoomOut: "CAMERA_ZOOM_OUT"
        case .resizeDisplay: "RESIZE_DISPLAY"
        case .scanFile: "SCAN_FILE"
        }
    }
}
