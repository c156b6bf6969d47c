import Testing

@testable import Capture

@Suite struct TestPatternSourceTests {
    @Test func isPureAndRendersInPlace() {
        let source = TestPatternSource()
        let a = source.frame(at: 1_700_000_000_000, index: 42)
        #expect(a == source.frame(at: 1_700_000_000_000, index: 42))
        #expect(a.width == 1280 && a.height == 720 && a.y.count == 1280 * 720 && a.u.count == 640 * 360)

        // render(into:) over a frame that held another picture gives the same result.
        var reused = source.frame(at: 5, index: 9)
        source.render(into: &reused, timeMs: 1_700_000_000_000, index: 42)
        #expect(reused == a)
    }

    @Test func picturesMoveFromFrameToFrame() {
        let source = TestPatternSource()
        let a = source.frame(at: 1_000, index: 0), b = source.frame(at: 1_000, index: 1)
        // Same time: the bar code rows are equal, the picture below them is not.
        let band = 24 * 1280
        #expect(a.y[0..<band] == b.y[0..<band])
        #expect(a.y[band...] != b.y[band...])
        // Luma stays in BT.601 limited range.
        #expect(a.y.allSatisfy { (16...235).contains($0) })
        #expect(a.u.allSatisfy { (16...240).contains($0) } && a.v.allSatisfy { (16...240).contains($0) })
    }

    @Test func oddSizesWork() {
        let frame = TestPatternSource(width: 641, height: 359).frame(at: 77, index: 5)
        #expect(frame.chromaWidth == 321 && frame.chromaHeight == 180)
        #expect(BarcodeReader.read(frame) == 77)
    }
}
