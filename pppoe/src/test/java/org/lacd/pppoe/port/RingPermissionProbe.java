package org.lacd.pppoe.port;

/** Child-process probe for {@link RingPermissionTest}: opens a port the way args[1] says and prints the outcome. */
public final class RingPermissionProbe {
    private RingPermissionProbe() {}

    public static void main(String[] args) {
        try {
            EthernetPort p = args[1].equals("ring") ? PacketRingPort.open(args[0], 1500, 2)
                    : Ports.open(args[0], 1500, 2, PortKind.valueOf(args[1]));
            System.out.println("OPENED " + p.description());
            p.close();
        } catch (PortException e) {
            System.out.println("KIND=" + e.kind());
            System.out.println("MESSAGE=" + e.getMessage());
        }
    }
}
