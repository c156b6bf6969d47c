import Client
import Foundation
import Testing

@Suite struct RelativeTimeTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15T15:06:40Z
    let utc = TimeZone(identifier: "UTC")!

    func ago(_ seconds: Double) -> String {
        RelativeTime.format(now.addingTimeInterval(-seconds), now: now, timeZone: utc)
    }

    @Test func justNowUnderAMinute() {
        #expect(ago(0) == "just now")
        #expect(ago(59) == "just now")
    }

    @Test func minutesHoursDays() {
        #expect(ago(60) == "1 minute ago")
        #expect(ago(5 * 60 + 30) == "5 minutes ago")
        #expect(ago(3599) == "59 minutes ago")
        #expect(ago(3600) == "1 hour ago")
        #expect(ago(23 * 3600) == "23 hours ago")
        #expect(ago(86_400) == "1 day ago")
        #expect(ago(29 * 86_400) == "29 days ago")
    }

    @Test func calendarDateFromThirtyDays() {
        #expect(ago(30 * 86_400) == "2025-05-16")
        #expect(ago(400 * 86_400) == "2024-05-11")
    }

    @Test func futureTimes() {
        #expect(RelativeTime.format(now.addingTimeInterval(2 * 3600 + 5), now: now, timeZone: utc) == "in 2 hours")
        #expect(RelativeTime.format(now.addingTimeInterval(10), now: now, timeZone: utc) == "just now")
    }

    @Test func formatsTimestampStrings() {
        #expect(RelativeTime.format(timestamp: "2025-06-15T15:01:40.000Z", now: now, timeZone: utc) == "5 minutes ago")
        #expect(RelativeTime.format(timestamp: "garbage", now: now, timeZone: utc) == "garbage")
    }

    @Test func parsesRFC3339() throws {
        let date = try #require(Timestamp.parse("2025-03-01T10:00:00.000Z"))
        #expect(date.timeIntervalSince1970 == 1_740_823_200)
        let offset = try #require(Timestamp.parse("2025-03-01T12:30:00.5+02:30"))
        #expect(offset.timeIntervalSince1970 == 1_740_823_200.5)
        #expect(Timestamp.parse("2025-03-01T10:00:00") == nil)
        #expect(Timestamp.parse("2025-13-01T10:00:00Z") == nil)
        #expect(Timestamp.parse("") == nil)
    }

    @Test func clockTimeInZone() throws {
        let date = try #require(Timestamp.parse("2025-03-01T23:59:58.999Z"))
        #expect(Timestamp.clockTime(date, timeZone: utc) == "23:59:58")
        #expect(Timestamp.clockTime(date, timeZone: TimeZone(secondsFromGMT: 3600)!) == "00:59:58")
        #expect(Timestamp.calendarDate(date, timeZone: TimeZone(secondsFromGMT: 3600)!) == "2025-03-02")
    }
}
