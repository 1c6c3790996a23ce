package org.healthpredict.core.data.synthetic;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The patient_nbr of every synthetic encounter: row {@code i} is a new patient with probability
 * {@code 1 / encountersPerPatient}; otherwise it revisits the patient of an earlier row within the
 * revisit window. That earlier row's patient is found by replaying its own draw, so no shared state
 * is needed and the expected number of distinct patients is {@code rows / encountersPerPatient}.
 */
final class PatientSequence implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Revisits come from the preceding tenth of the rows: the source spans ten years, and patients
   * tend to come back within about a year rather than at any time.
   */
  static final double REVISIT_WINDOW_FRACTION = 0.1;

  private static final long PATIENT_STREAM = 0x5EED_0002L;

  private final long seed;
  private final double newPatientProbability;
  private final long revisitWindow;

  PatientSequence(long seed, long rows, double encountersPerPatient) {
    if (!(encountersPerPatient >= 1.0)) {
      throw new IllegalArgumentException("encounters per patient: expected at least 1, found " + encountersPerPatient);
    }
    this.seed = seed;
    this.newPatientProbability = 1.0 / encountersPerPatient;
    this.revisitWindow = Math.max(1, (long) Math.ceil(rows * REVISIT_WINDOW_FRACTION));
  }

  /** The patient_nbr of row {@code i}: its own new number, or that of the earlier row it revisits. */
  long patientOf(long i) {
    long j = i;
    while (true) {
      SplittableRandom random = new SplittableRandom(SeedMix.mix(seed, PATIENT_STREAM, j));
      if (j == 0 || random.nextDouble() < newPatientProbability) {
        return SyntheticRows.PATIENT_NBR_BASE + j;
      }
      j = j - 1 - random.nextLong(Math.min(j, revisitWindow));
    }
  }
}
