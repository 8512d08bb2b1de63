package io.ferry.hypervisor;

/** libvirt does not know the domain (by name or UUID). */
public final class UnknownDomainException extends HypervisorException {
    public UnknownDomainException(String domain, String operation, String toolError) {
        super("domain '" + domain + "'", operation, toolError, "list domains with `virsh list --all`");
    }
}
