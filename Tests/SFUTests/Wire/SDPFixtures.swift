// Real offers captured from browsers and aiortc (also in corpus/sdp/). Do not edit by hand.

enum SDPFixtures {
    /// Chromium recvonly offer (video, audio, second video) as sent to a WHEP endpoint; millicast/flutter-sdk test/mocks/sdp_mock.dart.
    static let chromeWHEP = """
        v=0
        o=- 8302999682125171423 3 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1 2
        a=extmap-allow-mixed
        a=msid-semantic: WMS
        m=video 52200 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 122 127 121 125 107 108 109 124 120 123 119 35 36 37 38 39 40 41 42 114 115 116 43
        c=IN IP4 186.50.9.10
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:1560499547 1 udp 2113937151 2cf0b2c0-0842-4fe3-aaa0-4556a2dfbadc.local 33192 typ host generation 0 network-cost 999
        a=candidate:842163049 1 udp 1677729535 186.50.9.10 52200 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999
        a=candidate:842163049 1 udp 1677729535 186.50.9.10 62793 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999
        a=ice-ufrag:gydc
        a=ice-pwd:qEA+KCGezaoGknNYbpAADXBK
        a=ice-options:trickle
        a=fingerprint:sha-256 03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:02:1F:26:6A
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 urn:3gpp:video-orientation
        a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
        a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
        a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
        a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=recvonly
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:98 VP9/90000
        a=rtcp-fb:98 goog-remb
        a=rtcp-fb:98 transport-cc
        a=rtcp-fb:98 ccm fir
        a=rtcp-fb:98 nack
        a=rtcp-fb:98 nack pli
        a=fmtp:98 profile-id=0
        a=rtpmap:99 rtx/90000
        a=fmtp:99 apt=98
        a=rtpmap:100 VP9/90000
        a=rtcp-fb:100 goog-remb
        a=rtcp-fb:100 transport-cc
        a=rtcp-fb:100 ccm fir
        a=rtcp-fb:100 nack
        a=rtcp-fb:100 nack pli
        a=fmtp:100 profile-id=2
        a=rtpmap:101 rtx/90000
        a=fmtp:101 apt=100
        a=rtpmap:102 VP9/90000
        a=rtcp-fb:102 goog-remb
        a=rtcp-fb:102 transport-cc
        a=rtcp-fb:102 ccm fir
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 profile-id=1
        a=rtpmap:122 rtx/90000
        a=fmtp:122 apt=102
        a=rtpmap:127 H264/90000
        a=rtcp-fb:127 goog-remb
        a=rtcp-fb:127 transport-cc
        a=rtcp-fb:127 ccm fir
        a=rtcp-fb:127 nack
        a=rtcp-fb:127 nack pli
        a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:121 rtx/90000
        a=fmtp:121 apt=127
        a=rtpmap:125 H264/90000
        a=rtcp-fb:125 goog-remb
        a=rtcp-fb:125 transport-cc
        a=rtcp-fb:125 ccm fir
        a=rtcp-fb:125 nack
        a=rtcp-fb:125 nack pli
        a=fmtp:125 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
        a=rtpmap:107 rtx/90000
        a=fmtp:107 apt=125
        a=rtpmap:108 H264/90000
        a=rtcp-fb:108 goog-remb
        a=rtcp-fb:108 transport-cc
        a=rtcp-fb:108 ccm fir
        a=rtcp-fb:108 nack
        a=rtcp-fb:108 nack pli
        a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:109 rtx/90000
        a=fmtp:109 apt=108
        a=rtpmap:124 H264/90000
        a=rtcp-fb:124 goog-remb
        a=rtcp-fb:124 transport-cc
        a=rtcp-fb:124 ccm fir
        a=rtcp-fb:124 nack
        a=rtcp-fb:124 nack pli
        a=fmtp:124 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
        a=rtpmap:120 rtx/90000
        a=fmtp:120 apt=124
        a=rtpmap:123 H264/90000
        a=rtcp-fb:123 goog-remb
        a=rtcp-fb:123 transport-cc
        a=rtcp-fb:123 ccm fir
        a=rtcp-fb:123 nack
        a=rtcp-fb:123 nack pli
        a=fmtp:123 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
        a=rtpmap:119 rtx/90000
        a=fmtp:119 apt=123
        a=rtpmap:35 H264/90000
        a=rtcp-fb:35 goog-remb
        a=rtcp-fb:35 transport-cc
        a=rtcp-fb:35 ccm fir
        a=rtcp-fb:35 nack
        a=rtcp-fb:35 nack pli
        a=fmtp:35 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
        a=rtpmap:36 rtx/90000
        a=fmtp:36 apt=35
        a=rtpmap:37 H264/90000
        a=rtcp-fb:37 goog-remb
        a=rtcp-fb:37 transport-cc
        a=rtcp-fb:37 ccm fir
        a=rtcp-fb:37 nack
        a=rtcp-fb:37 nack pli
        a=fmtp:37 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=f4001f
        a=rtpmap:38 rtx/90000
        a=fmtp:38 apt=37
        a=rtpmap:39 H264/90000
        a=rtcp-fb:39 goog-remb
        a=rtcp-fb:39 transport-cc
        a=rtcp-fb:39 ccm fir
        a=rtcp-fb:39 nack
        a=rtcp-fb:39 nack pli
        a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=f4001f
        a=rtpmap:40 rtx/90000
        a=fmtp:40 apt=39
        a=rtpmap:41 AV1/90000
        a=rtcp-fb:41 goog-remb
        a=rtcp-fb:41 transport-cc
        a=rtcp-fb:41 ccm fir
        a=rtcp-fb:41 nack
        a=rtcp-fb:41 nack pli
        a=rtpmap:42 rtx/90000
        a=fmtp:42 apt=41
        a=rtpmap:114 red/90000
        a=rtpmap:115 rtx/90000
        a=fmtp:115 apt=114
        a=rtpmap:116 ulpfec/90000
        a=rtpmap:43 flexfec-03/90000
        a=rtcp-fb:43 goog-remb
        a=rtcp-fb:43 transport-cc
        a=fmtp:43 repair-window=10000000
        m=audio 57217 UDP/TLS/RTP/SAVPF 111 63 103 104 9 0 8 106 105 13 110 112 113 126 117
        c=IN IP4 186.50.9.10
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:1560499547 1 udp 2113937151 2cf0b2c0-0842-4fe3-aaa0-4556a2dfbadc.local 54264 typ host generation 0 network-cost 999
        a=candidate:842163049 1 udp 1677729535 186.50.9.10 57217 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999
        a=candidate:842163049 1 udp 1677729535 186.50.9.10 41993 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999
        a=ice-ufrag:gydc
        a=ice-pwd:qEA+KCGezaoGknNYbpAADXBK
        a=ice-options:trickle
        a=fingerprint:sha-256 03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:02:1F:26:6A
        a=setup:actpass
        a=mid:1
        a=extmap:14 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid
        a=recvonly
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;stereo=1;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:103 ISAC/16000
        a=rtpmap:104 ISAC/32000
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:106 CN/32000
        a=rtpmap:105 CN/16000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:112 telephone-event/32000
        a=rtpmap:113 telephone-event/16000
        a=rtpmap:126 telephone-event/8000
        a=rtpmap:117 multiopus/48000/6
        a=fmtp:117 channel_mapping=0,4,1,2,3,5;coupled_streams=2;minptime=10;num_streams=4;useinbandfec=1
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 122 127 121 125 107 108 109 124 120 123 119 35 36 37 38 39 40 41 42 114 115 116 43
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:gydc
        a=ice-pwd:qEA+KCGezaoGknNYbpAADXBK
        a=ice-options:trickle
        a=fingerprint:sha-256 03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:02:1F:26:6A
        a=setup:actpass
        a=mid:2
        a=extmap:1 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 urn:3gpp:video-orientation
        a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
        a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
        a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
        a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=recvonly
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:98 VP9/90000
        a=rtcp-fb:98 goog-remb
        a=rtcp-fb:98 transport-cc
        a=rtcp-fb:98 ccm fir
        a=rtcp-fb:98 nack
        a=rtcp-fb:98 nack pli
        a=fmtp:98 profile-id=0
        a=rtpmap:99 rtx/90000
        a=fmtp:99 apt=98
        a=rtpmap:100 VP9/90000
        a=rtcp-fb:100 goog-remb
        a=rtcp-fb:100 transport-cc
        a=rtcp-fb:100 ccm fir
        a=rtcp-fb:100 nack
        a=rtcp-fb:100 nack pli
        a=fmtp:100 profile-id=2
        a=rtpmap:101 rtx/90000
        a=fmtp:101 apt=100
        a=rtpmap:102 VP9/90000
        a=rtcp-fb:102 goog-remb
        a=rtcp-fb:102 transport-cc
        a=rtcp-fb:102 ccm fir
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 profile-id=1
        a=rtpmap:122 rtx/90000
        a=fmtp:122 apt=102
        a=rtpmap:127 H264/90000
        a=rtcp-fb:127 goog-remb
        a=rtcp-fb:127 transport-cc
        a=rtcp-fb:127 ccm fir
        a=rtcp-fb:127 nack
        a=rtcp-fb:127 nack pli
        a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:121 rtx/90000
        a=fmtp:121 apt=127
        a=rtpmap:125 H264/90000
        a=rtcp-fb:125 goog-remb
        a=rtcp-fb:125 transport-cc
        a=rtcp-fb:125 ccm fir
        a=rtcp-fb:125 nack
        a=rtcp-fb:125 nack pli
        a=fmtp:125 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
        a=rtpmap:107 rtx/90000
        a=fmtp:107 apt=125
        a=rtpmap:108 H264/90000
        a=rtcp-fb:108 goog-remb
        a=rtcp-fb:108 transport-cc
        a=rtcp-fb:108 ccm fir
        a=rtcp-fb:108 nack
        a=rtcp-fb:108 nack pli
        a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:109 rtx/90000
        a=fmtp:109 apt=108
        a=rtpmap:124 H264/90000
        a=rtcp-fb:124 goog-remb
        a=rtcp-fb:124 transport-cc
        a=rtcp-fb:124 ccm fir
        a=rtcp-fb:124 nack
        a=rtcp-fb:124 nack pli
        a=fmtp:124 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
        a=rtpmap:120 rtx/90000
        a=fmtp:120 apt=124
        a=rtpmap:123 H264/90000
        a=rtcp-fb:123 goog-remb
        a=rtcp-fb:123 transport-cc
        a=rtcp-fb:123 ccm fir
        a=rtcp-fb:123 nack
        a=rtcp-fb:123 nack pli
        a=fmtp:123 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
        a=rtpmap:119 rtx/90000
        a=fmtp:119 apt=123
        a=rtpmap:35 H264/90000
        a=rtcp-fb:35 goog-remb
        a=rtcp-fb:35 transport-cc
        a=rtcp-fb:35 ccm fir
        a=rtcp-fb:35 nack
        a=rtcp-fb:35 nack pli
        a=fmtp:35 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
        a=rtpmap:36 rtx/90000
        a=fmtp:36 apt=35
        a=rtpmap:37 H264/90000
        a=rtcp-fb:37 goog-remb
        a=rtcp-fb:37 transport-cc
        a=rtcp-fb:37 ccm fir
        a=rtcp-fb:37 nack
        a=rtcp-fb:37 nack pli
        a=fmtp:37 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=f4001f
        a=rtpmap:38 rtx/90000
        a=fmtp:38 apt=37
        a=rtpmap:39 H264/90000
        a=rtcp-fb:39 goog-remb
        a=rtcp-fb:39 transport-cc
        a=rtcp-fb:39 ccm fir
        a=rtcp-fb:39 nack
        a=rtcp-fb:39 nack pli
        a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=f4001f
        a=rtpmap:40 rtx/90000
        a=fmtp:40 apt=39
        a=rtpmap:41 AV1/90000
        a=rtcp-fb:41 goog-remb
        a=rtcp-fb:41 transport-cc
        a=rtcp-fb:41 ccm fir
        a=rtcp-fb:41 nack
        a=rtcp-fb:41 nack pli
        a=rtpmap:42 rtx/90000
        a=fmtp:42 apt=41
        a=rtpmap:114 red/90000
        a=rtpmap:115 rtx/90000
        a=fmtp:115 apt=114
        a=rtpmap:116 ulpfec/90000
        a=rtpmap:43 flexfec-03/90000
        a=rtcp-fb:43 goog-remb
        a=rtcp-fb:43 transport-cc
        a=fmtp:43 repair-window=10000000
        """

