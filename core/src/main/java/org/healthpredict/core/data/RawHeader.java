package org.healthpredict.core.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The header line of a raw file: where each of the 50 raw columns stands. Files may order columns
 * differently or carry extra ones; a file missing any raw column is refused.
 */
public final class RawHeader implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String line;
  private final int width;
  private final int[] positions;

  private RawHeader(String line, int width, int[] positions) {
    this.line = line;
    this.width = width;
    this.positions = positions;
  }

  /** Parses a header line; {@link MissingColumnsException} names every raw column it lacks. */
  public static RawHeader parse(String source, String line) {
    List<String> names = CsvLine.split(line);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      index.putIfAbsent(names.get(i).trim(), i);
    }
    List<String> raw = RawSchema.columns();
    List<String> missing = new ArrayList<>();
    int[] positions = new int[raw.size()];
    for (int i = 0; i < raw.size(); i++) {
      Integer at = index.get(raw.get(i));
      if (at == null) {
        missing.add(raw.get(i));
      } else {
        positions[i] = at;
      }
    }
    if (!missing.isEmpty()) {
      throw new MissingColumnsException(source, missing);
    }
    return new RawHeader(line, names.size(), positions);
  }

  /** The header exactly as written, to recognise it again at the top of each part file. */
  public String line() {
    return line;
  }

  /** How many fields every data line must have. */
  public int width() {
    return width;
  }

  /** Field index in the file of the i-th raw column ({@link RawSchema#columns()} order). */
  public int position(int rawColumn) {
    return positions[rawColumn];
  }
}
