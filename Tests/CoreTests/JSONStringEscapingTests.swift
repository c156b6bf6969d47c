import Core
import Foundation
import Testing

/// The hand-written JSON string escapes read back as the same string, with `JSONEncoder`'s
/// escapes for every control character, and no copy beyond the measured size.
struct JSONStringEscapingTests {
    @Test(arguments: [
        "", "plain", #"{"type":"assistant","text":"say \"hi\" \\ there"}"#,
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{7F}",
        "unicode é 漢字 🚀 \u{2028}", "/slashes/stay/",
    ])
    func roundTripsAndMatchesTheMeasuredSize(_ text: String) throws {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        JSONStringEscaping.appendQuoted(text, to: &bytes)
        bytes.append(UInt8(ascii: "]"))
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String]
        #expect(parsed == [text])
        var copy = text
        let measured = copy.withUTF8 { JSONStringEscaping.escapedCount($0) }
        #expect(measured == bytes.count - 4)
        // Control characters use JSONEncoder's forms.
        if text.contains("\u{01}") {
            let body = String(decoding: bytes, as: UTF8.self)
            #expect(body.contains(#"\u0001"#) && body.contains(#"\n"#) && body.contains(#"\u001f"#) && body.contains(#"\t"#))
        }
    }
}
