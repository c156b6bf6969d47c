import Testing
@testable import SFU

@Suite("ICE-lite responder")
struct ICELiteResponderTests {
    static let local = ICECredentials(ufrag: "SFUu", password: "sfu-password-0123456789ab")
    static let browserA = ICEAddress(ipv4: 198, 51, 100, 7, port: 50_000)
    static let browserB = ICEAddress(ip: .v6(high: 0x2001_0db8 << 32, low: 0x42), port: 50_001)
    static let second: UInt64 = 1_000_000_000

    func responder() -> ICELiteResponder {
        ICELiteResponder(credentials: Self.local)
    }

    func check(
        remoteUfrag: String = "brws", local: ICECredentials = local, useCandidate: Bool = false,
        transactionID: STUNTransactionID = .init(high: 1, middle: 2, low: 3)
    ) -> [UInt8] {
        makeCheck(
            username: "\(local.ufrag):\(remoteUfrag)", password: local.password,
            transactionID: transactionID, useCandidate: useCandidate)
    }

    @Test func respondsToRFC5769SampleRequest() throws {
        var responder = ICELiteResponder(localUfrag: "evtj", localPassword: RFC5769.password)
        let action = responder.handle(datagram: RFC5769.request, from: RFC5769.mappedIPv4, now: 5)
        guard case .respond(let bytes, let nominated) = action else {
            Issue.record("expected a response, got \(action)")
            return
        }
        #expect(nominated == false)
        let response = try STUNMessage(parsing: bytes)
        #expect(response.messageClass == .success)
        #expect(response.transactionID == RFC5769.transactionID)
        #expect(response.xorMappedAddress == RFC5769.mappedIPv4)
        #expect(response.verifyMessageIntegrity(password: RFC5769.password))
        #expect(response.verifyFingerprint())
        #expect(responder.remoteUfrag == "h6vY")
        #expect(responder.lastValidCheck == 5)
        #expect(responder.selectedAddress == nil)
    }

    @Test func responseCarriesTransactionIDAddressIntegrityAndFingerprint() throws {
        var responder = responder()
        let tid = STUNTransactionID(high: 0xAAAA_AAAA, middle: 0xBBBB_BBBB, low: 0xCCCC_CCCC)
        for source in [Self.browserA, Self.browserB] {
            let action = responder.handle(datagram: check(transactionID: tid), from: source, now: 1)
            guard case .respond(let bytes, false) = action else {
                Issue.record("expected a non-nominating response, got \(action)")
                continue
            }
            let response = try STUNMessage(parsing: bytes)
            #expect(response.method == .binding)
            #expect(response.messageClass == .success)
            #expect(response.transactionID == tid)
            #expect(response.xorMappedAddress == source)
            #expect(response.attributes.map(\.type) == [.xorMappedAddress, .messageIntegrity, .fingerprint])
            #expect(response.verifyMessageIntegrity(password: Self.local.password))
            #expect(response.verifyFingerprint())
        }
    }

    @Test func useCandidateNominatesAndRoamingMovesSelectedPair() {
        var responder = responder()
        #expect(responder.handle(datagram: check(useCandidate: false), from: Self.browserA, now: 1).isRespond(nominated: false))
        #expect(responder.selectedAddress == nil)
        #expect(responder.handle(datagram: check(useCandidate: true), from: Self.browserA, now: 2).isRespond(nominated: true))
        #expect(responder.selectedAddress == Self.browserA)
        // A plain check from elsewhere does not move media.
        #expect(responder.handle(datagram: check(), from: Self.browserB, now: 3).isRespond(nominated: false))
        #expect(responder.selectedAddress == Self.browserA)
        // A nominated check from a new address does: the peer roamed.
        #expect(responder.handle(datagram: check(useCandidate: true), from: Self.browserB, now: 4).isRespond(nominated: true))
        #expect(responder.selectedAddress == Self.browserB)
        #expect(responder.lastValidCheck == 4)
    }

    @Test func unknownLocalUfragIsDroppedWithoutStateChange() {
        var responder = responder()
        let other = ICECredentials(ufrag: "nope", password: Self.local.password)
        let action = responder.handle(datagram: check(local: other, useCandidate: true), from: Self.browserA, now: 1)
        #expect(action == .drop(.unknownUsername))
        #expect(responder.selectedAddress == nil)
        #expect(responder.lastValidCheck == nil)
        #expect(responder.remoteUfrag == nil)
    }

    @Test func malformedUsernamesAreDropped() {
        var responder = responder()
        for username in ["SFUu", "SFUu:", ":brws", "SFUuX:brws", "sfuu:brws", ""] {
            let bytes = makeCheck(username: username, password: Self.local.password)
            #expect(responder.handle(datagram: bytes, from: Self.browserA, now: 1) == .drop(.unknownUsername), "\(username)")
        }
    }