    /// Chromium sendonly offer (audio + camera video with RTX FID group); guoweikai/test--demo signal/offerSDP.js.
    static let chromeWHIP = """
        v=0
        o=- 1352811450800051779 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=msid-semantic: WMS 7e6a14ae-056f-4694-9f91-ad56b2be20b8
        m=audio 9 UDP/TLS/RTP/SAVPF 111 103 104 9 0 8 106 105 13 110 112 113 126
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:3SFa
        a=ice-pwd:vCsxxLy8DndCZ+mBMGBwR6Zn
        a=ice-options:trickle
        a=fingerprint:sha-256 E5:55:1C:91:64:1B:F8:FB:C8:D0:7C:AC:4E:1C:84:5A:30:76:50:22:EA:60:11:3F:C7:37:41:15:65:91:9F:04
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:6 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=sendonly
        a=msid:7e6a14ae-056f-4694-9f91-ad56b2be20b8 ecd228fc-9d6d-4bc0-88ed-1339f9583c48
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:103 ISAC/16000
        a=rtpmap:104 ISAC/32000
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:106 CN/32000
        a=rtpmap:105 CN/16000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:112 telephone-event/32000
        a=rtpmap:113 telephone-event/16000
        a=rtpmap:126 telephone-event/8000
        a=ssrc:2550536406 cname:sb2Xbn/m5TK7ihOZ
        a=ssrc:2550536406 msid:7e6a14ae-056f-4694-9f91-ad56b2be20b8 ecd228fc-9d6d-4bc0-88ed-1339f9583c48
        a=ssrc:2550536406 mslabel:7e6a14ae-056f-4694-9f91-ad56b2be20b8
        a=ssrc:2550536406 label:ecd228fc-9d6d-4bc0-88ed-1339f9583c48
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 122 127 121 125 107 108 109 124 120 123 119 114 115 116
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:3SFa
        a=ice-pwd:vCsxxLy8DndCZ+mBMGBwR6Zn
        a=ice-options:trickle
        a=fingerprint:sha-256 E5:55:1C:91:64:1B:F8:FB:C8:D0:7C:AC:4E:1C:84:5A:30:76:50:22:EA:60:11:3F:C7:37:41:15:65:91:9F:04
        a=setup:actpass
        a=mid:1
        a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:13 urn:3gpp:video-orientation
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:12 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:11 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
        a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
        a=extmap:8 http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07
        a=extmap:9 http://www.webrtc.org/experiments/rtp-hdrext/color-space
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:6 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=sendonly
        a=msid:7e6a14ae-056f-4694-9f91-ad56b2be20b8 a3eaa861-d14e-40be-990c-b937e72ac148
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:98 VP9/90000
        a=rtcp-fb:98 goog-remb
        a=rtcp-fb:98 transport-cc
        a=rtcp-fb:98 ccm fir
        a=rtcp-fb:98 nack
        a=rtcp-fb:98 nack pli
        a=fmtp:98 profile-id=0
        a=rtpmap:99 rtx/90000
        a=fmtp:99 apt=98
        a=rtpmap:100 VP9/90000
        a=rtcp-fb:100 goog-remb
        a=rtcp-fb:100 transport-cc
        a=rtcp-fb:100 ccm fir
        a=rtcp-fb:100 nack
        a=rtcp-fb:100 nack pli
        a=fmtp:100 profile-id=2
        a=rtpmap:101 rtx/90000
        a=fmtp:101 apt=100
        a=rtpmap:102 H264/90000
        a=rtcp-fb:102 goog-remb
        a=rtcp-fb:102 transport-cc
        a=rtcp-fb:102 ccm fir
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:122 rtx/90000
        a=fmtp:122 apt=102
        a=rtpmap:127 H264/90000
        a=rtcp-fb:127 goog-remb
        a=rtcp-fb:127 transport-cc
        a=rtcp-fb:127 ccm fir
        a=rtcp-fb:127 nack
        a=rtcp-fb:127 nack pli
        a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
        a=rtpmap:121 rtx/90000
        a=fmtp:121 apt=127
        a=rtpmap:125 H264/90000
        a=rtcp-fb:125 goog-remb
        a=rtcp-fb:125 transport-cc
        a=rtcp-fb:125 ccm fir
        a=rtcp-fb:125 nack
        a=rtcp-fb:125 nack pli
        a=fmtp:125 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:107 rtx/90000
        a=fmtp:107 apt=125
        a=rtpmap:108 H264/90000
        a=rtcp-fb:108 goog-remb
        a=rtcp-fb:108 transport-cc
        a=rtcp-fb:108 ccm fir
        a=rtcp-fb:108 nack
        a=rtcp-fb:108 nack pli
        a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
        a=rtpmap:109 rtx/90000
        a=fmtp:109 apt=108
        a=rtpmap:124 H264/90000
        a=rtcp-fb:124 goog-remb
        a=rtcp-fb:124 transport-cc
        a=rtcp-fb:124 ccm fir
        a=rtcp-fb:124 nack
        a=rtcp-fb:124 nack pli
        a=fmtp:124 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d0032
        a=rtpmap:120 rtx/90000
        a=fmtp:120 apt=124
        a=rtpmap:123 H264/90000
        a=rtcp-fb:123 goog-remb
        a=rtcp-fb:123 transport-cc
        a=rtcp-fb:123 ccm fir
        a=rtcp-fb:123 nack
        a=rtcp-fb:123 nack pli
        a=fmtp:123 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640032
        a=rtpmap:119 rtx/90000
        a=fmtp:119 apt=123
        a=rtpmap:114 red/90000
        a=rtpmap:115 rtx/90000
        a=fmtp:115 apt=114
        a=rtpmap:116 ulpfec/90000
        a=ssrc-group:FID 2136671120 4095618910
        a=ssrc:2136671120 cname:sb2Xbn/m5TK7ihOZ
        a=ssrc:2136671120 msid:7e6a14ae-056f-4694-9f91-ad56b2be20b8 a3eaa861-d14e-40be-990c-b937e72ac148
        a=ssrc:2136671120 mslabel:7e6a14ae-056f-4694-9f91-ad56b2be20b8
        a=ssrc:2136671120 label:a3eaa861-d14e-40be-990c-b937e72ac148
        a=ssrc:4095618910 cname:sb2Xbn/m5TK7ihOZ
        a=ssrc:4095618910 msid:7e6a14ae-056f-4694-9f91-ad56b2be20b8 a3eaa861-d14e-40be-990c-b937e72ac148
        a=ssrc:4095618910 mslabel:7e6a14ae-056f-4694-9f91-ad56b2be20b8
        a=ssrc:4095618910 label:a3eaa861-d14e-40be-990c-b937e72ac148
        """

