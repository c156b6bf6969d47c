/// How `X11ScreenGrabber` reads the root window (capture.md §1.1), fastest first.
public enum X11GrabPath: String, Sendable, Equatable {
    /// MIT-SHM ≥ 1.2 with a memfd segment passed over the socket (works across IPC namespaces).
    case shmMemfd = "shm-memfd"
    /// MIT-SHM with a SysV segment (same IPC namespace as the X server only).
    case shmSysV = "shm-sysv"
    /// Core `GetImage`: pixels copied through the socket; slower, always works.
    case getImage = "get-image"
}
