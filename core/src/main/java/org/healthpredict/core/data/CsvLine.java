package org.healthpredict.core.data;

import java.util.ArrayList;
import java.util.List;

/** Splits one CSV line (RFC 4180 quoting, comma separator) into fields. */
public final class CsvLine {

  private CsvLine() {}

  /**
   * Fields of one line. Quoted fields may hold commas and doubled quotes; a line with an unclosed
   * quote is malformed and raises {@link IllegalArgumentException}.
   */
  public static List<String> split(String line) {
    List<String> fields = new ArrayList<>(52);
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(ch);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unclosed quote");
    }
    fields.add(stripCarriageReturn(field.toString()));
    return fields;
  }

  /** Writes fields as one CSV line, quoting only where needed. */
  public static String join(List<String> fields) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      String f = fields.get(i);
      if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0) {
        out.append('"').append(f.replace("\"", "\"\"")).append('"');
      } else {
        out.append(f);
      }
    }
    return out.toString();
  }

  private static String stripCarriageReturn(String last) {
    return last.endsWith("\r") ? last.substring(0, last.length() - 1) : last;
  }
}
