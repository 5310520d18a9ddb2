package org.lacd.daemon.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which of charon's listed remote traffic selectors cover UDP to an LNS (what "the SA protects this LNS" means). */
class TrafficSelectorTest {
    @ParameterizedTest(name = "{0} covers {1}:{2} = {3}")
    @CsvSource(delimiter = ';', value = {
            "192.168.72.1/32[udp]; 192.168.72.1; 1701; true",
            "192.168.72.1/32[udp/1701]; 192.168.72.1; 1701; true",
            "192.168.72.1/32[17/1701]; 192.168.72.1; 1701; true",
            "192.168.72.1/32[udp/1702]; 192.168.72.1; 1701; false",
            "192.168.72.1/32[tcp]; 192.168.72.1; 1701; false",
            "192.168.72.0/24; 192.168.72.200; 1701; true",
            "192.168.72.0/24; 192.168.73.1; 1701; false",
            "0.0.0.0/0; 198.51.100.7; 1701; true",
            "192.168.72.1/32; 2001:db8::1; 1701; false",
            "2001:db8::/32[udp]; 2001:db8::1; 1701; true",
            "192.168.72.1-192.168.72.9; 192.168.72.1; 1701; false",
            "lns.example/32; 192.168.72.1; 1701; false",
            "192.168.72.1/33; 192.168.72.1; 1701; false",
            "198.18.1.2/32[udp/l2f]; 198.18.1.2; 1701; true",
            "198.18.1.2/32[udp/l2tp]; 198.18.1.2; 1701; true",
            "198.18.1.2/32[udp/domain]; 198.18.1.2; 1701; false",
            "198.18.1.2/32[udp/nosuchservice]; 198.18.1.2; 1701; false",
    })
    void covers(String ts, String lns, int port, boolean expected) throws Exception {
        // charon prints 1701 as "l2f" (getservbyport): names resolve as /etc/services says, here a fixed excerpt
        assertEquals(expected, IpsecManager.covers(List.of(ts), InetAddress.getByName(lns), port, SERVICES));
    }

    static final Map<String, Integer> SERVICES = TrafficSelector.udpServices(services());

    private static Path services() {
        try {
            Path f = Files.createTempFile("services", "");
            Files.writeString(f, "# excerpt of /etc/services\ndomain\t\t53/udp\nl2f\t\t1701/udp\tl2tp\t# l2tp alias\nl2f\t\t1701/tcp\n");
            f.toFile().deleteOnExit();
            return f;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
