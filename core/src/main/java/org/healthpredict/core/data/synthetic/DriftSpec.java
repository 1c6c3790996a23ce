package org.healthpredict.core.data.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.healthpredict.core.data.RawSchema;

/**
 * A scheduled drift: from encounter {@code onset} (a fraction of the generated rows) on, a growing
 * share of encounters (reaching all of them after {@code ramp}) is drifted. A drifted encounter gets
 * each covariate change (with its own {@code share}) and is labelled by a changed teacher when the
 * spec has a concept part. Written as YAML; see conf/drift/ for examples.
 */
public record DriftSpec(String name, String description, double onset, double ramp, List<Change> covariate,
    Map<String, Double> concept) implements Serializable {

  private static final Set<String> KEYS = Set.of("name", "description", "onset", "ramp", "covariate", "concept");
  private static final Set<String> CHANGE_KEYS = Set.of("column", "shift", "set", "scale", "share");

  /** What the drift changes. */
  public enum Kind { COVARIATE, CONCEPT, COVARIATE_AND_CONCEPT }

  /** One covariate change of one column; exactly one of shift, set and scale. */
  public record Change(String column, Integer shift, String set, Double scale, double share) implements Serializable {

    /** Applies the change to a drifted encounter's fields in place; {@code order} is the column's value order. */
    void apply(String[] features, List<String> order, SplittableRandom random) {
      if (share < 1 && random.nextDouble() >= share) {
        return;
      }
      int c = FeatureColumns.index(column);
      String value = features[c];
      if (set != null) {
        features[c] = set;
      } else if (value.equals(RawSchema.MISSING)) {
        return;
      } else if (scale != null) {
        features[c] = Long.toString(Math.round(Integer.parseInt(value) * scale));
      } else if (FeatureColumns.isCount(column)) {
        features[c] = Integer.toString(Math.max(0, Integer.parseInt(value) + shift));
      } else {
        int at = order.indexOf(value);
        features[c] = order.get(Math.max(0, Math.min(order.size() - 1, at + shift)));
      }
    }
  }

  public Kind kind() {
    if (concept.isEmpty()) {
      return Kind.COVARIATE;
    }
    return covariate.isEmpty() ? Kind.CONCEPT : Kind.COVARIATE_AND_CONCEPT;
  }

  /** The first drifted encounter index of {@code rows} generated ones. */
  public long onsetIndex(long rows) {
    return Math.round(onset * rows);
  }

  /** Encounters over which the drifted share grows from 0 to 1. */
  public long rampRows(long rows) {
    return Math.round(ramp * rows);
  }

  /** The probability that encounter {@code i} of {@code rows} is drifted. */
  double weight(long i, long rows) {
    long from = onsetIndex(rows);
    if (i < from) {
      return 0;
    }
    long rampRows = rampRows(rows);
    return rampRows == 0 ? 1 : Math.min(1.0, (double) (i - from + 1) / rampRows);
  }

  /** Reads a spec; every error names the file and the field. */
  public static DriftSpec parse(String yaml, String where) {
    Object tree;
    try {
      tree = new ObjectMapper(new YAMLFactory()).readValue(yaml, Object.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + ": not valid YAML: " + e.getMessage(), e);
    }
    if (!(tree instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + ": expected a mapping with " + KEYS);
    }
    unknownKeys(map, KEYS, where);
    String name = text(map.get("name"), where + ": name");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(where + ": name: expected a non-empty name");
    }
    double onset = fraction(map.get("onset"), where + ": onset", null);
    double ramp = fraction(map.get("ramp"), where + ": ramp", 0.0);
    List<Change> changes = new ArrayList<>();
    Object covariate = map.get("covariate");
    if (covariate != null) {
      if (!(covariate instanceof List<?> list)) {
        throw new IllegalArgumentException(where + ": covariate: expected a list of changes");
      }
      for (int i = 0; i < list.size(); i++) {
        changes.add(change(list.get(i), where + ": covariate[" + i + "]"));
      }
    }
    Map<String, Double> concept = new LinkedHashMap<>();
    Object conceptPart = map.get("concept");
    if (conceptPart != null) {
      if (!(conceptPart instanceof Map<?, ?> c)) {
        throw new IllegalArgumentException(where + ": concept: expected 'scale: {column: factor, ...}'");
      }
      unknownKeys(c, Set.of("scale"), where + ": concept");
      if (!(c.get("scale") instanceof Map<?, ?> scale) || scale.isEmpty()) {
        throw new IllegalArgumentException(where + ": concept.scale: expected a mapping of column to factor");
      }
      for (Map.Entry<?, ?> e : scale.entrySet()) {
        String column = column(String.valueOf(e.getKey()), where + ": concept.scale");
        concept.put(column, number(e.getValue(), where + ": concept.scale." + column));
      }
    }
    if (changes.isEmpty() && concept.isEmpty()) {
      throw new IllegalArgumentException(where + ": expected a covariate list, a concept part, or both");
    }
    return new DriftSpec(name, text(map.get("description"), where + ": description"), onset, ramp,
        List.copyOf(changes), Map.copyOf(concept));
  }

  private static Change change(Object item, String where) {
    if (!(item instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + ": expected a mapping with " + CHANGE_KEYS);
    }
    unknownKeys(map, CHANGE_KEYS, where);
    String column = column(text(map.get("column"), where + ": column"), where);
    int given = (map.containsKey("shift") ? 1 : 0) + (map.containsKey("set") ? 1 : 0) + (map.containsKey("scale") ? 1 : 0);
    if (given != 1) {
      throw new IllegalArgumentException(where + " (" + column + "): expected exactly one of shift, set, scale");
    }
    Integer shift = null;
    if (map.containsKey("shift")) {
      double s = number(map.get("shift"), where + ": shift");
      if (s != Math.rint(s) || s == 0) {
        throw new IllegalArgumentException(where + ": shift: expected a non-zero whole number of steps, found " + s);
      }
      shift = (int) s;
    }
    Double scale = null;
    if (map.containsKey("scale")) {
      if (!FeatureColumns.isCount(column)) {
        throw new IllegalArgumentException(where + ": scale applies to counts only, and " + column + " is not one of "
            + SyntheticSource.JITTERED);
      }
      scale = number(map.get("scale"), where + ": scale");
      if (!(scale > 0)) {
        throw new IllegalArgumentException(where + ": scale: expected a positive factor, found " + scale);
      }
    }
    String set = map.containsKey("set") ? text(map.get("set"), where + ": set") : null;
    if (map.containsKey("set") && (set == null || set.isBlank())) {
      throw new IllegalArgumentException(where + ": set: expected a value");
    }
    double share = map.containsKey("share") ? number(map.get("share"), where + ": share") : 1.0;
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException(where + ": share: expected a fraction in (0, 1], found " + share);
    }
    return new Change(column, shift, set, scale, share);
  }

  private static String column(String name, String where) {
    if (name == null || !FeatureColumns.NAMES.contains(name)) {
      throw new IllegalArgumentException(where + ": '" + name + "' is not a feature column; expected one of "
          + FeatureColumns.NAMES);
    }
    return name;
  }

  private static double fraction(Object value, String where, Double fallback) {
    if (value == null) {
      if (fallback == null) {
        throw new IllegalArgumentException(where + ": required, a fraction of the generated rows in [0, 1]");
      }
      return fallback;
    }
    double f = number(value, where);
    if (!(f >= 0 && f <= 1)) {
      throw new IllegalArgumentException(where + ": expected a fraction of the generated rows in [0, 1], found " + f);
    }
    return f;
  }

  private static double number(Object value, String where) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(where + ": expected a number, found " + value);
  }

  private static String text(Object value, String where) {
    if (value == null) {
      return null;
    }
    if (value instanceof Map || value instanceof List) {
      throw new IllegalArgumentException(where + ": expected text, found " + value);
    }
    return String.valueOf(value);
  }

  private static void unknownKeys(Map<?, ?> map, Set<String> allowed, String where) {
    for (Object key : map.keySet()) {
      if (!allowed.contains(String.valueOf(key))) {
        throw new IllegalArgumentException(where + ": unknown field '" + key + "'; expected " + allowed);
      }
    }
  }
}
