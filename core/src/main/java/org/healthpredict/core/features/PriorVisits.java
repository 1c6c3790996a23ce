package org.healthpredict.core.features;

/** Sums a patient's hospital contacts in the year before the encounter. */
public final class PriorVisits {

  private PriorVisits() {}

  /**
   * number_outpatient + number_emergency + number_inpatient. Null when any part is unknown: a
   * partial sum would understate the total, while null lets the imputer fill a typical value.
   */
  public static Integer total(Integer outpatient, Integer emergency, Integer inpatient) {
    if (outpatient == null || emergency == null || inpatient == null) {
      return null;
    }
    return outpatient + emergency + inpatient;
  }
}
