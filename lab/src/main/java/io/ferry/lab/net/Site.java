package io.ferry.lab.net;

/** One of the two sites of a {@link TwoSiteNetwork}: A is the primary site, B the recovery site. */
public enum Site {
    /** The primary site (namespace {@code <prefix>-a}). */
    A,
    /** The recovery site (namespace {@code <prefix>-b}). */
    B;

    /** The other site. */
    public Site other() {
        return this == A ? B : A;
    }

    /** {@code "a"} or {@code "b"}, the suffix used in namespace and interface names. */
    String suffix() {
        return this == A ? "a" : "b";
    }
}
