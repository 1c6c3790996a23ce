package org.healthpredict.core.drift;

import java.util.ArrayList;
import java.util.List;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.features.EngineeredFeatures;

/**
 * A column watched for drift, with its kind and where it comes from.
 *
 * @param name the column name (raw or engineered), as in reports and MLflow metric keys
 * @param kind numerical or categorical
 * @param source "raw", "engineered" or "prediction"
 */
public record MonitoredFeature(String name, FeatureKind kind, String source) {

  public static final String RAW = "raw";
  public static final String ENGINEERED = "engineered";
  public static final String PREDICTION = "prediction";
  /** The champion's readmission probability, as monitored for prediction drift. */
  public static final String PREDICTION_NAME = "readmission_probability";

  /**
   * Every raw column but the identifiers and the label, plus the engineered features. Kinds follow
   * the schema: text is categorical, integers are numerical except the {@code *_id} columns, which
   * are codes (admission type, discharge disposition, admission source) and compare as categories.
   */
  public static List<MonitoredFeature> schemaFeatures() {
    List<MonitoredFeature> out = new ArrayList<>();
    for (String column : RawSchema.columns()) {
      if (column.equals(RawSchema.ENCOUNTER_ID) || column.equals(RawSchema.PATIENT_NBR)
          || column.equals(RawSchema.READMITTED)) {
        continue;
      }
      RawSchema.Kind kind = RawSchema.kind(column);
      boolean numeric = kind == RawSchema.Kind.INT && !column.endsWith("_id");
      out.add(new MonitoredFeature(column, numeric ? FeatureKind.NUMERICAL : FeatureKind.CATEGORICAL, RAW));
    }
    EngineeredFeatures.NUMERIC_OUTPUTS.forEach(c -> out.add(new MonitoredFeature(c, FeatureKind.NUMERICAL, ENGINEERED)));
    EngineeredFeatures.CATEGORICAL_OUTPUTS.forEach(c -> out.add(new MonitoredFeature(c, FeatureKind.CATEGORICAL, ENGINEERED)));
    return List.copyOf(out);
  }

  public static MonitoredFeature prediction() {
    return new MonitoredFeature(PREDICTION_NAME, FeatureKind.NUMERICAL, PREDICTION);
  }
}
