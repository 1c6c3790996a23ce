package org.healthpredict.core.features;

/**
 * Counts diabetes medications (the 23 columns of {@code RawSchema.MEDICATIONS}, each No / Steady /
 * Up / Down) whose dose changed or that the patient takes: a changed regimen marks an unstable
 * patient.
 */
public final class Medications {

  private Medications() {}

  /** Whether one medication's dose was raised or lowered during the encounter. */
  public static boolean isChanged(String value) {
    return "Up".equals(value) || "Down".equals(value);
  }

  /**
   * Whether one medication is in use: any value but "No". A missing value is not counted, since
   * nothing says the patient takes it.
   */
  public static boolean isInUse(String value) {
    return value != null && !"No".equals(value);
  }

  /** How many of the given medication values are Up or Down. */
  public static int changed(Iterable<String> values) {
    int n = 0;
    for (String v : values) {
      if (isChanged(v)) {
        n++;
      }
    }
    return n;
  }

  /** How many of the given medication values are in use. */
  public static int inUse(Iterable<String> values) {
    int n = 0;
    for (String v : values) {
      if (isInUse(v)) {
        n++;
      }
    }
    return n;
  }
}
