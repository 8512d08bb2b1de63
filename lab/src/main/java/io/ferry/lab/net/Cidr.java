package io.ferry.lab.net;

/** An IPv4 network (address as an int, prefix length). Package-private plumbing. */
record Cidr(int address, int length) {
    Cidr {
        if (length < 0 || length > 32) throw new IllegalArgumentException("bad IPv4 prefix length " + length);
    }

    /** Parses {@code a.b.c.d} (as /32) or {@code a.b.c.d/len}. */
    static Cidr parse(String s) {
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        int len = slash < 0 ? 32 : Integer.parseInt(s.substring(slash + 1));
        String[] parts = addr.split("\\.");
        if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: " + s);
        int a = 0;
        for (String p : parts) {
            int octet = Integer.parseInt(p);
            if (octet < 0 || octet > 255) throw new IllegalArgumentException("not an IPv4 address: " + s);
            a = (a << 8) | octet;
        }
        return new Cidr(a, len);
    }

    private static int mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }

    /** True if the two networks share at least one address. */
    boolean overlaps(Cidr o) {
        int m = mask(Math.min(length, o.length));
        return (address & m) == (o.address & m);
    }

    static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    @Override
    public String toString() {
        return format(address) + "/" + length;
    }
}
