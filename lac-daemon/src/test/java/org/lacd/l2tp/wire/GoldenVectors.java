package org.lacd.l2tp.wire;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lacd.l2tp.testutil.Hex;

/** Annotated golden vectors for every control message type plus ZLB and data messages. Shared with the fuzz test. */
public final class GoldenVectors {
    private GoldenVectors() {}

    public static final String SCCRQ = """
            c8 02 00 74   # T L S, ver 2; length 116
            00 00 00 00   # tunnel 0 (not yet assigned), session 0
            00 00 00 00   # Ns 0, Nr 0
            80 08 00 00 00 00 00 01         # M, len 8, Message Type = 1 SCCRQ
            80 08 00 00 00 02 01 00         # Protocol Version 1.0
            80 0a 00 00 00 07 6c 61 63 31   # Host Name "lac1"
            80 0a 00 00 00 03 00 00 00 03   # Framing Capabilities: sync+async
            80 08 00 00 00 09 00 01         # Assigned Tunnel ID 1
            80 08 00 00 00 0a 00 04         # Receive Window Size 4
            00 0e 00 00 00 05 01 02 03 04 05 06 07 08   # Tie Breaker (M=0)
            00 0a 00 00 00 08 6c 61 63 64   # Vendor Name "lacd" (M=0)
            00 08 00 00 00 06 01 00         # Firmware Revision 0x0100 (M=0)
            80 0a 00 00 00 04 00 00 00 00   # Bearer Capabilities: none
            80 0a 00 00 00 0b de ad be ef   # Challenge, 4 bytes
            """;

    public static final String SCCRP = """
            c8 02 00 4d 00 01 00 00 00 00 00 01   # control, length 77, tunnel 1, Ns 0 Nr 1
            80 08 00 00 00 00 00 02         # Message Type = 2 SCCRP
            80 08 00 00 00 02 01 00         # Protocol Version 1.0
            80 09 00 00 00 07 6c 6e 73      # Host Name "lns"
            80 0a 00 00 00 03 00 00 00 01   # Framing Capabilities: sync
            80 08 00 00 00 09 00 22         # Assigned Tunnel ID 0x22
            80 16 00 00 00 0d 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff  # Challenge Response (16)
            """;

    public static final String SCCCN = """
            c8 02 00 2a 00 22 00 00 00 01 00 01   # length 42, tunnel 0x22, Ns 1 Nr 1
            80 08 00 00 00 00 00 03         # Message Type = 3 SCCCN
            80 16 00 00 00 0d ff ee dd cc bb aa 99 88 77 66 55 44 33 22 11 00  # Challenge Response
            """;

    public static final String STOPCCN = """
            c8 02 00 29 00 22 00 00 00 02 00 01   # length 41, tunnel 0x22, Ns 2 Nr 1
            80 08 00 00 00 00 00 04         # Message Type = 4 StopCCN
            80 08 00 00 00 09 00 01         # Assigned Tunnel ID 1
            80 0d 00 00 00 01 00 01 00 00 62 79 65   # Result Code 1 (clear), error 0, "bye"
            """;

    public static final String HELLO = """
            c8 02 00 14 00 22 00 00 00 03 00 02   # length 20, tunnel 0x22, Ns 3 Nr 2
            80 08 00 00 00 00 00 06         # Message Type = 6 HELLO
            """;

    public static final String OCRQ = """
            c8 02 00 57 00 01 00 00 00 01 00 05   # length 87, tunnel 1, Ns 1 Nr 5
            80 08 00 00 00 00 00 07         # Message Type = 7 OCRQ
            80 08 00 00 00 0e 00 11         # Assigned Session ID 0x11
            80 0a 00 00 00 0f 00 00 00 01   # Call Serial Number 1
            80 0a 00 00 00 10 00 00 00 00   # Minimum BPS 0
            80 0a 00 00 00 11 00 98 96 80   # Maximum BPS 10000000
            80 0a 00 00 00 12 00 00 00 01   # Bearer Type digital
            80 0a 00 00 00 13 00 00 00 01   # Framing Type sync
            80 09 00 00 00 15 31 32 33      # Called Number "123"
            """;

    public static final String OCRP = """
            c8 02 00 1c 00 22 00 11 00 06 00 02   # length 28, tunnel 0x22, session 0x11
            80 08 00 00 00 00 00 08         # Message Type = 8 OCRP
            80 08 00 00 00 0e 00 06         # Assigned Session ID 6
            """;

    public static final String OCCN = """
            c8 02 00 28 00 22 00 11 00 07 00 02   # length 40
            80 08 00 00 00 00 00 09         # Message Type = 9 OCCN
            80 0a 00 00 00 18 00 98 96 80   # (Tx) Connect Speed 10000000
            80 0a 00 00 00 13 00 00 00 01   # Framing Type sync
            """;

    public static final String ICRQ = """
            c8 02 00 67 00 22 00 00 00 04 00 02   # length 103, tunnel 0x22, session 0, Ns 4 Nr 2
            80 08 00 00 00 00 00 0a         # Message Type = 10 ICRQ
            80 08 00 00 00 0e 00 05         # Assigned Session ID 5
            80 0a 00 00 00 0f 00 00 00 07   # Call Serial Number 7
            80 0a 00 00 00 12 00 00 00 00   # Bearer Type 0
            00 0a 00 00 00 19 00 00 00 03   # Physical Channel ID 3 (M=0)
            80 0a 00 00 00 16 30 30 31 31   # Calling Number "0011"
            80 09 00 00 00 15 6c 6e 73      # Called Number "lns"
            00 0c 0d e9 00 01 65 74 68 30 3a 31   # vendor 3561 Agent-Circuit-Id "eth0:1" (RFC 5515)
            00 0e 0d e9 00 81 00 00 00 00 00 0f 42 40   # vendor 3561 Actual-Data-Rate-Upstream 1000000 bps (64-bit)
            """;

