package org.healthpredict.core.data.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.healthpredict.core.data.RawSchema;

/**
 * Makes synthetic encounter number {@code i} from a {@link GeneratorModel}: features drawn from the
 * fitted distribution (no real row is copied), drifted when a {@link DriftSpec} says so, and a label
 * drawn from the teacher's probability, which is kept as the encounter's oracle. Features, drift and
 * label use separate random streams of (seed, i): the same seed gives the same features with and
 * without a concept drift, and the same rows before a drift's onset.
 */
public final class FittedRows implements EncounterRows {

  private static final long serialVersionUID = 1L;

  private static final long FEATURE_STREAM = 0x5EED_0011L;
  private static final long DRIFT_STREAM = 0x5EED_0012L;
  private static final long LABEL_STREAM = 0x5EED_0013L;

  /** One generated encounter: its 50 raw fields, its teacher probability, and whether it is drifted. */
  public record Encounter(String[] fields, double probability, boolean drifted) {}

  private final GeneratorModel model;
  private final DriftSpec drift;
  private final Teacher driftedTeacher;
  private final List<List<String>> changeOrders;
  private final long seed;
  private final long rows;
  private final PatientSequence patients;
  private final int encounterColumn;
  private final int patientColumn;
  private final int readmittedColumn;
  private final int[] featureColumns;

  /** {@code drift} may be null: no drift. */
  public FittedRows(GeneratorModel model, DriftSpec drift, long seed, long rows) {
    if (rows < 1 || rows > SyntheticRows.MAX_ROWS) {
      throw new IllegalArgumentException("rows: expected 1.." + SyntheticRows.MAX_ROWS + ", found " + rows);
    }
    this.model = model;
    this.drift = drift;
    this.driftedTeacher = drift == null || drift.concept().isEmpty() ? model.teacher()
        : model.teacher().withColumnsScaled(drift.concept());
    this.changeOrders = new ArrayList<>();
    if (drift != null) {
      for (DriftSpec.Change change : drift.covariate()) {
        changeOrders.add(naturalOrder(model, change.column()));
      }
    }
    this.seed = seed;
    this.rows = rows;
    this.patients = new PatientSequence(seed, rows, model.encountersPerPatient());
    List<String> all = RawSchema.columns();
    this.encounterColumn = all.indexOf(RawSchema.ENCOUNTER_ID);
    this.patientColumn = all.indexOf(RawSchema.PATIENT_NBR);
    this.readmittedColumn = all.indexOf(RawSchema.READMITTED);
    this.featureColumns = FeatureColumns.rawPositions();
  }

  @Override
  public long rows() {
    return rows;
  }

  public GeneratorModel model() {
    return model;
  }

  @Override
  public String[] row(long i) {
    return encounter(i).fields();
  }

  public Encounter encounter(long i) {
    String[] features = model.sampleFeatures(new SplittableRandom(SeedMix.mix(seed, FEATURE_STREAM, i)));
    boolean drifted = false;
    if (drift != null) {
      SplittableRandom random = new SplittableRandom(SeedMix.mix(seed, DRIFT_STREAM, i));
      double w = drift.weight(i, rows);
      drifted = w > 0 && random.nextDouble() < w;
      if (drifted) {
        for (int c = 0; c < drift.covariate().size(); c++) {
          drift.covariate().get(c).apply(features, changeOrders.get(c), random);
        }
      }
    }
    double p = GeneratorModel.probability(drifted ? driftedTeacher : model.teacher(), features);
    SplittableRandom label = new SplittableRandom(SeedMix.mix(seed, LABEL_STREAM, i));
    String readmitted = label.nextDouble() < p ? RawSchema.READMITTED_POSITIVE
        : label.nextDouble() < model.over30ShareOfNegatives() ? ">30" : "NO";
    String[] out = new String[RawSchema.columns().size()];
    for (int f = 0; f < features.length; f++) {
      out[featureColumns[f]] = features[f];
    }
    out[encounterColumn] = Long.toString(SyntheticRows.ENCOUNTER_ID_BASE + i);
    out[patientColumn] = Long.toString(patients.patientOf(i));
    out[readmittedColumn] = readmitted;
    return new Encounter(out, p, drifted);
  }

  /** A category's known values in natural order (the order a "shift" moves along), without the missing marker. */
  private static List<String> naturalOrder(GeneratorModel model, String column) {
    return model.columns().stream().filter(c -> c.name().equals(column)).findFirst().orElseThrow()
        .values().stream().filter(v -> !v.equals(RawSchema.MISSING)).sorted().toList();
  }
}
