import CShims
import CVPX

@testable import Capture

/// libvpx's VP8 or VP9 decoder, for checking what `VPXEncoder` produced: frames decode and the bar
/// code survives the round trip. Single-threaded use, like the encoder.
final class VPXTestDecoder {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let context = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)

    init(codec: VPXCodec = .vp8) throws {
        context.initialize(to: vpx_codec_ctx_t())
        let result = codec == .vp8 ? mshim_vpx_vp8_dec_init(context, 1) : mshim_vpx_vp9_dec_init(context, 1)
        guard result == 0 else {
            context.deallocate()
            let text = String(cString: vpx_codec_err_to_string(vpx_codec_err_t(rawValue: UInt32(result))))
            throw Failure(description: "vpx_codec_dec_init: \(text)")
        }
    }

    deinit {
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Decodes one frame into a tightly packed I420Frame.
    func decode(_ data: [UInt8]) throws -> I420Frame {
        let result = data.withUnsafeBufferPointer { vpx_codec_decode(context, $0.baseAddress, UInt32($0.count), nil, 0) }
        guard result == VPX_CODEC_OK else {
            throw Failure(description: "vpx_codec_decode: \(String(cString: vpx_codec_err_to_string(result)))")
        }
        var iterator: vpx_codec_iter_t? = nil
        guard let image = vpx_codec_get_frame(context, &iterator) else { throw Failure(description: "no decoded frame") }
        let width = Int(image.pointee.d_w), height = Int(image.pointee.d_h)
        let planes = image.pointee.planes, strides = image.pointee.stride
        func copy(_ plane: UnsafeMutablePointer<UInt8>?, stride: Int32, width: Int, height: Int) -> [UInt8] {
            var out = [UInt8]()
            out.reserveCapacity(width * height)
            guard let plane else { return out }
            for row in 0..<height { out += UnsafeBufferPointer(start: plane + row * Int(stride), count: width) }
            return out
        }
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        return I420Frame(
            width: width, height: height, strideY: width, strideUV: chromaWidth,
            y: copy(planes.0, stride: strides.0, width: width, height: height),
            u: copy(planes.1, stride: strides.1, width: chromaWidth, height: chromaHeight),
            v: copy(planes.2, stride: strides.2, width: chromaWidth, height: chromaHeight))
    }
}
