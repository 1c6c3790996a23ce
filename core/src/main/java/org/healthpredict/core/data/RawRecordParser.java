package org.healthpredict.core.data;

import java.io.Serializable;
import java.util.List;

/**
 * Validates one data line of a raw file against the 50-column schema and types it. A line either
 * becomes the values of {@link RawSchema#typedSchema()} or is rejected with a reason that names the
 * offending field and what was expected.
 */
public final class RawRecordParser implements Serializable {

  private static final long serialVersionUID = 1L;

  private final RawHeader header;
  private final List<String> columns = RawSchema.columns();
  private final RawSchema.Kind[] kinds;
  private final boolean[] required;
  private final int readmittedIndex;

  public RawRecordParser(RawHeader header) {
    this.header = header;
    // Looked up once here, not per field of every line: parse runs for each row of the input.
    this.kinds = columns.stream().map(RawSchema::kind).toArray(RawSchema.Kind[]::new);
    this.required = new boolean[columns.size()];
    for (int i = 0; i < required.length; i++) {
      required[i] = RawSchema.isRequiredValue(columns.get(i));
    }
    this.readmittedIndex = columns.indexOf(RawSchema.READMITTED);
  }

  /** The outcome for one line: typed values, or a rejection reason. */
  public record Parsed(Object[] values, String rejection) {
    public boolean accepted() {
      return rejection == null;
    }
  }

  public Parsed parse(String line) {
    List<String> fields;
    try {
      fields = CsvLine.split(line);
    } catch (IllegalArgumentException e) {
      return reject("malformed CSV: " + e.getMessage());
    }
    if (fields.size() != header.width()) {
      return reject("wrong column count: expected " + header.width() + ", found " + fields.size());
    }
    Object[] values = new Object[columns.size() + 1];
    for (int i = 0; i < columns.size(); i++) {
      String column = columns.get(i);
      String raw = fields.get(header.position(i)).trim();
      if (raw.isEmpty() || raw.equals(RawSchema.MISSING)) {
        if (required[i]) {
          return reject(column + ": missing value, a value is required");
        }
        values[i] = null;
        continue;
      }
      switch (kinds[i]) {
        case ID -> {
          Long id = parseLong(raw);
          if (id == null) {
            return reject(column + ": expected an integer id, found '" + raw + "'");
          }
          values[i] = id;
        }
        case INT -> {
          Long n = parseLong(raw);
          if (n == null || n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            return reject(column + ": expected an integer, found '" + raw + "'");
          }
          values[i] = n.intValue();
        }
        case TEXT -> values[i] = raw;
      }
    }
    String readmitted = (String) values[readmittedIndex];
    if (!RawSchema.READMITTED_VALUES.contains(readmitted)) {
      return reject("readmitted: expected one of NO, >30, <30, found '" + readmitted + "'");
    }
    values[columns.size()] = RawSchema.READMITTED_POSITIVE.equals(readmitted) ? 1 : 0;
    return new Parsed(values, null);
  }

  private static Parsed reject(String reason) {
    return new Parsed(null, reason);
  }

  private static Long parseLong(String raw) {
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
