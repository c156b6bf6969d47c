#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One 8-bit I420 (YUV 4:2:0, BT.601 limited range) picture: a full-size luma plane and two
/// half-size chroma planes, each with its own row stride in bytes.
///
/// A value type over three arrays: producers that render every frame keep one `I420Frame` and
/// mutate it in place (copy-on-write keeps that allocation-free while nobody else holds a copy).
public struct I420Frame: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row strides in bytes: `strideY` ≥ `width`, `strideUV` ≥ `chromaWidth`.
    public let strideY: Int
    public let strideUV: Int
    public var y: [UInt8]
    public var u: [UInt8]
    public var v: [UInt8]

    /// Chroma planes cover odd sizes by rounding up.
    public var chromaWidth: Int { (width + 1) / 2 }
    public var chromaHeight: Int { (height + 1) / 2 }

    /// A black frame (Y 16, Cb/Cr 128) with tight strides.
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "I420Frame needs a positive size, got \(width)x\(height)")
        self.width = width
        self.height = height
        strideY = width
        strideUV = (width + 1) / 2
        y = [UInt8](repeating: 16, count: width * height)
        u = [UInt8](repeating: 128, count: strideUV * ((height + 1) / 2))
        v = u
    }

    /// Wraps existing planes; their sizes must match the strides.
    public init(width: Int, height: Int, strideY: Int, strideUV: Int, y: [UInt8], u: [UInt8], v: [UInt8]) {
        precondition(width > 0 && height > 0 && strideY >= width && strideUV >= (width + 1) / 2)
        precondition(y.count >= strideY * height && u.count >= strideUV * ((height + 1) / 2) && v.count == u.count)
        self.width = width
        self.height = height
        self.strideY = strideY
        self.strideUV = strideUV
        self.y = y
        self.u = u
        self.v = v
    }

    enum Plane { case y, u, v }

    /// Sets `columns` of each row in `rows` of one plane to `value`, in place (memset per row, so
    /// drawing stays cheap in debug builds too). Callers clip to the plane.
    mutating func fill(_ plane: Plane, rows: Range<Int>, columns: Range<Int>, value: UInt8) {
        switch plane {
        case .y: Self.fill(&y, stride: strideY, width: width, rows: rows, columns: columns, value: value)
        case .u: Self.fill(&u, stride: strideUV, width: chromaWidth, rows: rows, columns: columns, value: value)
        case .v: Self.fill(&v, stride: strideUV, width: chromaWidth, rows: rows, columns: columns, value: value)
        }
    }

    private static func fill(
        _ plane: inout [UInt8], stride: Int, width: Int, rows: Range<Int>, columns: Range<Int>, value: UInt8
    ) {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        precondition(columns.lowerBound >= 0 && columns.upperBound <= width && rows.lowerBound >= 0
            && (rows.upperBound - 1) * stride + columns.upperBound <= plane.count, "fill outside the plane")
        plane.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for row in rows { memset(base + row * stride + columns.lowerBound, Int32(value), columns.count) }
        }
    }
}
