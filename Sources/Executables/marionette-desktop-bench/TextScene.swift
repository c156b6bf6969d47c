#if canImport(Glibc)
import Glibc
#endif

/// Scrolling text, like a long file paged through in a terminal or an editor scrolled with the
/// wheel: lines of 8×16 pseudo glyphs (strokes, dark on light, some words coloured like syntax
/// highlighting) under a line-number gutter, moving up `scrollPixels` each tick. Line n's words and
/// glyphs come from a generator seeded with n, so any row of the endless document can be drawn on
/// its own; a tick moves what is on screen up (memmove) and draws only the rows that came in.
struct TextScene: BusyScene {
    static let cellWidth = 8
    static let lineHeight = 16
    static let glyphCount = 96  // 0-9 are digits (the gutter), the rest letters and signs
    static let gutterColumns = 6  // five digits and a space
    static let background: UInt32 = 0x00FA_FAF7
    static let gutterBackground: UInt32 = 0x00EC_ECE8
    static let gutterText: UInt32 = 0x0090_9090
    /// Most words near-black; some "keywords", "strings" and "types" in colour.
    static let wordColours: [UInt32] = [
        0x0020_2020, 0x0020_2020, 0x0020_2020, 0x0020_2020, 0x0000_30A0, 0x0000_7A20, 0x0090_10A0, 0x00A0_4000,
    ]

    let width: Int
    let height: Int
    let scrollPixels: Int
    private let columns: Int
    /// glyphCount × lineHeight row masks: bit x set = pixel x of that glyph row is ink.
    private let glyphs: [UInt8]
    private var drawnTick: Int64?

    init(width: Int, height: Int, scrollPixels: Int) {
        self.width = width
        self.height = height
        self.scrollPixels = max(1, scrollPixels)
        columns = width / Self.cellWidth
        glyphs = Self.makeGlyphs()
    }

    mutating func draw(tick: Int64, into pixels: UnsafeMutableBufferPointer<UInt32>) {
        let base = pixels.baseAddress!
        let top = tick * Int64(scrollPixels)  // document row shown on screen row 0
        var firstNewRow = 0
        if let last = drawnTick, tick > last, (tick - last) * Int64(scrollPixels) < Int64(height) {
            let shift = Int(tick - last) * scrollPixels
            memmove(base, base + shift * width, (height - shift) * width * 4)
            firstNewRow = height - shift
        }
        for y in firstNewRow..<height { drawRow(documentRow: top + Int64(y), into: base + y * width) }
        drawnTick = tick
    }

    private func drawRow(documentRow: Int64, into row: UnsafeMutablePointer<UInt32>) {
        let line = documentRow / Int64(Self.lineHeight)
        let y = Int(documentRow % Int64(Self.lineHeight))
        row.update(repeating: Self.background, count: width)
        let gutterWidth = min(width, Self.gutterColumns * Self.cellWidth)
        row.update(repeating: Self.gutterBackground, count: gutterWidth)
        // Line number, right-aligned in five digits.
        var number = Int((line + 1) % 100_000)
        var column = Self.gutterColumns - 2
        repeat {
            drawGlyph(number % 10, column: column, y: y, colour: Self.gutterText, into: row)
            number /= 10
            column -= 1
        } while number > 0 && column >= 0

        var random = SplitMix64(seed: UInt64(bitPattern: line) &* 0x2545_F491_4F6C_DD1D)
        guard random.next(below: 8) != 0 else { return }  // a blank line
        let first = Self.gutterColumns + 1
        let available = columns - first
        guard available > 12 else { return }
        let indent = first + random.next(below: 6) * 2
        let end = min(columns, indent + 6 + random.next(below: available - 6))
        column = indent
        while column < end {
            let length = 1 + random.next(below: 9)
            let colour = Self.wordColours[random.next(below: Self.wordColours.count)]
            for _ in 0..<length where column < end {
                drawGlyph(10 + random.next(below: Self.glyphCount - 10), column: column, y: y, colour: colour, into: row)
                column += 1
            }
            column += 1  // the space between words
        }
    }

    private func drawGlyph(_ glyph: Int, column: Int, y: Int, colour: UInt32, into row: UnsafeMutablePointer<UInt32>) {
        let mask = glyphs[glyph * Self.lineHeight + y]
        guard mask != 0, (column + 1) * Self.cellWidth <= width else { return }
        let cell = row + column * Self.cellWidth
        for x in 0..<Self.cellWidth where mask & (1 << x) != 0 { cell[x] = colour }
    }

    /// Glyph-like blocks of 2-4 one-pixel strokes in a 5×10 body (x 1...5, rows 3...12, descenders
    /// to row 14): enough edges and detail per cell to cost an encoder what real text costs.
    static func makeGlyphs() -> [UInt8] {
        var glyphs = [UInt8](repeating: 0, count: glyphCount * lineHeight)
        for glyph in 0..<glyphCount {
            var random = SplitMix64(seed: 0x7E57_0000 + UInt64(glyph))
            let top = glyph < 10 || random.next(below: 3) == 0 ? 3 : 6  // digits and ascenders are tall
            let bottom = 12
            func set(_ x: Int, _ y: Int) { glyphs[glyph * lineHeight + y] |= 1 << x }
            for _ in 0..<(2 + random.next(below: 3)) {
                switch random.next(below: 8) {
                case 0: for y in top...bottom { set(1, y) }
                case 1: for y in top...bottom { set(5, y) }
                case 2: for y in (top + 1)...bottom { set(3, y) }
                case 3: for x in 1...5 { set(x, top) }
                case 4: for x in 1...5 { set(x, (top + bottom) / 2) }
                case 5: for x in 1...5 { set(x, bottom) }
                case 6: for y in top...bottom { set(1 + (bottom - y) * 4 / (bottom - top), y) }  // a diagonal
                default:  // a descender
                    let x = random.next(below: 2) == 0 ? 1 : 5
                    for y in bottom...14 { set(x, y) }
                }
            }
        }
        return glyphs
    }
}
