package org.healthpredict.core.features;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.healthpredict.core.data.CsvLine;

/**
 * Names the admission type, discharge disposition and admission source codes from the data set's
 * own code tables (IDs_mapping.csv), so that one-hot columns and drift reports read as words and
 * the codes are never treated as magnitudes.
 */
public final class IdNames {

  /** Name of an id that is absent from the code table. */
  public static final String UNKNOWN = "unknown";
  public static final String MISSING = Categories.MISSING;

  static final String RESOURCE = "IDs_mapping.csv";

  private IdNames() {}

  /** admission_type_id → name, e.g. 1 → "Emergency". */
  public static String admissionType(Integer id) {
    return name(Tables.INSTANCE.admissionType, id);
  }

  /** discharge_disposition_id → name, e.g. 11 → "Expired". */
  public static String dischargeDisposition(Integer id) {
    return name(Tables.INSTANCE.dischargeDisposition, id);
  }

  /** admission_source_id → name, e.g. 7 → "Emergency Room". */
  public static String admissionSource(Integer id) {
    return name(Tables.INSTANCE.admissionSource, id);
  }

  private static String name(Map<Integer, String> table, Integer id) {
    if (id == null) {
      return MISSING;
    }
    String name = table.get(id);
    return name == null ? UNKNOWN : name;
  }

  /** The three code tables, loaded once per JVM (driver and each executor) on first use. */
  private static final class Tables {
    static final Tables INSTANCE = load();

    final Map<Integer, String> admissionType;
    final Map<Integer, String> dischargeDisposition;
    final Map<Integer, String> admissionSource;

    private Tables(Map<String, Map<Integer, String>> byHeader) {
      admissionType = require(byHeader, "admission_type_id");
      dischargeDisposition = require(byHeader, "discharge_disposition_id");
      admissionSource = require(byHeader, "admission_source_id");
    }

    private static Map<Integer, String> require(Map<String, Map<Integer, String>> byHeader, String id) {
      Map<Integer, String> table = byHeader.get(id);
      if (table == null || table.isEmpty()) {
        throw new IllegalStateException(RESOURCE + " has no table for " + id + "; found " + byHeader.keySet());
      }
      return Map.copyOf(table);
    }

    private static Tables load() {
      try (InputStream in = IdNames.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("resource " + RESOURCE + " missing next to " + IdNames.class.getName());
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lines.add(line);
        }
        return new Tables(parse(lines));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + RESOURCE, e);
      }
    }
  }

  /**
   * Parses the file's layout: several "id_column,description" tables one after another, each ended
   * by a line holding only ",". Descriptions may be quoted (they hold commas) and some start with a
   * space in the published file, which is trimmed.
   */
  static Map<String, Map<Integer, String>> parse(List<String> lines) {
    Map<String, Map<Integer, String>> tables = new HashMap<>();
    Map<Integer, String> current = null;
    int lineNumber = 0;
    for (String line : lines) {
      lineNumber++;
      List<String> fields = CsvLine.split(line);
      boolean separator = fields.stream().allMatch(f -> f.isBlank());
      if (separator) {
        current = null;
        continue;
      }
      if (fields.size() != 2) {
        throw new IllegalStateException(RESOURCE + " line " + lineNumber + ": expected 2 fields, got "
            + fields.size() + ": " + line);
      }
      String key = fields.get(0).strip();
      String value = fields.get(1).strip();
      if (current == null) {
        current = new HashMap<>();
        tables.put(key, current);
        continue;
      }
      try {
        current.put(Integer.parseInt(key), value);
      } catch (NumberFormatException e) {
        throw new IllegalStateException(RESOURCE + " line " + lineNumber + ": id '" + key
            + "' is not a number", e);
      }
    }
    return tables;
  }
}
