package io.ferry.repository;

import java.util.ArrayList;
import java.util.List;

/** The temporary files of one batch, in put order: made durable together, then renamed (docs/formats.md §7). */
final class PendingBatch {
  final List<PendingWrite> writes = new ArrayList<>();
  long bytes;
  /** When the first write joined, for the age limit. */
  long firstNanos;

  void add(PendingWrite pw) {
    if (writes.isEmpty()) firstNanos = System.nanoTime();
    writes.add(pw);
    bytes += pw.size;
  }

  boolean isEmpty() {
    return writes.isEmpty();
  }

  int size() {
    return writes.size();
  }

  /** For messages: "3 blobs (chunks/ab12/ab12…, …)". */
  String describe() {
    return writes.size() + (writes.size() == 1 ? " blob (" : " blobs (") + writes.getFirst().key + (writes.size() > 1 ? ", …)" : ")");
  }
}
