/**
 * A two-site network for tests: the "primary site" and the "recovery site" each live in their
 * own Linux network namespace, joined by a veth "site link" that tests can cut or throttle, and
 * each linked to the root namespace (where the vault runs) by its own "management" veth pair.
 *
 * <ul>
 *   <li>{@link io.ferry.lab.net.TwoSiteNetwork}: creates the topology on a free address block,
 *       starts processes inside a site, cuts/restores/limits the site link, tears it all down.</li>
 *   <li>{@link io.ferry.lab.net.Site}: which of the two sites.</li>
 *   <li>{@link io.ferry.lab.net.NetLabException}: an {@code ip} or {@code tc} command failed; names
 *       the object, the command line, its exit code, its stderr and a hint.</li>
 * </ul>
 *
 * <p>Depends on the JDK only (no other Ferry module). It runs {@code ip} and {@code tc} from
 * iproute2 and needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for {@code ip netns}). Each site gets
 * only the connected routes it needs and no default route, so traffic between the sites can only
 * cross the site link, never the root namespace; nothing relies on {@code ip_forward}.
 */
package io.ferry.lab.net;
