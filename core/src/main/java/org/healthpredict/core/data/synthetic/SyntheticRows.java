package org.healthpredict.core.data.synthetic;

import java.util.SplittableRandom;
import org.healthpredict.core.data.RawSchema;

/**
 * Makes synthetic encounter number {@code i} from a {@link SyntheticSource} by resampling: a real
 * row, label included, with new ids and jittered counts. Each real encounter reappears about
 * {@code rows / source size} times, so a model can memorise it: these rows are for throughput
 * figures only, never for model quality (the fitted generator, {@link FittedRows}, is for that).
 * Each row depends only on (seed, i), so the output is the same for a seed however it is partitioned;
 * patients repeat as in the source ({@link PatientSequence}).
 */
public final class SyntheticRows implements EncounterRows {

  private static final long serialVersionUID = 1L;

  /**
   * First synthetic ids. Both lie above every id of the published data set (encounter_id up to
   * 443,867,222; patient_nbr up to 189,502,619), so synthetic and real rows never collide, and they
   * stay below 2^31 for up to {@link #MAX_ROWS} rows for readers that use 32-bit ids.
   */
  public static final long ENCOUNTER_ID_BASE = 1_000_000_000L;
  public static final long PATIENT_NBR_BASE = 500_000_000L;
  public static final long MAX_ROWS = 1_000_000_000L;

  /** Jitter standard deviation as a share of the value; zero counts stay zero. */
  static final double RELATIVE_JITTER = 0.1;
  /** Smallest jitter standard deviation of a non-zero count, so small counts still move by ±1 now and then. */
  static final double MIN_JITTER = 0.5;

  private static final long ROW_STREAM = 0x5EED_0001L;

  private final SyntheticSource source;
  private final long seed;
  private final long rows;
  private final PatientSequence patients;
  private final int encounterColumn;
  private final int patientColumn;

  public SyntheticRows(SyntheticSource source, long seed, long rows) {
    if (rows < 1 || rows > MAX_ROWS) {
      throw new IllegalArgumentException("rows: expected 1.." + MAX_ROWS + ", found " + rows);
    }
    this.source = source;
    this.seed = seed;
    this.rows = rows;
    this.patients = new PatientSequence(seed, rows, source.encountersPerPatient());
    this.encounterColumn = RawSchema.columns().indexOf(RawSchema.ENCOUNTER_ID);
    this.patientColumn = RawSchema.columns().indexOf(RawSchema.PATIENT_NBR);
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public String[] row(long i) {
    SplittableRandom random = new SplittableRandom(SeedMix.mix(seed, ROW_STREAM, i));
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
    return patients.patientOf(i);
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
}