    /// Chromium sendonly offer with simulcast rids and two cameras; GetStream/stream-video-js hq-audio-sdp.ts.
    static let chromeWHIPSimulcast = """
        v=0
        o=- 898697271686242868 5 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1 2 3
        a=extmap-allow-mixed
        a=msid-semantic: WMS e893e3ad-d9e8-4b56-998f-0d89213dd857
        m=video 60017 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 116 117 118
        c=IN IP4 79.125.240.146
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:2824354870 1 udp 2122260223 192.168.1.102 60017 typ host generation 0 network-id 2
        a=candidate:427386432 1 udp 2122194687 192.168.1.244 63221 typ host generation 0 network-id 1 network-cost 10
        a=candidate:2841136656 1 udp 1686052607 79.125.240.146 60017 typ srflx raddr 192.168.1.102 rport 60017 generation 0 network-id 2
        a=candidate:410588262 1 udp 1685987071 79.125.240.146 63221 typ srflx raddr 192.168.1.244 rport 63221 generation 0 network-id 1 network-cost 10
        a=candidate:3600277166 1 tcp 1518280447 192.168.1.102 9 typ host tcptype active generation 0 network-id 2
        a=candidate:1740014808 1 tcp 1518214911 192.168.1.244 9 typ host tcptype active generation 0 network-id 1 network-cost 10
        a=ice-ufrag:GM64
        a=ice-pwd:ANZFilRRlZJ3bg9AD40eRu7n
        a=ice-options:trickle
        a=fingerprint:sha-256 38:1F:02:E5:2A:49:9A:2A:D9:8E:B9:9B:4C:40:21:B7:F1:C4:27:8E:B5:68:D6:E0:91:08:D9:CB:2B:AC:B3:87
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 urn:3gpp:video-orientation
        a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
        a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
        a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
        a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=sendonly
        a=msid:e893e3ad-d9e8-4b56-998f-0d89213dd857 44e5d53f-ce6a-4bf4-824a-335113d86e6e
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:102 H264/90000
        a=rtcp-fb:102 goog-remb
        a=rtcp-fb:102 transport-cc
        a=rtcp-fb:102 ccm fir
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:103 rtx/90000
        a=fmtp:103 apt=102
        a=rtpmap:104 H264/90000
        a=rtcp-fb:104 goog-remb
        a=rtcp-fb:104 transport-cc
        a=rtcp-fb:104 ccm fir
        a=rtcp-fb:104 nack
        a=rtcp-fb:104 nack pli
        a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
        a=rtpmap:105 rtx/90000
        a=fmtp:105 apt=104
        a=rtpmap:106 H264/90000
        a=rtcp-fb:106 goog-remb
        a=rtcp-fb:106 transport-cc
        a=rtcp-fb:106 ccm fir
        a=rtcp-fb:106 nack
        a=rtcp-fb:106 nack pli
        a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:107 rtx/90000
        a=fmtp:107 apt=106
        a=rtpmap:108 H264/90000
        a=rtcp-fb:108 goog-remb
        a=rtcp-fb:108 transport-cc
        a=rtcp-fb:108 ccm fir
        a=rtcp-fb:108 nack
        a=rtcp-fb:108 nack pli
        a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
        a=rtpmap:109 rtx/90000
        a=fmtp:109 apt=108
        a=rtpmap:127 H264/90000
        a=rtcp-fb:127 goog-remb
        a=rtcp-fb:127 transport-cc
        a=rtcp-fb:127 ccm fir
        a=rtcp-fb:127 nack
        a=rtcp-fb:127 nack pli
        a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
        a=rtpmap:125 rtx/90000
        a=fmtp:125 apt=127
        a=rtpmap:39 H264/90000
        a=rtcp-fb:39 goog-remb
        a=rtcp-fb:39 transport-cc
        a=rtcp-fb:39 ccm fir
        a=rtcp-fb:39 nack
        a=rtcp-fb:39 nack pli
        a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
        a=rtpmap:40 rtx/90000
        a=fmtp:40 apt=39
        a=rtpmap:45 AV1/90000
        a=rtcp-fb:45 goog-remb
        a=rtcp-fb:45 transport-cc
        a=rtcp-fb:45 ccm fir
        a=rtcp-fb:45 nack
        a=rtcp-fb:45 nack pli
        a=rtpmap:46 rtx/90000
        a=fmtp:46 apt=45
        a=rtpmap:98 VP9/90000
        a=rtcp-fb:98 goog-remb
        a=rtcp-fb:98 transport-cc
        a=rtcp-fb:98 ccm fir
        a=rtcp-fb:98 nack
        a=rtcp-fb:98 nack pli
        a=fmtp:98 profile-id=0
        a=rtpmap:99 rtx/90000
        a=fmtp:99 apt=98
        a=rtpmap:100 VP9/90000
        a=rtcp-fb:100 goog-remb
        a=rtcp-fb:100 transport-cc
        a=rtcp-fb:100 ccm fir
        a=rtcp-fb:100 nack
        a=rtcp-fb:100 nack pli
        a=fmtp:100 profile-id=2
        a=rtpmap:101 rtx/90000
        a=fmtp:101 apt=100
        a=rtpmap:112 H264/90000
        a=rtcp-fb:112 goog-remb
        a=rtcp-fb:112 transport-cc
        a=rtcp-fb:112 ccm fir
        a=rtcp-fb:112 nack
        a=rtcp-fb:112 nack pli
        a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f
        a=rtpmap:113 rtx/90000
        a=fmtp:113 apt=112
        a=rtpmap:116 red/90000
        a=rtpmap:117 rtx/90000
        a=fmtp:117 apt=116
        a=rtpmap:118 ulpfec/90000
        a=rid:q send
        a=rid:h send
        a=rid:f send
        a=simulcast:send q;h;f
        m=audio 9 UDP/TLS/RTP/SAVPF 63 111 9 0 8 13 110 126
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:GM64
        a=ice-pwd:ANZFilRRlZJ3bg9AD40eRu7n
        a=ice-options:trickle
        a=fingerprint:sha-256 38:1F:02:E5:2A:49:9A:2A:D9:8E:B9:9B:4C:40:21:B7:F1:C4:27:8E:B5:68:D6:E0:91:08:D9:CB:2B:AC:B3:87
        a=setup:actpass
        a=mid:1
        a=extmap:14 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid
        a=sendonly
        a=msid:- cb02416c-8035-4e80-8b7e-becd6b7f600f
        a=rtcp-mux
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;usedtx=1;useinbandfec=1
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        a=ssrc:743121750 cname:mbGW+aeWMLFhPbBC
        a=ssrc:743121750 msid:- cb02416c-8035-4e80-8b7e-becd6b7f600f
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 116 117 118
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:GM64
        a=ice-pwd:ANZFilRRlZJ3bg9AD40eRu7n
        a=ice-options:trickle
        a=fingerprint:sha-256 38:1F:02:E5:2A:49:9A:2A:D9:8E:B9:9B:4C:40:21:B7:F1:C4:27:8E:B5:68:D6:E0:91:08:D9:CB:2B:AC:B3:87
        a=setup:actpass
        a=mid:2
        a=extmap:1 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 urn:3gpp:video-orientation
        a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
        a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
        a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
        a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=sendonly
        a=msid:04f96a2a-d107-4a12-b545-cfe1dc2c4d37 4a1ae8a7-6c89-44d3-a9a1-02abce0012c7
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:102 H264/90000
        a=rtcp-fb:102 goog-remb
        a=rtcp-fb:102 transport-cc
        a=rtcp-fb:102 ccm fir
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:103 rtx/90000
        a=fmtp:103 apt=102
        a=rtpmap:104 H264/90000
        a=rtcp-fb:104 goog-remb
        a=rtcp-fb:104 transport-cc
        a=rtcp-fb:104 ccm fir
        a=rtcp-fb:104 nack
        a=rtcp-fb:104 nack pli
        a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
        a=rtpmap:105 rtx/90000
        a=fmtp:105 apt=104
        a=rtpmap:106 H264/90000
        a=rtcp-fb:106 goog-remb
        a=rtcp-fb:106 transport-cc
        a=rtcp-fb:106 ccm fir
        a=rtcp-fb:106 nack
        a=rtcp-fb:106 nack pli
        a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:107 rtx/90000
        a=fmtp:107 apt=106
        a=rtpmap:108 H264/90000
        a=rtcp-fb:108 goog-remb
        a=rtcp-fb:108 transport-cc
        a=rtcp-fb:108 ccm fir
        a=rtcp-fb:108 nack
        a=rtcp-fb:108 nack pli
        a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
        a=rtpmap:109 rtx/90000
        a=fmtp:109 apt=108
        a=rtpmap:127 H264/90000
        a=rtcp-fb:127 goog-remb
        a=rtcp-fb:127 transport-cc
        a=rtcp-fb:127 ccm fir
        a=rtcp-fb:127 nack
        a=rtcp-fb:127 nack pli
        a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
        a=rtpmap:125 rtx/90000
        a=fmtp:125 apt=127
        a=rtpmap:39 H264/90000
        a=rtcp-fb:39 goog-remb
        a=rtcp-fb:39 transport-cc
        a=rtcp-fb:39 ccm fir
        a=rtcp-fb:39 nack
        a=rtcp-fb:39 nack pli
        a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
        a=rtpmap:40 rtx/90000
        a=fmtp:40 apt=39
        a=rtpmap:45 AV1/90000
        a=rtcp-fb:45 goog-remb
        a=rtcp-fb:45 transport-cc
        a=rtcp-fb:45 ccm fir
        a=rtcp-fb:45 nack
        a=rtcp-fb:45 nack pli
        a=rtpmap:46 rtx/90000
        a=fmtp:46 apt=45
        a=rtpmap:98 VP9/90000
        a=rtcp-fb:98 goog-remb
        a=rtcp-fb:98 transport-cc
        a=rtcp-fb:98 ccm fir
        a=rtcp-fb:98 nack
        a=rtcp-fb:98 nack pli
        a=fmtp:98 profile-id=0
        a=rtpmap:99 rtx/90000
        a=fmtp:99 apt=98
        a=rtpmap:100 VP9/90000
        a=rtcp-fb:100 goog-remb
        a=rtcp-fb:100 transport-cc
        a=rtcp-fb:100 ccm fir
        a=rtcp-fb:100 nack
        a=rtcp-fb:100 nack pli
        a=fmtp:100 profile-id=2
        a=rtpmap:101 rtx/90000
        a=fmtp:101 apt=100
        a=rtpmap:112 H264/90000
        a=rtcp-fb:112 goog-remb
        a=rtcp-fb:112 transport-cc
        a=rtcp-fb:112 ccm fir
        a=rtcp-fb:112 nack
        a=rtcp-fb:112 nack pli
        a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f
        a=rtpmap:113 rtx/90000
        a=fmtp:113 apt=112
        a=rtpmap:116 red/90000
        a=rtpmap:117 rtx/90000
        a=fmtp:117 apt=116
        a=rtpmap:118 ulpfec/90000
        a=ssrc-group:FID 4072017687 3466187747
        a=ssrc:4072017687 cname:mbGW+aeWMLFhPbBC
        a=ssrc:4072017687 msid:04f96a2a-d107-4a12-b545-cfe1dc2c4d37 4a1ae8a7-6c89-44d3-a9a1-02abce0012c7
        a=ssrc:3466187747 cname:mbGW+aeWMLFhPbBC
        a=ssrc:3466187747 msid:04f96a2a-d107-4a12-b545-cfe1dc2c4d37 4a1ae8a7-6c89-44d3-a9a1-02abce0012c7
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:GM64
        a=ice-pwd:ANZFilRRlZJ3bg9AD40eRu7n
        a=ice-options:trickle
        a=fingerprint:sha-256 38:1F:02:E5:2A:49:9A:2A:D9:8E:B9:9B:4C:40:21:B7:F1:C4:27:8E:B5:68:D6:E0:91:08:D9:CB:2B:AC:B3:87
        a=setup:actpass
        a=mid:3
        a=extmap:14 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid
        a=sendonly
        a=msid:- 75b8c290-1f46-464c-8dc5-a4a3bced313a
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;usedtx=1;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        a=ssrc:1281279951 cname:mbGW+aeWMLFhPbBC
        a=ssrc:1281279951 msid:- 75b8c290-1f46-464c-8dc5-a4a3bced313a
        """

