package io.ferry.vault.store;

/** An update or delete named an object (or a create named a referenced object) that does not exist. */
public class NotFoundException extends StoreException {
  private final String kind;
  private final String id;

  public NotFoundException(String kind, String id, String operation) {
    super("cannot " + operation + ": " + kind + " " + id + " does not exist",
        "list the " + kind + "s to see which ids exist; it may have been deleted meanwhile");
    this.kind = kind;
    this.id = id;
  }

  /** The kind of object, e.g. {@code "site"}, {@code "protected machine"}. */
  public String kind() {
    return kind;
  }

  public String id() {
    return id;
  }
}
