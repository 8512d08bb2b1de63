package io.ferry.hypervisor;

/**
 * A network interface of a domain.
 *
 * @param type libvirt's interface type (network, bridge, direct, user…)
 * @param source the network or bridge name it joins (null for user networking)
 * @param mac its MAC address
 */
public record NicInfo(String type, String source, String mac) {}
