package io.ferry.vault.auth;

/** What a user may do. Each role includes the ones below it. */
public enum Role {
    /** Reads everything. */
    VIEWER,
    /** Also runs operations (protect, unprotect, cancel) and manages policies and pairings. */
    OPERATOR,
    /** Also manages users, sites and registration keys and reads the audit log. */
    ADMIN;

    public boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    public static Role parse(String s) {
        try {
            return Role.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("role must be ADMIN, OPERATOR or VIEWER, got '" + s + "'");
        }
    }
}
