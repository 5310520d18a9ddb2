package org.lacd.lab.lns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;

/**
 * IPv4 addresses for subscribers from one prefix ({@code 100.64.0.0/16}). The first host address is the LNS's own
 * (offered in its IPCP Configure-Request), subscribers get the next ones; released addresses are reused last.
 * Not thread-safe: used on the emulator's loop only.
 */
public final class AddressPool {
    private final int network;
    private final int prefix;
    private final int first;
    private final int last;
    private int next;
    private final ArrayDeque<Integer> released = new ArrayDeque<>();
    private int inUse;

    public AddressPool(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("pool '" + cidr + "' (expected: a.b.c.d/len)");
        }
        int len = Integer.parseInt(cidr.substring(slash + 1));
        if (len < 8 || len > 29) {
            throw new IllegalArgumentException("pool prefix length " + len + " (expected: 8..29)");
        }
        int base = toInt(parse(cidr.substring(0, slash)));
        int mask = -1 << (32 - len);
        this.prefix = len;
        this.network = base & mask;
        this.first = network + 2;
        this.last = (network | ~mask) - 1;
        this.next = first;
    }

    private static InetAddress parse(String s) {
        try {
            InetAddress a = InetAddress.getByName(s);
            if (!(a instanceof Inet4Address)) {
                throw new IllegalArgumentException("pool '" + s + "' is not IPv4");
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("pool address '" + s + "': " + e.getMessage(), e);
        }
    }

    /** The LNS's own address: the first host of the prefix. */
    public int lnsAddress() { return network + 1; }

    /** The next free address, or 0 when the pool is exhausted. */
    public int allocate() {
        int a;
        if (next <= last) {
            a = next++;
        } else if (!released.isEmpty()) {
            a = released.poll();
        } else {
            return 0;
        }
        inUse++;
        return a;
    }

    public void release(int address) {
        if (address != 0) {
            released.add(address);
            inUse--;
        }
    }

    public int inUse() { return inUse; }

    public int capacity() { return last - first + 1; }

    public String cidr() { return toString(network) + "/" + prefix; }

    public static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    public static String toString(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
