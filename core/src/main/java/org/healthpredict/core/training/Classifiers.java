package org.healthpredict.core.training;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
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
  public static ProbabilisticClassifier<?, ?, ?> create(ModelFamily family, Map<String, ?> params, long seed) {
    return withParams(defaults(family, seed), family.name().toLowerCase(Locale.ROOT), params);
  }

  /**
   * A classifier by search-space family name: lr, rf, gbt, or the class name of any MLlib
   * probabilistic classifier (e.g. org.apache.spark.ml.classification.NaiveBayes), with Spark's defaults.
   */
  public static ProbabilisticClassifier<?, ?, ?> create(String family, Map<String, ?> params, long seed) {
    Optional<ModelFamily> known = knownFamily(family);
    if (known.isPresent()) {
      return create(known.get(), params, seed);
    }
    ProbabilisticClassifier<?, ?, ?> c = instantiate(family);
    c.setLabelCol(RawSchema.TARGET);
    c.setFeaturesCol(FeaturePipeline.FEATURES);
    if (c.hasParam("seed")) {
      c.set(c.getParam("seed"), seed);
    }
    return withParams(c, family, params);
  }

  /**
   * Whether a family's classifier wants scaled features: as {@link ModelFamily#needsScaling()} for the
   * known families; for other classes, everything but trees (which split on order only).
   */
  public static boolean needsScaling(String family) {
    return knownFamily(family).map(ModelFamily::needsScaling)
        .orElse(!(family.contains("Tree") || family.contains("Forest")));
  }

  /** The enum family a search-space name stands for (lr, rf, gbt, any case); empty for a class name. */
  public static Optional<ModelFamily> knownFamily(String family) {
    for (ModelFamily f : ModelFamily.values()) {
      if (f.name().equalsIgnoreCase(family)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  private static ProbabilisticClassifier<?, ?, ?> instantiate(String className) {
    try {
      Object o = Class.forName(className).getConstructor().newInstance();
      if (o instanceof ProbabilisticClassifier<?, ?, ?> c) {
        return c;
      }
      throw new IllegalArgumentException(className + " is not a probabilistic MLlib classifier "
          + "(the sweep ranks trials by probabilities); use lr, rf, gbt or e.g. "
          + "org.apache.spark.ml.classification.NaiveBayes");
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("unknown model family '" + className
          + "': expected lr, rf, gbt or the class name of an MLlib classifier", e);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static ProbabilisticClassifier<?, ?, ?> withParams(ProbabilisticClassifier<?, ?, ?> classifier,
      String family, Map<String, ?> params) {
    ParamMap overrides = new ParamMap();
    for (Map.Entry<String, ?> e : new TreeMap<>(params).entrySet()) {
      Param param = param(classifier, family, e.getKey());
      Object value = e.getValue() instanceof String text ? decode(param, e.getKey(), text)
          : coerce(param, e.getKey(), e.getValue());
      overrides.put(new ParamPair(param, value));
    }
    return (ProbabilisticClassifier<?, ?, ?>) classifier.copy(overrides);
  }

  private static ProbabilisticClassifier<?, ?, ?> defaults(ModelFamily family, long seed) {
    // Defaults chosen for ~11% positives and a few thousand to millions of rows.
    ProbabilisticClassifier<?, ?, ?> c = switch (family) {
      case LR -> new LogisticRegression().setMaxIter(100).setRegParam(0.01).setElasticNetParam(0.0);
      case RF -> new UnprunedRandomForestClassifier().setNumTrees(100).setMaxDepth(8).setSeed(seed);
      case GBT -> new GBTClassifier().setMaxIter(50).setMaxDepth(5).setStepSize(0.1).setSeed(seed);
    };
    c.setLabelCol(RawSchema.TARGET);
    c.setFeaturesCol(FeaturePipeline.FEATURES);
    return c;
  }

  private static Param<?> param(ProbabilisticClassifier<?, ?, ?> classifier, String family, String name) {
    try {
      return classifier.getParam(name);
    } catch (NoSuchElementException e) {
      String known = String.join(", ", Arrays.stream(classifier.params()).map(Param::name).sorted().toList());
      throw new IllegalArgumentException("unknown parameter '" + name + "' for " + family
          + " (" + classifier.getClass().getSimpleName() + "); known: " + known, e);
    }
  }

  private static Object decode(Param<?> param, String name, String value) {
    String v = value.trim();
    try {
      // Parsed by Java, not Param.jsonDecode: its JSON reader refuses "1000" for a double.
      if (param instanceof IntParam) {
        return Integer.parseInt(v);
      }
      if (param instanceof LongParam) {
        return Long.parseLong(v);
      }
      if (param instanceof DoubleParam) {
        return Double.parseDouble(v);
      }
      if (param instanceof FloatParam) {
        return Float.parseFloat(v);
      }
      if (param instanceof BooleanParam) {
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("not a boolean");
        }
        return Boolean.parseBoolean(v);
      }
      // Plain Params in MLlib classifiers hold strings (impurity, family, featureSubsetStrategy ...).
      return value;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("parameter " + name + ": cannot read '" + value + "' as "
          + param.getClass().getSimpleName().replace("Param", "").toLowerCase(), e);
    }
  }

  /** A search space's number in the param's own type (e.g. choice [0, 1] for a DoubleParam). */
  private static Object coerce(Param<?> param, String name, Object value) {
    if (!(value instanceof Number n)) {
      return value;
    }
    if (param instanceof DoubleParam) {
      return n.doubleValue();
    }
    if (param instanceof FloatParam) {
      return n.floatValue();
    }
    if (param instanceof IntParam || param instanceof LongParam) {
      if (n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException("parameter " + name + ": expected a whole number, found " + value);
      }
      return param instanceof IntParam ? (Object) n.intValue() : (Object) n.longValue();
    }
    return value;
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
