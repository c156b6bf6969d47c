import CYUV

/// Change detection without XDamage (capture.md §1.4): a 32-bit hash of every row of a grabbed frame
/// (libyuv's SIMD `HashDjb2`, about the cost of a memcpy of the frame), compared with the previous
/// frame's. Pure apart from its own memory; the hash array is reused while the size stays the same.
struct FrameRowHasher {
    private var hashes: [UInt32] = []
    private var size: (width: Int, height: Int) = (0, 0)

    /// Rows that differed in the latest `update` (all rows for the first frame or a new size).
    private(set) var changedRows = 0

    /// Hashes `height` rows of `width × bytesPerPixel` bytes (padding and unused bytes past the row
    /// are ignored) and reports whether any differs from the previous frame. The first frame and
    /// every size change count as changed.
    mutating func update(base: UnsafeRawPointer, width: Int, height: Int, stride: Int, bytesPerPixel: Int) -> Bool {
        let rowBytes = UInt64(width * bytesPerPixel)
        let resized = size != (width, height)
        if resized {
            size = (width, height)
            hashes = [UInt32](repeating: 0, count: height)
        }
        var changed = 0
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        hashes.withUnsafeMutableBufferPointer { previous in
            for row in 0..<height {
                let hash = HashDjb2(bytes + row * stride, rowBytes, 5381)
                if resized || previous[row] != hash {
                    previous[row] = hash
                    changed += 1
                }
            }
        }
        changedRows = changed
        return changed > 0
    }

    /// Forgets the previous frame: the next update reports a change.
    mutating func reset() {
        size = (0, 0)
        hashes = []
    }
}