    /// Firefox 61 video offer, fingerprint at session level; aiortc tests/test_sdp.py.
    static let firefoxVideo = """
        v=0
        o=mozilla...THIS_IS_SDPARTA-61.0 8964514366714082732 0 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=sendrecv
        a=fingerprint:sha-256 AF:9E:29:99:AC:F6:F6:A2:86:A7:2E:A5:83:94:21:7F:F1:39:C5:E3:8F:E4:08:04:D9:D8:70:6D:6C:A2:A1:D5
        a=group:BUNDLE sdparta_0
        a=ice-options:trickle
        a=msid-semantic:WMS *
        m=video 42738 UDP/TLS/RTP/SAVPF 120 121
        c=IN IP4 192.168.99.7
        a=candidate:0 1 UDP 2122252543 192.168.99.7 42738 typ host
        a=candidate:1 1 TCP 2105524479 192.168.99.7 9 typ host tcptype active
        a=candidate:0 2 UDP 2122252542 192.168.99.7 52914 typ host
        a=candidate:1 2 TCP 2105524478 192.168.99.7 9 typ host tcptype active
        a=sendrecv
        a=end-of-candidates
        a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
        a=fmtp:120 max-fs=12288;max-fr=60
        a=fmtp:121 max-fs=12288;max-fr=60
        a=ice-pwd:c43b0306087bb4de15f70e4405c4dafe
        a=ice-ufrag:1a0e6b24
        a=mid:sdparta_0
        a=msid:{38c9a1f0-d360-4ad8-afe3-4d7f6d4ae4e1} {d27161f3-ab5d-4aff-9dd8-4a24bfbe56d4}
        a=rtcp:52914 IN IP4 192.168.99.7
        a=rtcp-fb:120 nack
        a=rtcp-fb:120 nack pli
        a=rtcp-fb:120 ccm fir
        a=rtcp-fb:120 goog-remb
        a=rtcp-fb:121 nack
        a=rtcp-fb:121 nack pli
        a=rtcp-fb:121 ccm fir
        a=rtcp-fb:121 goog-remb
        a=rtcp-mux
        a=rtpmap:120 VP8/90000
        a=rtpmap:121 VP9/90000
        a=setup:actpass
        a=ssrc:3408404552 cname:{6f52d07e-17ef-42c5-932b-3b57c64fe049}
        """

