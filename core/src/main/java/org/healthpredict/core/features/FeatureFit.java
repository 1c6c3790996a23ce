package org.healthpredict.core.features;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Fits the feature stages of a model family to the PipelineModel {@code Pipeline.fit} gives, in
 * fewer Spark jobs: the top-K list of {@link TopCategories} and the labels of {@link CategoryOneHot}
 * (a StringIndexer's), which those estimators learn in two passes of five jobs, come from one pass
 * counting every categorical value; the Imputer and StandardScaler are fitted by Spark itself. A
 * Spark job costs tens to hundreds of milliseconds however small its input (docs/benchmarks.md), so
 * this is what makes small fits cheap. FeatureFitTest proves both fits give the same stages.
 *
 * <p>Every fit of the feature stages goes through here: {@code jobs train}, a sweep's shared
 * features and its refit, and {@code bench-data}.
 */
public final class FeatureFit {

  private FeatureFit() {}

  /** The fitted {@link FeaturePipeline#stages} of {@code family}, learned from {@code train}. */
  public static PipelineModel fit(ModelFamily family, Dataset<Row> train) {
    return fit(FeaturePipeline.stages(family), train);
  }

  /**
   * A whole training pipeline (made by {@link FeaturePipeline#pipeline}: feature stages, then the
   * classifier) fitted to {@code train}: what {@code pipeline.fit(train)} gives, uid included.
   */
  public static PipelineModel fit(Pipeline pipeline, Dataset<Row> train) {
    return fit(pipeline.uid(), List.of(pipeline.getStages()), train);
  }

  /** {@code stages} (made by {@link FeaturePipeline#stages}, optionally followed by a classifier) fitted to {@code train}. */
  public static PipelineModel fit(List<PipelineStage> stages, Dataset<Row> train) {
    return fit(Identifiable$.MODULE$.randomUID("pipeline"), stages, train);
  }

  private static PipelineModel fit(String pipelineUid, List<PipelineStage> stages, Dataset<Row> train) {
    TopCategories top = only(stages, TopCategories.class);
    Set<String> filled = Set.of(only(stages, FillMissingCategories.class).getInputCols());
    CategoryOneHot oneHot = only(stages, CategoryOneHot.class);
    int lastEstimator = 0;
    for (int i = 0; i < stages.size(); i++) {
      lastEstimator = stages.get(i) instanceof Estimator<?> ? i : lastEstimator;
    }
    List<Transformer> fitted = new ArrayList<>();
    String[][] labels = null;
    Dataset<Row> current = train;
    for (int i = 0; i < stages.size(); i++) {
      PipelineStage stage = stages.get(i);
      Transformer model;
      if (stage == top) {
        // Counted where top-K is learned; the encoded columns already hold their values there,
        // except for top-K's own output and the nulls FillMissingCategories will replace.
        List<String> columns = new ArrayList<>(List.of(top.getInputCol()));
        for (String c : oneHot.getInputCols()) {
          columns.add(c.equals(top.getOutputCol()) ? top.getInputCol() : c);
        }
        List<Map<String, Long>> counts = ValueCounts.of(current, columns);
        String[] kept = mostFrequent(counts.get(0), top.getK());
        Set<String> keptSet = Set.of(kept);
        labels = new String[oneHot.getInputCols().length][];
        for (int c = 0; c < labels.length; c++) {
          String column = oneHot.getInputCols()[c];
          UnaryOperator<String> bucket = column.equals(top.getOutputCol())
              ? v -> Categories.bucket(v, keptSet) : UnaryOperator.identity();
          UnaryOperator<String> fill = filled.contains(column) ? Categories::orMissing : UnaryOperator.identity();
          labels[c] = indexerLabels(counts.get(c + 1), v -> fill.apply(bucket.apply(v)));
        }
        model = top.model(kept);
      } else if (stage == oneHot) {
        model = oneHot.model(labels);
      } else if (stage instanceof Estimator<?> estimator) {
        model = (Transformer) estimator.fit(current);
      } else {
        model = (Transformer) stage;
      }
      fitted.add(model);
      // As Pipeline.fit: stages after the last estimator learn nothing, so need no input.
      if (i < lastEstimator) {
        current = model.transform(current);
      }
    }
    // A Pipeline of transformers only "fits" without touching data: it just collects them.
    return new Pipeline(pipelineUid).setStages(fitted.toArray(PipelineStage[]::new)).fit(train);
  }

  /**
   * TopCategories' list: the k most frequent non-null values, ties by value in Spark SQL's string
   * order, which compares UTF-8 bytes (Java's compareTo differs beyond the Basic Multilingual Plane).
   */
  static String[] mostFrequent(Map<String, Long> counts, int k) {
    Comparator<Map.Entry<String, Long>> byCount = Map.Entry.comparingByValue(Comparator.reverseOrder());
    return counts.entrySet().stream()
        .filter(e -> e.getKey() != null)
        .sorted(byCount.thenComparing(e -> e.getKey().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned))
        .limit(k)
        .map(Map.Entry::getKey)
        .toArray(String[]::new);
  }

  /**
   * StringIndexer's labels (order "frequencyDesc") of the values {@code clean} makes of the counted
   * ones: most frequent first, ties by String order as in StringIndexer.getSortFunc; nulls, which
   * StringIndexer does not count, left out.
   */
  static String[] indexerLabels(Map<String, Long> counts, UnaryOperator<String> clean) {
    Map<String, Long> cleaned = new HashMap<>();
    counts.forEach((value, count) -> {
      String v = clean.apply(value);
      if (v != null) {
        cleaned.merge(v, count, Long::sum);
      }
    });
    Comparator<Map.Entry<String, Long>> byCount = Map.Entry.comparingByValue(Comparator.reverseOrder());
    return cleaned.entrySet().stream()
        .sorted(byCount.thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .toArray(String[]::new);
  }

  private static <T> T only(List<PipelineStage> stages, Class<T> type) {
    List<T> found = stages.stream().filter(type::isInstance).map(type::cast).toList();
    if (found.size() != 1) {
      throw new IllegalStateException("expected one " + type.getSimpleName() + " among the feature stages, found "
          + found.size());
    }
    return found.get(0);
  }
}
