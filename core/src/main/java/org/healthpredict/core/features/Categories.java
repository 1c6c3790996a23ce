package org.healthpredict.core.features;

import java.util.Set;

/** Cleans a categorical value before indexing: missing values become a category of their own. */
public final class Categories {

  /** The category of a missing value; kept separate because missingness itself can predict. */
  public static final String MISSING = "missing";
  /** The category of values outside a learned list of frequent ones. */
  public static final String OTHER = "other";

  private Categories() {}

  /** The value itself, or "missing" when null. */
  public static String orMissing(String value) {
    return value == null ? MISSING : value;
  }

  /** The value if it is one of {@code kept}, "missing" when null, otherwise "other". */
  public static String bucket(String value, Set<String> kept) {
    if (value == null) {
      return MISSING;
    }
    return kept.contains(value) ? value : OTHER;
  }
}
