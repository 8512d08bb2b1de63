package io.ferry.repository;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** A wrapper that records every put (the way behaviour is added to a store: by wrapping). */
final class CountingBlobStore implements BlobStore {
  final BlobStore inner;
  final List<String> puts = new CopyOnWriteArrayList<>();

  CountingBlobStore(BlobStore inner) {
    this.inner = inner;
  }

  long puts(String prefix) {
    return puts.stream().filter(k -> k.startsWith(prefix)).count();
  }

  void reset() {
    puts.clear();
  }

  @Override
  public void put(String key, byte[] data) throws IOException {
    puts.add(key);
    inner.put(key, data);
  }

  @Override
  public byte[] get(String key) throws IOException {
    return inner.get(key);
  }

  @Override
  public boolean exists(String key) throws IOException {
    return inner.exists(key);
  }

  @Override
  public void delete(String key) throws IOException {
    inner.delete(key);
  }

  @Override
  public Stream<BlobInfo> list(String prefix) throws IOException {
    return inner.list(prefix);
  }

  @Override
  public void sync() throws IOException {
    inner.sync();
  }

  @Override
  public String location() {
    return inner.location();
  }

  @Override
  public Stream<BlobInfo> temporaries() throws IOException {
    return inner.temporaries();
  }

  @Override
  public void deleteTemporary(String key) throws IOException {
    inner.deleteTemporary(key);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
