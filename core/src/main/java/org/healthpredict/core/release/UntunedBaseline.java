package org.healthpredict.core.release;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.BinaryMetrics;
import org.healthpredict.core.features.FeatureFit;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.registry.Evaluation;
import org.healthpredict.core.registry.PromotionGate;
import org.healthpredict.core.split.SplitRunner;
import org.healthpredict.core.training.Classifiers;

/**
 * The untuned model a candidate must beat before the gate lets it near the champion: logistic
 * regression with the project's defaults, fitted by the register job itself on the split's train and
 * validation rows (the rows a sweep learns from) and scored on the same test rows as the candidate.
 */
public enum UntunedBaseline {
  /** Logistic regression, default parameters, on the standard feature pipeline. */
  LR,
  /** No baseline: only the floors and the champion decide. */
  NONE;

  /** The baseline's evaluation on the test rows, or empty for {@link #NONE}. */
  Optional<PromotionGate.Baseline> evaluate(SparkSession spark, String splitUri, Dataset<Row> test, String testSet,
      Consumer<String> progress) {
    if (this == NONE) {
      return Optional.empty();
    }
    Dataset<Row> rows = part(spark, splitUri, "train").unionByName(part(spark, splitUri, "validation"));
    var model = FeatureFit.fit(FeaturePipeline.pipeline(ModelFamily.LR, Classifiers.create("lr", Map.of(), 42)), rows);
    BinaryMetrics m = BinaryEvaluation.evaluate(model.transform(test), RawSchema.TARGET, "probability");
    String description = "logistic regression with default parameters, fitted on train + validation";
    progress.accept(String.format("untuned baseline (%s) on the same test rows: roc_auc %.4f pr_auc %.4f", description,
        m.rocAuc(), m.prAuc()));
    return Optional.of(new PromotionGate.Baseline(description, new Evaluation(testSet, m.asMap("test_"))));
  }

  private static Dataset<Row> part(SparkSession spark, String splitUri, String name) {
    return spark.read().parquet(splitUri + "/" + SplitRunner.PART_PATHS.get(name));
  }
}
