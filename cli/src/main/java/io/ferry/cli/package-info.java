/**
 * The {@code ferry} command line: picocli commands mapping one to one onto the data path and
 * the repository ({@code repo init|ls|verify|gc}, {@code capture}, {@code restore},
 * {@code export}) plus {@code demo}, the whole capture/restore cycle on a lab VM.
 *
 * <p>May depend on every other Ferry module. Commands print human tables by default and JSON
 * with {@code --output json}; progress bars go to stderr; errors print one line naming the
 * object and the operation, and a hint.
 */
package io.ferry.cli;