    @Test func remoteUfragIsLearnedThenEnforced() {
        var responder = responder()
        #expect(responder.handle(datagram: check(remoteUfrag: "brws"), from: Self.browserA, now: 1).isRespond(nominated: false))
        #expect(responder.remoteUfrag == "brws")
        #expect(responder.handle(datagram: check(remoteUfrag: "evil"), from: Self.browserA, now: 2) == .drop(.remoteUfragMismatch))

        var preset = ICELiteResponder(credentials: Self.local, remoteUfrag: "sdp1")
        #expect(preset.handle(datagram: check(remoteUfrag: "brws"), from: Self.browserA, now: 1) == .drop(.remoteUfragMismatch))
        #expect(preset.handle(datagram: check(remoteUfrag: "sdp1"), from: Self.browserA, now: 1).isRespond(nominated: false))
    }

    @Test func integrityMustUseLocalPassword() {
        var responder = responder()
        let signedWithRemotePassword = makeCheck(username: "SFUu:brws", password: "browser-password-xyz")
        #expect(responder.handle(datagram: signedWithRemotePassword, from: Self.browserA, now: 1) == .drop(.badMessageIntegrity))
        let unsigned = makeCheck(username: "SFUu:brws", password: "", integrity: false)
        #expect(responder.handle(datagram: unsigned, from: Self.browserA, now: 1) == .drop(.missingMessageIntegrity))
        #expect(responder.lastValidCheck == nil)
    }

    @Test func fingerprintIsRequiredAndChecked() {
        var responder = responder()
        let noFingerprint = makeCheck(username: "SFUu:brws", password: Self.local.password, fingerprint: false)
        #expect(responder.handle(datagram: noFingerprint, from: Self.browserA, now: 1) == .drop(.missingFingerprint))
        var badFingerprint = check()
        badFingerprint[badFingerprint.count - 1] ^= 0x80
        #expect(responder.handle(datagram: badFingerprint, from: Self.browserA, now: 1) == .drop(.badFingerprint))
    }

    @Test func tamperedCheckFailsIntegrity() {
        var responder = responder()
        var bytes = check()
        bytes[bytes.count - 8 - 24 - 1] ^= 0x01  // last byte before MESSAGE-INTEGRITY
        // Recompute FINGERPRINT so the HMAC is what must catch the change.
        var builder = STUNMessageBuilder(messageClass: .request, transactionID: .init(high: 1, middle: 2, low: 3))
        guard case .success(let tampered) = parse(bytes) else {
            Issue.record("tampered check should still parse")
            return
        }
        for attribute in tampered.attributes where attribute.type != .fingerprint {
            builder.append(attribute)
        }
        builder.appendFingerprint()
        #expect(responder.handle(datagram: builder.bytes, from: Self.browserA, now: 1) == .drop(.badMessageIntegrity))
    }

    @Test func useCandidateOutsideIntegrityDoesNotNominate() {
        var responder = responder()
        var builder = STUNMessageBuilder(messageClass: .request, transactionID: .init(high: 7, middle: 7, low: 7))
        builder.append(.username(Array("SFUu:brws".utf8)))
        builder.appendMessageIntegrity(password: Self.local.password)
        builder.append(.useCandidate)  // injected by an on-path attacker after the MAC
        builder.appendFingerprint()
        #expect(responder.handle(datagram: builder.bytes, from: Self.browserB, now: 1).isRespond(nominated: false))
        #expect(responder.selectedAddress == nil)
    }

    @Test func nonRequestsAndJunkAreDropped() {
        var responder = responder()
        var indication = STUNMessageBuilder(messageClass: .indication, transactionID: .init(high: 1, middle: 1, low: 1))
        indication.appendFingerprint()
        #expect(responder.handle(datagram: indication.bytes, from: Self.browserA, now: 1) == .drop(.notBindingRequest))
        #expect(responder.handle(datagram: RFC5769.ipv4Response, from: Self.browserA, now: 1) == .drop(.notBindingRequest))
        #expect(responder.handle(datagram: [0x80, 0x60, 0, 1], from: Self.browserA, now: 1) == .drop(.malformed(.truncated)))
        #expect(responder.handle(datagram: [UInt8](repeating: 0x16, count: 40), from: Self.browserA, now: 1) == .drop(.malformed(.badMagicCookie)))
        let noUsername = STUNMessageBuilder(messageClass: .request, transactionID: .init(high: 1, middle: 1, low: 1))
        var withFingerprint = noUsername
        withFingerprint.appendFingerprint()
        #expect(responder.handle(datagram: withFingerprint.bytes, from: Self.browserA, now: 1) == .drop(.missingUsername))
    }

