package io.ferry.datapath.restore;

/** Image formats a point can be materialized into. */
public enum ImageFormat {
    RAW, QCOW2;

    public String qemuName() {
        return name().toLowerCase();
    }

    public static ImageFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown image format '" + s + "'; use raw or qcow2");
        }
    }
}
