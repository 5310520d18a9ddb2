package org.lacd.pppoe.wire;

import org.lacd.pppoe.testutil.Hex;

/** Annotated golden frames shared by the codec, tshark and fuzz tests. */
final class GoldenVectors {
    private GoldenVectors() {}

    static final byte[] PADI = Hex.parse("""
            ffffffffffff 020000000001 8863     # broadcast <- client, PPPoE discovery
            11 09 0000 0037                    # ver/type 1/1, PADI, session 0, length 55
            0101 0000                          # Service-Name "" (any)
            0103 0004 deadbeef                 # Host-Uniq
            0120 0002 05dc                     # PPP-Max-Payload 1500 (RFC 4638)
            0105 001b 00000de9                 # Vendor-Specific, 27 bytes, enterprise 3561 (ADSL Forum)
              01 04 63312f32                   #   Agent-Circuit-Id "c1/2"
              02 03 723432                     #   Agent-Remote-Id "r42"
              81 04 00002710                   #   Actual-Data-Rate-Upstream 10000 kbps
              82 04 000186a0                   #   Actual-Data-Rate-Downstream 100000 kbps
            7777 0002 abcd                     # unknown tag 0x7777 (kept)
            """);

    static final byte[] PADO_QINQ = Hex.parse("""
            020000000001 020000000002          # client <- AC
            88a8 0064 8100 00c8 8863           # S-tag 100, C-tag 200, PPPoE discovery
            11 07 0000 0022                    # PADO, session 0, length 34
            0102 0004 6c616364                 # AC-Name "lacd"
            0101 0000                          # Service-Name ""
            0104 0004 01020304                 # AC-Cookie
            0103 0004 deadbeef                 # Host-Uniq (echoed)
            0110 0002 1234                     # Relay-Session-Id (echoed)
            """);

    static final byte[] PADR_DOT1Q = Hex.parse("""
            020000000002 020000000001          # AC <- client
            8100 000a 8863                     # 802.1Q VLAN 10, PPPoE discovery
            11 19 0000 001c                    # PADR, session 0, length 28
            0101 0008 696e7465726e6574         # Service-Name "internet"
            0103 0004 deadbeef                 # Host-Uniq
            0104 0004 01020304                 # AC-Cookie
            """);

    static final byte[] PADS = Hex.parse("""
            020000000001 020000000002 8863     # client <- AC
            11 65 1234 0014                    # PADS, session 0x1234, length 20
            0101 0008 696e7465726e6574         # Service-Name "internet"
            0103 0004 deadbeef                 # Host-Uniq
            """);

    static final byte[] PADT = Hex.parse("""
            020000000001 020000000002 8863     # client <- AC
            11 a7 1234 0007                    # PADT, session 0x1234, length 7
            0203 0003 627965                   # Generic-Error "bye"
            """);

    /** PPP frames (from the protocol field) carried in session frames. */
    static final String[] PPP = {
            """
            c021 01 01 0013                    # LCP Configure-Request id 1 length 19
            01 04 05d4                         #   MRU 1492
            03 05 c223 05                      #   Auth-Protocol CHAP, MD5
            05 06 12345678                     #   Magic-Number
            """,
            """
            c021 02 01 0013                    # LCP Configure-Ack id 1 (same options)
            01 04 05d4 03 05 c223 05 05 06 12345678
            """,
            """
            c021 03 01 0008                    # LCP Configure-Nak id 1
            03 04 c023                         #   Auth-Protocol: PAP please
            """,
            """
            c021 04 02 0007                    # LCP Configure-Reject id 2
            0d 03 06                           #   Callback, operation 6
            """,
            """
            c021 05 03 0004                    # LCP Terminate-Request id 3
            """,
            """
            c021 06 03 0004                    # LCP Terminate-Ack id 3
            """,
            """
            c021 07 04 0009                    # LCP Code-Reject id 4, length 9
            0e 01 0004                         #   rejected packet: code 14, id 1, length 4
            00                                 #   (one data byte of it)
            """,
            """
            c021 08 05 000a                    # LCP Protocol-Reject id 5
            8057                               #   rejected protocol IPv6CP
            01 01 0004                         #   rejected information
            """,
            """
            c021 09 06 0008 12345678           # LCP Echo-Request id 6, magic
            """,
            """
            c021 0a 06 0008 87654321           # LCP Echo-Reply id 6, magic
            """,
            """
            c021 0b 07 0008 12345678           # LCP Discard-Request id 7, magic
            """,
            """
            c023 01 01 0011                    # PAP Authenticate-Request id 1 length 17
            05 616c696365                      #   Peer-ID "alice"
            06 736563726574                    #   Password "secret"
            """,
            """
            c023 02 01 0005 00                 # PAP Authenticate-Ack, empty message
            """,
            """
            c023 03 01 000b 06 64656e696564    # PAP Authenticate-Nak "denied"
            """,
            """
            c223 01 07 0019                    # CHAP Challenge id 7 length 25
            10 000102030405060708090a0b0c0d0e0f #   Value-Size 16, value
            6c616364                           #   Name "lacd"
            """,
            """
            c223 02 07 001a                    # CHAP Response id 7 length 26
            10 f0e1d2c3b4a5968778695a4b3c2d1e0f #   Value-Size 16, MD5 response
            616c696365                         #   Name "alice"
            """,
            """
            c223 03 07 0006 6f6b               # CHAP Success "ok"
            """,
            """
            c223 04 07 000a 64656e696564       # CHAP Failure "denied"
            """,
    };

    static byte[] sessionFrame(String ppp) {
        byte[] p = Hex.parse(ppp);
        byte[] head = Hex.parse("""
                020000000002 020000000001 8864     # AC <- client, PPPoE session
                11 00 1234                         # session data, session 0x1234
                """);
        byte[] out = new byte[head.length + 2 + p.length];
        System.arraycopy(head, 0, out, 0, head.length);
        out[head.length] = (byte) (p.length >>> 8);
        out[head.length + 1] = (byte) p.length;
        System.arraycopy(p, 0, out, head.length + 2, p.length);
        return out;
    }
}