    /// Firefox 58 audio-only offer; aiortc tests/test_sdp.py.
    static let firefoxAudio = """
        v=0
        o=mozilla...THIS_IS_SDPARTA-58.0.1 4934139885953732403 1 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=sendrecv
        a=fingerprint:sha-256 EB:A9:3E:50:D7:E3:B3:86:0F:7B:01:C1:EB:D6:AF:E4:97:DE:15:05:A8:DE:7B:83:56:C7:4B:6E:9D:75:D4:17
        a=group:BUNDLE sdparta_0
        a=ice-options:trickle
        a=msid-semantic:WMS *
        m=audio 45274 UDP/TLS/RTP/SAVPF 109 9 0 8 101
        c=IN IP4 192.168.99.58
        a=candidate:0 1 UDP 2122187007 192.168.99.58 45274 typ host
        a=candidate:1 1 UDP 2122252543 2a02:a03f:3eb0:e000:b0aa:d60a:cff2:933c 47387 typ host
        a=candidate:2 1 TCP 2105458943 192.168.99.58 9 typ host tcptype active
        a=candidate:3 1 TCP 2105524479 2a02:a03f:3eb0:e000:b0aa:d60a:cff2:933c 9 typ host tcptype active
        a=candidate:0 2 UDP 2122187006 192.168.99.58 38612 typ host
        a=candidate:1 2 UDP 2122252542 2a02:a03f:3eb0:e000:b0aa:d60a:cff2:933c 54301 typ host
        a=candidate:2 2 TCP 2105458942 192.168.99.58 9 typ host tcptype active
        a=candidate:3 2 TCP 2105524478 2a02:a03f:3eb0:e000:b0aa:d60a:cff2:933c 9 typ host tcptype active
        a=sendrecv
        a=end-of-candidates
        a=extmap:1/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:mid
        a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
        a=fmtp:101 0-15
        a=ice-pwd:f9b83487285016f7492197a5790ceee5
        a=ice-ufrag:403a81e1
        a=mid:sdparta_0
        a=msid:{dee771c7-671a-451e-b847-f86f8e87c7d8} {12692dea-686c-47ca-b3e9-48f38fc92b78}
        a=rtcp:38612 IN IP4 192.168.99.58
        a=rtcp-mux
        a=rtpmap:109 opus/48000/2
        a=rtpmap:9 G722/8000/1
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=setup:actpass
        a=ssrc:882128807 cname:{ed463ac5-dabf-44d4-8b9f-e14318427b2b}
        """

