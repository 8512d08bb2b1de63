package io.ferry.cli;

/** How a command prints its result. */
public enum OutputFormat { TABLE, JSON }