    public static final String ICRP = """
            c8 02 00 1c 00 01 00 05 00 01 00 05   # length 28, tunnel 1, session 5, Ns 1 Nr 5
            80 08 00 00 00 00 00 0b         # Message Type = 11 ICRP
            80 08 00 00 00 0e 00 09         # Assigned Session ID 9
            """;

    public static final String ICCN = """
            c8 02 00 8d 00 22 00 09 00 05 00 02   # length 141, tunnel 0x22, session 9, Ns 5 Nr 2
            80 08 00 00 00 00 00 0c         # Message Type = 12 ICCN
            80 0a 00 00 00 18 00 98 96 80   # (Tx) Connect Speed 10000000
            80 0a 00 00 00 13 00 00 00 01   # Framing Type sync
            00 0a 00 00 00 26 00 98 96 80   # Rx Connect Speed (M=0)
            00 0a 00 00 00 1a 01 04 05 d4   # Initial Received LCP CONFREQ: MRU 1492 (M=0)
            00 0a 00 00 00 1b 01 04 05 d4   # Last Sent LCP CONFREQ (M=0)
            00 0a 00 00 00 1c 01 04 05 d4   # Last Received LCP CONFREQ (M=0)
            00 08 00 00 00 1d 00 02         # Proxy Authen Type 2 = CHAP
            00 07 00 00 00 1e 75            # Proxy Authen Name "u"
            00 0a 00 00 00 1f 01 02 03 04   # Proxy Authen Challenge
            00 08 00 00 00 20 00 01         # Proxy Authen ID 1
            00 16 00 00 00 21 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  # Proxy Authen Response
            80 06 00 00 00 27               # Sequencing Required
            """;

    public static final String CDN = """
            c8 02 00 31 00 22 00 09 00 06 00 02   # length 49, tunnel 0x22, session 9
            80 08 00 00 00 00 00 0e         # Message Type = 14 CDN
            80 0a 00 00 00 01 00 03 00 00   # Result Code 3 (administrative), error 0
            80 08 00 00 00 0e 00 05         # Assigned Session ID 5
            00 0b 00 00 00 2e 00 01 00 00 02   # RFC 3145 PPP Disconnect Cause: code 1, protocol 0, direction 2 (M=0)
            """;

    public static final String WEN = """
            c8 02 00 34 00 22 00 09 00 07 00 02   # length 52
            80 08 00 00 00 00 00 0f         # Message Type = 15 WEN
            80 20 00 00 00 22 00 00         # Call Errors, reserved
            00 00 00 01  00 00 00 02  00 00 00 03  00 00 00 04  00 00 00 05  00 00 00 06  # CRC, framing, overrun, buffer, timeout, alignment
            """;

    public static final String SLI = """
            c8 02 00 24 00 01 00 05 00 02 00 08   # length 36, tunnel 1, session 5
            80 08 00 00 00 00 00 10         # Message Type = 16 SLI
            80 10 00 00 00 23 00 00 ff ff ff ff ff ff ff ff   # ACCM, reserved, send, receive
            """;

    public static final String ZLB = """
            c8 02 00 0c 00 22 00 00 00 03 00 07   # ZLB: length 12, Ns 3 Nr 7, no AVPs
            """;

    public static final String DATA_PLAIN = """
            00 02 00 22 00 09               # data, no L/S/O; tunnel 0x22, session 9
            ff 03 c0 21 01 01 00 04         # FF 03, LCP Configure-Request id 1 length 4
            """;

    public static final String DATA_SEQ_OFFSET = """
            4a 02 00 16 00 22 00 09         # data, L S O; length 22; tunnel 0x22, session 9
            00 01 00 00                     # Ns 1, Nr 0
            00 02 aa bb                     # offset size 2, pad
            c0 21 01 01 00 04               # PPP LCP Configure-Request without FF 03
            """;

    public static Map<String, byte[]> all() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("SCCRQ", Hex.parse(SCCRQ));
        m.put("SCCRP", Hex.parse(SCCRP));
        m.put("SCCCN", Hex.parse(SCCCN));
        m.put("STOPCCN", Hex.parse(STOPCCN));
        m.put("HELLO", Hex.parse(HELLO));
        m.put("OCRQ", Hex.parse(OCRQ));
        m.put("OCRP", Hex.parse(OCRP));
        m.put("OCCN", Hex.parse(OCCN));
        m.put("ICRQ", Hex.parse(ICRQ));
        m.put("ICRP", Hex.parse(ICRP));
        m.put("ICCN", Hex.parse(ICCN));
        m.put("CDN", Hex.parse(CDN));
        m.put("WEN", Hex.parse(WEN));
        m.put("SLI", Hex.parse(SLI));
        m.put("ZLB", Hex.parse(ZLB));
        m.put("DATA_PLAIN", Hex.parse(DATA_PLAIN));
        m.put("DATA_SEQ_OFFSET", Hex.parse(DATA_SEQ_OFFSET));
        return m;
    }
}
