package org.healthpredict.core.features;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.healthpredict.core.data.RawSchema;

/**
 * Builds the shared feature stages (typed encounters → column "features") and the whole training
 * pipeline, so that one fitted PipelineModel carries feature logic and classifier together.
 *
 * <p>Not used as features: {@code weight} (about 97% missing) and {@code payer_code} (about 40%
 * missing, and the insurer says more about billing than about the patient) carry too little
 * signal for the noise they add; {@code encounter_id} and {@code patient_nbr} are identifiers that
 * would let a model memorise patients; {@code readmitted} and {@code readmitted_binary} are the
 * label. Raw {@code age}, {@code diag_1..3}, the three *_id codes and {@code medical_specialty}
 * enter only through their engineered forms.
 */
public final class FeaturePipeline {

  /** The assembled (and, where the family needs it, scaled) feature vector. */
  public static final String FEATURES = "features";
  /** The top-K bucketed medical_specialty. */
  public static final String MEDICAL_SPECIALTY_TOP = "medical_specialty_top";

  static final String IMPUTED_SUFFIX = "_imputed";
  /** Every categorical column indexed and one-hot encoded, as one vector. */
  public static final String CATEGORIES_ONE_HOT = "categories_onehot";
  static final String UNSCALED = "features_unscaled";
  /**
   * The assembler's uid, the same in every pipeline built here. VectorAssembler names its internal
   * columns after its uid, so a random uid made every fitted pipeline's query code new to Spark's
   * code cache: each fit and transform in one JVM (every sweep trial, every run of a long-lived job)
   * compiled new classes with Janino and left the JIT to compile them again.
   */
  static final String ASSEMBLER_UID = "vecAssembler_features";

  private static final List<String> RAW_NUMERIC = List.of(
      "time_in_hospital", "num_lab_procedures", "num_procedures", "num_medications",
      "number_outpatient", "number_emergency", "number_inpatient", "number_diagnoses");

  private static final List<String> RAW_CATEGORICAL = rawCategorical();

  private FeaturePipeline() {}

  /** Numeric columns going into assembly (after median imputation), engineered ones included. */
  public static List<String> numericFeatures() {
    List<String> out = new ArrayList<>();
    out.add(EngineeredFeatures.AGE_YEARS);
    out.addAll(RAW_NUMERIC);
    out.addAll(List.of(EngineeredFeatures.TOTAL_VISITS, EngineeredFeatures.MEDS_CHANGED,
        EngineeredFeatures.MEDS_IN_USE, EngineeredFeatures.A1C_MEASURED, EngineeredFeatures.GLU_MEASURED));
    return List.copyOf(out);
  }

  /** Categorical columns going into indexing and one-hot encoding, engineered ones included. */
  public static List<String> categoricalFeatures() {
    List<String> out = new ArrayList<>(RAW_CATEGORICAL);
    out.addAll(EngineeredFeatures.CATEGORICAL_OUTPUTS);
    out.add(MEDICAL_SPECIALTY_TOP);
    return List.copyOf(out);
  }

  /**
   * The feature stages for a model family, reading {@link RawSchema#typedSchema()} columns and
   * writing {@link #FEATURES}. Every stage is persistable, so a saved model reloads with them.
   */
  public static List<PipelineStage> stages(ModelFamily family) {
    List<String> numeric = numericFeatures();
    List<String> categorical = categoricalFeatures();
    List<PipelineStage> stages = new ArrayList<>();
    stages.add(new EngineeredFeatures());
    stages.add(new TopCategories().setInputCol("medical_specialty").setOutputCol(MEDICAL_SPECIALTY_TOP)
        .setK(TopCategories.DEFAULT_K));
    // Engineered categoricals are never null already; filling the raw ones is enough.
    stages.add(new FillMissingCategories().setInputCols(RAW_CATEGORICAL.toArray(String[]::new)));
    stages.add(new Imputer()
        .setStrategy("median")
        .setInputCols(numeric.toArray(String[]::new))
        .setOutputCols(suffixed(numeric, IMPUTED_SUFFIX)));
    // StringIndexer + OneHotEncoder, both with "keep" (a category first seen at scoring time gets its
    // own place instead of failing), as one stage with one UDF: see CategoryOneHot for why.
    stages.add(new CategoryOneHot()
        .setInputCols(categorical.toArray(String[]::new))
        .setOutputCol(CATEGORIES_ONE_HOT));
    List<String> assembled = new ArrayList<>(List.of(suffixed(numeric, IMPUTED_SUFFIX)));
    assembled.add(CATEGORIES_ONE_HOT);
    VectorAssembler assembler = new VectorAssembler(ASSEMBLER_UID).setInputCols(assembled.toArray(String[]::new));
    if (family.needsScaling()) {
      stages.add(assembler.setOutputCol(UNSCALED));
      // Scale only: centring would turn the sparse one-hot vectors dense for no gain.
      stages.add(new StandardScaler().setInputCol(UNSCALED).setOutputCol(FEATURES)
          .setWithStd(true).setWithMean(false));
    } else {
      stages.add(assembler.setOutputCol(FEATURES));
    }
    return List.copyOf(stages);
  }

  /**
   * The feature stages followed by the classifier, whose features and label columns (where it has
   * them) are set to {@link #FEATURES} and {@link RawSchema#TARGET}.
   */
  public static Pipeline pipeline(ModelFamily family, PipelineStage classifier) {
    if (classifier.hasParam("featuresCol")) {
      classifier.set(classifier.getParam("featuresCol"), FEATURES);
    }
    if (classifier.hasParam("labelCol")) {
      classifier.set(classifier.getParam("labelCol"), RawSchema.TARGET);
    }
    List<PipelineStage> all = new ArrayList<>(stages(family));
    all.add(classifier);
    return new Pipeline().setStages(all.toArray(PipelineStage[]::new));
  }

  private static String[] suffixed(List<String> columns, String suffix) {
    return columns.stream().map(c -> c + suffix).toArray(String[]::new);
  }

  private static List<String> rawCategorical() {
    List<String> c = new ArrayList<>(List.of("race", "gender", "max_glu_serum", "A1Cresult"));
    c.addAll(RawSchema.MEDICATIONS);
    c.add("change");
    c.add("diabetesMed");
    return List.copyOf(c);
  }
}
