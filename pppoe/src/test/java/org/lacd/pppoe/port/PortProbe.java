package org.lacd.pppoe.port;

/** Child-process probe for {@link PcapPermissionTest}: opens a PcapPort and prints the outcome. */
public final class PortProbe {
    private PortProbe() {}

    public static void main(String[] args) {
        PcapPort p = new PcapPort(args[0]);
        try {
            p.start((b, o, l) -> { });
            System.out.println("OPENED");
            p.close();
        } catch (PortException e) {
            System.out.println("KIND=" + e.kind());
            System.out.println("MESSAGE=" + e.getMessage());
            System.out.println("FRAMES=" + e.getStackTrace().length);
        }
    }
}
