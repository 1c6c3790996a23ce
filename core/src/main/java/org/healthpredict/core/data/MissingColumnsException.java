package org.healthpredict.core.data;

import java.util.List;

/** A raw file lacks required columns; the message names the file and every missing column. */
public final class MissingColumnsException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final List<String> missing;

  public MissingColumnsException(String source, List<String> missing) {
    super(source + ": missing required column" + (missing.size() > 1 ? "s " : " ")
        + String.join(", ", missing) + " (expected the 50 columns of diabetic_data.csv)");
    this.missing = List.copyOf(missing);
  }

  public List<String> missing() {
    return missing;
  }
}