    /// aiortc offer: audio sendrecv, video recvonly, DTLS/SCTP data channel, three fingerprints (CRLF).
    static let aiortcAVData = crlf("""
        v=0
        o=- 3950241439 3950241439 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0 1 2
        a=msid-semantic:WMS *
        m=audio 47886 UDP/TLS/RTP/SAVPF 96 0 8
        c=IN IP4 172.17.0.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=mid:0
        a=msid:08bf71f3-2056-4487-a6ae-f8e02448ac39 802b5f53-5f08-46c4-b198-7aeb3e4e586b
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:2423869274 cname:5b335376-6089-4951-9193-35f7d9b1ffe5
        a=rtpmap:96 opus/48000/2
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=candidate:580b5f32035da7f14a30ea7a8d826c67 1 udp 2130706431 172.17.0.1 47886 typ host
        a=candidate:6e97dfe71117b08efa859b3be391006f 1 udp 2130706431 192.168.12.119 47443 typ host
        a=candidate:348906676dcb58d1f77c4056aef9d9ab 1 udp 2130706431 10.144.103.9 49715 typ host
        a=end-of-candidates
        a=ice-ufrag:kCSs
        a=ice-pwd:H1wfCmRWxPj5tRXU8hcaZn
        a=fingerprint:sha-256 4B:5D:A2:C3:59:D3:E0:85:0D:6F:72:35:B8:30:5D:58:32:38:90:79:26:68:47:D4:F7:CB:2F:59:2A:06:FF:A5
        a=fingerprint:sha-384 7A:D5:84:D7:61:17:AA:5B:44:D6:9C:7D:DC:04:36:43:76:41:19:66:12:71:36:F7:77:A8:65:1D:E6:EC:9A:2C:C3:FF:EE:E1:38:04:34:54:0E:C0:7A:72:1D:E7:91:07
        a=fingerprint:sha-512 E7:A2:AD:70:02:05:D9:3A:9F:3D:CE:84:19:85:D1:E3:26:B3:04:A4:EC:DF:02:3A:59:CF:C0:B6:13:C2:52:B0:0F:61:61:00:0B:65:E3:84:99:D3:75:87:47:9E:40:49:40:30:C8:FE:8C:F0:E5:E4:14:91:B9:1B:1B:9C:20:5E
        a=setup:actpass
        m=video 50963 UDP/TLS/RTP/SAVPF 97 98 99 100 101 102
        c=IN IP4 172.17.0.1
        a=recvonly
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=mid:1
        a=msid:08bf71f3-2056-4487-a6ae-f8e02448ac39 e1bb5bb8-b9ae-407e-8eaf-1af7ef051d05
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc-group:FID 2728868107 4080167128
        a=ssrc:2728868107 cname:5b335376-6089-4951-9193-35f7d9b1ffe5
        a=ssrc:4080167128 cname:5b335376-6089-4951-9193-35f7d9b1ffe5
        a=rtpmap:97 VP8/90000
        a=rtcp-fb:97 nack
        a=rtcp-fb:97 nack pli
        a=rtcp-fb:97 goog-remb
        a=rtpmap:98 rtx/90000
        a=fmtp:98 apt=97
        a=rtpmap:99 H264/90000
        a=rtcp-fb:99 nack
        a=rtcp-fb:99 nack pli
        a=rtcp-fb:99 goog-remb
        a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:100 rtx/90000
        a=fmtp:100 apt=99
        a=rtpmap:101 H264/90000
        a=rtcp-fb:101 nack
        a=rtcp-fb:101 nack pli
        a=rtcp-fb:101 goog-remb
        a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:102 rtx/90000
        a=fmtp:102 apt=101
        a=candidate:580b5f32035da7f14a30ea7a8d826c67 1 udp 2130706431 172.17.0.1 50963 typ host
        a=candidate:6e97dfe71117b08efa859b3be391006f 1 udp 2130706431 192.168.12.119 47784 typ host
        a=candidate:348906676dcb58d1f77c4056aef9d9ab 1 udp 2130706431 10.144.103.9 33408 typ host
        a=end-of-candidates
        a=ice-ufrag:kCSs
        a=ice-pwd:H1wfCmRWxPj5tRXU8hcaZn
        a=fingerprint:sha-256 4B:5D:A2:C3:59:D3:E0:85:0D:6F:72:35:B8:30:5D:58:32:38:90:79:26:68:47:D4:F7:CB:2F:59:2A:06:FF:A5
        a=fingerprint:sha-384 7A:D5:84:D7:61:17:AA:5B:44:D6:9C:7D:DC:04:36:43:76:41:19:66:12:71:36:F7:77:A8:65:1D:E6:EC:9A:2C:C3:FF:EE:E1:38:04:34:54:0E:C0:7A:72:1D:E7:91:07
        a=fingerprint:sha-512 E7:A2:AD:70:02:05:D9:3A:9F:3D:CE:84:19:85:D1:E3:26:B3:04:A4:EC:DF:02:3A:59:CF:C0:B6:13:C2:52:B0:0F:61:61:00:0B:65:E3:84:99:D3:75:87:47:9E:40:49:40:30:C8:FE:8C:F0:E5:E4:14:91:B9:1B:1B:9C:20:5E
        a=setup:actpass
        m=application 54593 DTLS/SCTP 5000
        c=IN IP4 172.17.0.1
        a=mid:2
        a=sctpmap:5000 webrtc-datachannel 65535
        a=max-message-size:65536
        a=candidate:580b5f32035da7f14a30ea7a8d826c67 1 udp 2130706431 172.17.0.1 54593 typ host
        a=candidate:6e97dfe71117b08efa859b3be391006f 1 udp 2130706431 192.168.12.119 49646 typ host
        a=candidate:348906676dcb58d1f77c4056aef9d9ab 1 udp 2130706431 10.144.103.9 56202 typ host
        a=end-of-candidates
        a=ice-ufrag:kCSs
        a=ice-pwd:H1wfCmRWxPj5tRXU8hcaZn
        a=fingerprint:sha-256 4B:5D:A2:C3:59:D3:E0:85:0D:6F:72:35:B8:30:5D:58:32:38:90:79:26:68:47:D4:F7:CB:2F:59:2A:06:FF:A5
        a=fingerprint:sha-384 7A:D5:84:D7:61:17:AA:5B:44:D6:9C:7D:DC:04:36:43:76:41:19:66:12:71:36:F7:77:A8:65:1D:E6:EC:9A:2C:C3:FF:EE:E1:38:04:34:54:0E:C0:7A:72:1D:E7:91:07
        a=fingerprint:sha-512 E7:A2:AD:70:02:05:D9:3A:9F:3D:CE:84:19:85:D1:E3:26:B3:04:A4:EC:DF:02:3A:59:CF:C0:B6:13:C2:52:B0:0F:61:61:00:0B:65:E3:84:99:D3:75:87:47:9E:40:49:40:30:C8:FE:8C:F0:E5:E4:14:91:B9:1B:1B:9C:20:5E
        a=setup:actpass
        """)

