package org.healthpredict.core.data.synthetic;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.healthpredict.core.data.RawSchema;

/**
 * The 47 raw columns that describe an encounter: all but the two ids and the label. The fitted
 * generator models them jointly; ids and the label are made separately.
 */
final class FeatureColumns {

  static final List<String> NAMES = RawSchema.columns().stream()
      .filter(c -> !c.equals(RawSchema.ENCOUNTER_ID) && !c.equals(RawSchema.PATIENT_NBR)
          && !c.equals(RawSchema.READMITTED))
      .toList();

  private static final Map<String, Integer> INDEX = IntStream.range(0, NAMES.size()).boxed()
      .collect(Collectors.toUnmodifiableMap(NAMES::get, Function.identity()));

  /** Each feature column's position among the 50 raw columns. */
  private static final int[] RAW_POSITION = NAMES.stream().mapToInt(RawSchema.columns()::indexOf).toArray();

  private FeatureColumns() {}

  static int index(String column) {
    Integer i = INDEX.get(column);
    if (i == null) {
      throw new IllegalArgumentException("not a feature column: " + column + "; expected one of " + NAMES);
    }
    return i;
  }

  /** Counts (days, procedures, visits ...) where a larger value means more; the rest are categories or codes. */
  static boolean isCount(String column) {
    return SyntheticSource.JITTERED.contains(column);
  }

  /** The feature fields of a raw row (50 fields, raw column order). */
  static String[] of(String[] raw) {
    String[] out = new String[RAW_POSITION.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = raw[RAW_POSITION[i]];
    }
    return out;
  }

  /** Each feature column's position among the 50 raw columns. */
  static int[] rawPositions() {
    return RAW_POSITION.clone();
  }
}
