/**
 * The {@code ferry} commands that talk to a vault over its REST API ({@code /api/v1}, described by
 * {@code vault/src/main/resources/openapi.yaml}): {@code login}, {@code sites}, {@code machines},
 * {@code protect}, {@code jobs --watch}…
 *
 * <p>{@link io.ferry.cli.remote.VaultClient} is the HTTP client (JDK {@code java.net.http}, the
 * vault's CA saved at login, JSON with Jackson); every error answer becomes a
 * {@link io.ferry.cli.remote.VaultException} that commands print as {@code error:}/{@code hint:}
 * lines with exit code 2 (the request was refused) or 3 (the vault failed or could not be
 * reached). {@link io.ferry.cli.remote.CliConfig} holds the login ({@code ~/.config/ferry/cli.json}).
 * Commands accept names or ids wherever they name an object ({@link io.ferry.cli.remote.Resolver}).
 *
 * <p>Depends on picocli, progressbar, Jackson and the JDK only: it talks to the vault as any
 * other client would, never to its classes.
 */
package io.ferry.cli.remote;
