package io.ferry.repository;

import java.nio.file.Path;

/** What unlocks a repository: nothing, a passphrase, or a file of exactly 32 random bytes. */
public sealed interface KeySource {
  record Passphrase(char[] value) implements KeySource {
    @Override
    public String toString() {
      return "Passphrase[***]";
    }
  }

  record KeyFile(Path file) implements KeySource {}

  record None() implements KeySource {}

  /** The encryption mode this key source belongs to. */
  default Encryption mode() {
    return switch (this) {
      case Passphrase p -> Encryption.PASSPHRASE;
      case KeyFile k -> Encryption.KEYFILE;
      case None n -> Encryption.NONE;
    };
  }
}
