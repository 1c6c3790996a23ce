package org.healthpredict.core.tuning;

/** A search-space file that cannot be used, with the key path of the offending entry. */
public final class SearchSpaceException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String keyPath;

  SearchSpaceException(String source, String keyPath, String problem) {
    super((source == null ? "" : "search space " + source + ": ") + (keyPath.isEmpty() ? "" : keyPath + ": ") + problem);
    this.keyPath = keyPath;
  }

  /** Dotted path of the offending key, e.g. {@code families.gbt.params.maxDepth}; empty for the whole file. */
  public String keyPath() {
    return keyPath;
  }
}
