package org.healthpredict.core.data.synthetic;

import java.io.Serializable;
import java.util.SplittableRandom;
import org.healthpredict.core.data.RawSchema;

/**
 * Makes synthetic encounter number {@code i} from a {@link SyntheticSource}: a resampled real row
 * with new ids and jittered counts. Each row depends only on (seed, i), never on which Spark task
 * makes it, so the output is the same for a seed however it is partitioned.
 *
 * <p>Patients: row {@code i} is a new patient with probability {@code 1 / encountersPerPatient} of
 * the source; otherwise it is a revisit of the patient of an earlier row within the revisit window.
 * That earlier row's patient is found by replaying its own draw, so no shared state is needed and
 * the expected number of distinct patients is {@code rows / encountersPerPatient}, as in the source.
 */
public final class SyntheticRows implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * First synthetic ids. Both lie above every id of the published data set (encounter_id up to
   * 443,867,222; patient_nbr up to 189,502,619), so synthetic and real rows never collide, and they
   * stay below 2^31 for up to {@link #MAX_ROWS} rows for readers that use 32-bit ids.
   */
  public static final long ENCOUNTER_ID_BASE = 1_000_000_000L;
  public static final long PATIENT_NBR_BASE = 500_000_000L;
  public static final long MAX_ROWS = 1_000_000_000L;

  /**
   * Revisits come from the preceding tenth of the rows: the source spans ten years, and patients
   * tend to come back within about a year rather than at any time.
   */
  static final double REVISIT_WINDOW_FRACTION = 0.1;

  /** Jitter standard deviation as a share of the value; zero counts stay zero. */
  static final double RELATIVE_JITTER = 0.1;
  /** Smallest jitter standard deviation of a non-zero count, so small counts still move by ±1 now and then. */
  static final double MIN_JITTER = 0.5;

  private static final long ROW_STREAM = 0x5EED_0001L;
  private static final long PATIENT_STREAM = 0x5EED_0002L;

  private final SyntheticSource source;
  private final long seed;
  private final long rows;
  private final double newPatientProbability;
  private final long revisitWindow;
  private final int encounterColumn;
  private final int patientColumn;

  public SyntheticRows(SyntheticSource source, long seed, long rows) {
    if (rows < 1 || rows > MAX_ROWS) {
      throw new IllegalArgumentException("rows: expected 1.." + MAX_ROWS + ", found " + rows);
    }
    this.source = source;
    this.seed = seed;
    this.rows = rows;
    this.newPatientProbability = 1.0 / source.encountersPerPatient();
    this.revisitWindow = Math.max(1, (long) Math.ceil(rows * REVISIT_WINDOW_FRACTION));
    this.encounterColumn = RawSchema.columns().indexOf(RawSchema.ENCOUNTER_ID);
    this.patientColumn = RawSchema.columns().indexOf(RawSchema.PATIENT_NBR);
  }

  public long rows() {
    return rows;
  }

  /** The 50 raw fields of row {@code i}, in {@link RawSchema#columns()} order. */
  public String[] row(long i) {
    SplittableRandom random = new SplittableRandom(mix(seed, ROW_STREAM, i));
    int pick = random.nextInt(source.size());
    String[] out = source.row(pick).clone();
    out[encounterColumn] = Long.toString(ENCOUNTER_ID_BASE + i);
    out[patientColumn] = Long.toString(patientOf(i));
    for (int c = 0; c < SyntheticSource.JITTERED.size(); c++) {
      int value = source.count(c, pick);
      if (value != SyntheticSource.MISSING_COUNT) {
        out[source.jitteredColumn(c)] = Integer.toString(jitter(value, source.min(c), source.max(c), random));
      }
    }
    return out;
  }

  /** The patient_nbr of row {@code i}: its own new number, or that of the earlier row it revisits. */
  public long patientOf(long i) {
    long j = i;
    while (true) {
      SplittableRandom random = new SplittableRandom(mix(seed, PATIENT_STREAM, j));
      if (j == 0 || random.nextDouble() < newPatientProbability) {
        return PATIENT_NBR_BASE + j;
      }
      j = j - 1 - random.nextLong(Math.min(j, revisitWindow));
    }
  }

  private static int jitter(int value, int min, int max, SplittableRandom random) {
    if (value == 0) {
      // Most prior-visit counts are 0; moving zeros would inflate them, since only +1 survives the clamp.
      return 0;
    }
    double sd = Math.max(MIN_JITTER, RELATIVE_JITTER * value);
    long moved = value + Math.round(random.nextGaussian() * sd);
    return (int) Math.max(min, Math.min(max, moved));
  }

  /** A well-mixed 64-bit seed for one (seed, stream, index); SplitMix64's finaliser, applied in turn. */
  static long mix(long seed, long stream, long index) {
    return mix64(mix64(mix64(seed) ^ stream) + index);
  }

  private static long mix64(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
