package io.ferry.transport.tls;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * PEM files on disk: written whole to a temporary file, fsynced and renamed into place (a reader
 * never sees half a key); private keys are created with mode 0600 from the start, never widened.
 */
final class PemFiles {
  private PemFiles() {}

  /** Creates {@code dir} (mode 0700) if missing. */
  static void ensureDirectory(Path dir) throws TlsException {
    if (Files.isDirectory(dir)) return;
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new TlsException("cannot create directory " + dir + " for keys and certificates: " + e, "check that the parent of " + dir + " exists and is writable", e);
    }
  }

  static void writePrivate(Path file, String pem) throws TlsException {
    write(file, pem, "rw-------");
  }

  static void writePublic(Path file, String pem) throws TlsException {
    write(file, pem, "rw-r--r--");
  }

  static String read(Path file) throws TlsException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new TlsException(file + " does not exist", "check the path, or create the identity first", e);
    } catch (IOException e) {
      throw new TlsException("cannot read " + file + ": " + e, "check ownership and mode of " + file, e);
    }
  }

  private static void write(Path file, String pem, String mode) throws TlsException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(pem.getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException ignored) {
        // directory fsync is best effort (not every filesystem allows it)
      }
    } catch (IOException e) {
      throw new TlsException("cannot write " + file + ": " + e, "check that " + dir + " is writable and not full", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the original error matters more
        }
      }
    }
  }
}
