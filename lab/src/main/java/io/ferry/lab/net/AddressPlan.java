package io.ferry.lab.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The addresses of one {@link TwoSiteNetwork} inside its /24 block {@code base} (three /30s):
 *
 * <pre>
 *   .0/30  site link        .1 site A (&lt;p&gt;-sa)      .2 site B (&lt;p&gt;-sb)
 *   .4/30  management A     .5 root side (&lt;p&gt;-ra)   .6 inside A (&lt;p&gt;-ia)
 *   .8/30  management B     .9 root side (&lt;p&gt;-rb)   .10 inside B (&lt;p&gt;-ib)
 * </pre>
 */
record AddressPlan(int base) {
    static final int LINK_PREFIX = 30;

    AddressPlan {
        if ((base & 0xff) != 0) throw new IllegalArgumentException("block base must end in .0: " + Cidr.format(base));
    }

    Cidr block() { return new Cidr(base, 24); }

    int siteLink(Site s) { return base + (s == Site.A ? 1 : 2); }

    int rootSide(Site s) { return base + (s == Site.A ? 5 : 9); }

    int inside(Site s) { return base + (s == Site.A ? 6 : 10); }

    /** {@code a.b.c.d/30} for {@code ip addr add}. */
    static String withPrefix(int address) {
        return Cidr.format(address) + "/" + LINK_PREFIX;
    }

    static InetAddress inet(int address) {
        try {
            return InetAddress.getByAddress(new byte[] {
                (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid address
        }
    }
}