    @Test func unknownComprehensionRequiredAttributeIsDropped() {
        var responder = responder()
        let bytes = makeCheck(
            username: "SFUu:brws", password: Self.local.password,
            extra: [.unknown(type: STUNAttributeType(rawValue: 0x0042), value: [1])])
        #expect(responder.handle(datagram: bytes, from: Self.browserA, now: 1) == .drop(.unknownComprehensionRequiredAttribute(STUNAttributeType(rawValue: 0x0042))))
        let optional = makeCheck(
            username: "SFUu:brws", password: Self.local.password,
            extra: [.unknown(type: STUNAttributeType(rawValue: 0xC057), value: [0, 1, 0, 10])])
        #expect(responder.handle(datagram: optional, from: Self.browserA, now: 1).isRespond(nominated: false))
    }

    @Test func restartKeepsOldCredentialsUntilNewOnesAreUsed() {
        var responder = responder()
        #expect(responder.handle(datagram: check(useCandidate: true), from: Self.browserA, now: 1).isRespond(nominated: true))

        let fresh = ICECredentials(ufrag: "NEWu", password: "new-password-abcdefghijkl")
        responder.restart(newUfrag: fresh.ufrag, newPassword: fresh.password)
        #expect(responder.isRestartPending)
        #expect(responder.localCredentials == fresh)
        #expect(responder.selectedAddress == Self.browserA)

        // Old credentials (and the old remote ufrag) still work during the restart.
        #expect(responder.handle(datagram: check(), from: Self.browserA, now: 2).isRespond(nominated: false))
        // First check with the new credentials, from a new remote ufrag and address.
        let newCheck = check(remoteUfrag: "brw2", local: fresh, useCandidate: true)
        guard case .respond(let bytes, true) = responder.handle(datagram: newCheck, from: Self.browserB, now: 3) else {
            Issue.record("new credentials should be accepted")
            return
        }
        let response = try? STUNMessage(parsing: bytes)
        #expect(response?.verifyMessageIntegrity(password: fresh.password) == true)
        #expect(response?.verifyMessageIntegrity(password: Self.local.password) == false)
        #expect(!responder.isRestartPending)
        #expect(responder.selectedAddress == Self.browserB)
        #expect(responder.remoteUfrag == "brw2")
        // From now on the old credentials are dead.
        #expect(responder.handle(datagram: check(), from: Self.browserA, now: 4) == .drop(.unknownUsername))
    }

    @Test func oldCredentialsResponseUsesOldPassword() throws {
        var responder = responder()
        responder.restart(newUfrag: "NEWu", newPassword: "new-password-abcdefghijkl")
        guard case .respond(let bytes, _) = responder.handle(datagram: check(), from: Self.browserA, now: 1) else {
            Issue.record("old credentials should still be accepted")
            return
        }
        #expect(try STUNMessage(parsing: bytes).verifyMessageIntegrity(password: Self.local.password))
        #expect(responder.isRestartPending)
    }

    @Test func secondRestartReplacesUnusedCredentialsButKeepsWorkingOnes() {
        var responder = responder()
        responder.restart(newUfrag: "gen2", newPassword: "generation-two-password!")
        responder.restart(newUfrag: "gen3", newPassword: "generation-three-passwd!")
        let gen2 = ICECredentials(ufrag: "gen2", password: "generation-two-password!")
        let gen3 = ICECredentials(ufrag: "gen3", password: "generation-three-passwd!")
        #expect(responder.handle(datagram: check(local: gen2), from: Self.browserA, now: 1) == .drop(.unknownUsername))
        #expect(responder.handle(datagram: check(), from: Self.browserA, now: 2).isRespond(nominated: false))
        #expect(responder.handle(datagram: check(local: gen3), from: Self.browserA, now: 3).isRespond(nominated: false))
        #expect(!responder.isRestartPending)
    }

    @Test func consentFollowsValidChecks() {
        var responder = responder()
        #expect(responder.consent(now: 0) == .expired)
        _ = responder.handle(datagram: check(), from: Self.browserA, now: 10 * Self.second)
        #expect(responder.consent(now: 39 * Self.second) == .alive)
        #expect(responder.consent(now: 40 * Self.second) == .expired)
        // Invalid checks do not refresh consent.
        _ = responder.handle(datagram: check(local: ICECredentials(ufrag: "SFUu", password: "wrong")), from: Self.browserA, now: 35 * Self.second)
        #expect(responder.lastValidCheck == 10 * Self.second)
        _ = responder.handle(datagram: check(), from: Self.browserA, now: 35 * Self.second)
        #expect(responder.consent(now: 60 * Self.second) == .alive)
    }
}

extension ICEAction {
    func isRespond(nominated expected: Bool) -> Bool {
        if case .respond(_, let nominated) = self { return nominated == expected }
        return false
    }
}