    /// aiortc videostream-cli offer: one sendrecv video m-line (CRLF).
    static let aiortcVideo = crlf("""
        v=0
        o=- 3910748632 3910748632 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=msid-semantic:WMS *
        m=video 61128 UDP/TLS/RTP/SAVPF 97 98 99 100 101 102
        c=IN IP4 172.19.240.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=mid:0
        a=msid:db6d556e-4b65-43dc-9b65-c5842ff7d7d0 9964603f-35ce-4037-9107-79cef798f53f
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc-group:FID 3801919459 2472625064
        a=ssrc:3801919459 cname:4f80c0c7-36c8-4f3a-9896-2c7157606068
        a=ssrc:2472625064 cname:4f80c0c7-36c8-4f3a-9896-2c7157606068
        a=rtpmap:97 VP8/90000
        a=rtcp-fb:97 nack
        a=rtcp-fb:97 nack pli
        a=rtcp-fb:97 goog-remb
        a=rtpmap:98 rtx/90000
        a=fmtp:98 apt=97
        a=rtpmap:99 H264/90000
        a=rtcp-fb:99 nack
        a=rtcp-fb:99 nack pli
        a=rtcp-fb:99 goog-remb
        a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:100 rtx/90000
        a=fmtp:100 apt=99
        a=rtpmap:101 H264/90000
        a=rtcp-fb:101 nack
        a=rtcp-fb:101 nack pli
        a=rtcp-fb:101 goog-remb
        a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:102 rtx/90000
        a=fmtp:102 apt=101
        a=candidate:84525827d984b903f6250bb33f1836c3 1 udp 2130706431 172.19.240.1 61128 typ host
        a=candidate:a794a0b8ea98fb9d35a09b0aa6852435 1 udp 2130706431 192.168.31.22 61129 typ host
        a=candidate:4bc0bb2f32cea4d0dad824a6fa6164d4 1 udp 1694498815 115.156.132.20 61129 typ srflx raddr 192.168.31.22 rport 61129
        a=end-of-candidates
        a=ice-ufrag:tAct
        a=ice-pwd:DxwfHDfHXgNeUJgZVFxeTG
        a=fingerprint:sha-256 FB:60:A0:E7:20:D7:C6:2A:CC:5B:00:3F:F6:0D:EC:05:D6:A7:FF:03:4D:4A:DC:60:F0:2D:DB:C5:71:F9:54:86
        a=setup:actpass
        """)

    static let all: [(name: String, text: String)] = [
        ("chrome_whep_recvonly.sdp", chromeWHEP),
        ("chrome_whip_sendonly.sdp", chromeWHIP),
        ("chrome_whip_simulcast.sdp", chromeWHIPSimulcast),
        ("firefox_video_sendrecv.sdp", firefoxVideo),
        ("firefox_audio_sendrecv.sdp", firefoxAudio),
        ("aiortc_av_datachannel.sdp", aiortcAVData),
        ("aiortc_video_sendrecv.sdp", aiortcVideo),
    ]

    /// LF → CRLF, as the offers were received on the wire.
    static func crlf(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") + "\r\n"
    }
}
