package io.ferry.lab.net;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Namespace and interface names derived from a prefix (at most 6 characters, so every interface
 * name stays within the kernel's 15-character limit):
 *
 * <pre>
 *   namespace      &lt;p&gt;-a, &lt;p&gt;-b
 *   site link      &lt;p&gt;-sa (in &lt;p&gt;-a)  &lt;-&gt;  &lt;p&gt;-sb (in &lt;p&gt;-b)
 *   management A   &lt;p&gt;-ra (root)      &lt;-&gt;  &lt;p&gt;-ia (in &lt;p&gt;-a)
 *   management B   &lt;p&gt;-rb (root)      &lt;-&gt;  &lt;p&gt;-ib (in &lt;p&gt;-b)
 * </pre>
 */
record LinkNames(String prefix) {
    static final int MAX_PREFIX = 6;
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9]{0," + (MAX_PREFIX - 1) + "}");

    LinkNames {
        if (prefix == null || !VALID.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid TwoSiteNetwork prefix " + (prefix == null ? "null" : "'" + prefix + "'")
                    + ": want 1-" + MAX_PREFIX + " characters, a lowercase letter then lowercase letters or digits"
                    + " (hint: interface names <prefix>-sa etc. must stay within 15 characters; use a prefix"
                    + " unique to the test, e.g. 'fcut1')");
        }
    }

    String namespace(Site s) { return prefix + "-" + s.suffix(); }

    /** The site-link end inside site s. */
    String siteLink(Site s) { return prefix + "-s" + s.suffix(); }

    /** The management-link end in the root namespace for site s. */
    String rootSide(Site s) { return prefix + "-r" + s.suffix(); }

    /** The management-link end inside site s. */
    String inside(Site s) { return prefix + "-i" + s.suffix(); }

    /** Every interface name that may exist in the root namespace (root ends, or half-created pairs). */
    List<String> allInterfaces() {
        return List.of(rootSide(Site.A), rootSide(Site.B), inside(Site.A), inside(Site.B),
                siteLink(Site.A), siteLink(Site.B));
    }
}
