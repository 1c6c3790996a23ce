package org.healthpredict.core.training;

import java.util.Arrays;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;

/**
 * Builds the MLlib classifier of a model family with parameters given by their Spark ML names
 * (e.g. {@code maxDepth=5}), so a user or a search space can set any parameter the estimator has.
 */
public final class Classifiers {

  private Classifiers() {}

  /** The family's classifier with our defaults, then the given parameters, each validated by Spark. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static ProbabilisticClassifier<?, ?, ?> create(ModelFamily family, Map<String, String> params, long seed) {
    ProbabilisticClassifier<?, ?, ?> classifier = defaults(family, seed);
    ParamMap overrides = new ParamMap();
    for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
      Param param = param(classifier, family, e.getKey());
      overrides.put(new ParamPair(param, decode(param, e.getKey(), e.getValue())));
    }
    return (ProbabilisticClassifier<?, ?, ?>) classifier.copy(overrides);
  }

  private static ProbabilisticClassifier<?, ?, ?> defaults(ModelFamily family, long seed) {
    // Defaults chosen for ~11% positives and a few thousand to millions of rows.
    ProbabilisticClassifier<?, ?, ?> c = switch (family) {
      case LR -> new LogisticRegression().setMaxIter(100).setRegParam(0.01).setElasticNetParam(0.0);
      case RF -> new RandomForestClassifier().setNumTrees(100).setMaxDepth(8).setSeed(seed);
      case GBT -> new GBTClassifier().setMaxIter(50).setMaxDepth(5).setStepSize(0.1).setSeed(seed);
    };
    c.setLabelCol(RawSchema.TARGET);
    c.setFeaturesCol(FeaturePipeline.FEATURES);
    return c;
  }

  private static Param<?> param(ProbabilisticClassifier<?, ?, ?> classifier, ModelFamily family, String name) {
    try {
      return classifier.getParam(name);
    } catch (NoSuchElementException e) {
      String known = String.join(", ", Arrays.stream(classifier.params()).map(Param::name).sorted().toList());
      throw new IllegalArgumentException("unknown parameter '" + name + "' for " + family.name().toLowerCase()
          + " (" + classifier.getClass().getSimpleName() + "); known: " + known, e);
    }
  }

  private static Object decode(Param<?> param, String name, String value) {
    try {
      if (param instanceof IntParam || param instanceof LongParam || param instanceof DoubleParam
          || param instanceof FloatParam || param instanceof BooleanParam) {
        return param.jsonDecode(value.trim());
      }
      // Plain Params in MLlib classifiers hold strings (impurity, family, featureSubsetStrategy ...).
      return value;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("parameter " + name + ": cannot read '" + value + "' as "
          + param.getClass().getSimpleName().replace("Param", "").toLowerCase(), e);
    }
  }

  /** Parameter values the fitted estimator actually used (defaults included), for tracking. */
  public static Map<String, String> effectiveParams(ProbabilisticClassifier<?, ?, ?> classifier) {
    Map<String, String> out = new TreeMap<>();
    for (ParamPair<?> pair : classifier.extractParamMap().toList()) {
      String name = pair.param().name();
      if (!name.endsWith("Col") && !name.equals("thresholds")) {
        out.put(name, String.valueOf(pair.value()));
      }
    }
    return out;
  }
}
