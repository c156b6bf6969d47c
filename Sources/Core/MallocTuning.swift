import CMalloc

/// glibc malloc settings for processes that move bulk bytes (tunnels, media). By default glibc
/// serves each block over 128 KiB with a fresh `mmap` and hands freed heap tops back to the kernel,
/// so every 256 KiB–1 MiB read buffer of a busy tunnel stream landed on new pages: measured on the
/// agent, 128,000 page faults a second at 0.5 GB/s, half its CPU. Blocks up to 32 MiB now come from
/// the heap, and a heap keeps up to 32 MiB free at its top for the next buffers. Call once at
/// start-up (`mallopt` applies to every arena from then on).
public enum MallocTuning {
    public static let mmapThreshold: Int32 = 32 << 20
    public static let trimThreshold: Int32 = 32 << 20

    public static func keepBulkBuffers() {
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, trimThreshold)
    }
}
