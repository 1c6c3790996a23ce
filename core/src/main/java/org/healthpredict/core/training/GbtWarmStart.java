package org.healthpredict.core.training;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.feature.Instance;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.tree.DecisionTreeModel;
import org.apache.spark.ml.tree.Split;
import org.apache.spark.ml.tree.TreeConfig$;
import org.apache.spark.ml.tree.impl.BaggedPoint;
import org.apache.spark.ml.tree.impl.DecisionTreeMetadata;
import org.apache.spark.ml.tree.impl.DecisionTreeMetadata$;
import org.apache.spark.ml.tree.impl.GradientBoostedTrees$;
import org.apache.spark.ml.tree.impl.RandomForest$;
import org.apache.spark.ml.tree.impl.TreePoint;
import org.apache.spark.ml.util.DatasetUtils$;
import org.apache.spark.ml.util.MetadataUtils$;
import org.apache.spark.mllib.tree.configuration.Algo$;
import org.apache.spark.mllib.tree.configuration.BoostingStrategy;
import org.apache.spark.mllib.tree.configuration.Strategy;
import org.apache.spark.mllib.tree.impurity.Variance$;
import org.apache.spark.mllib.tree.loss.Loss;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import scala.Function1;
import scala.Option;
import scala.Tuple2;

/**
 * Fits a {@link GBTClassifier} that continues an earlier fit of the same configuration with fewer
 * iterations, and gives exactly the model a fit from scratch would: MLlib's boosting loop
 * ({@code GradientBoostedTrees.boost}, Spark 4.1) replayed step by step on MLlib's own tree builder.
 *
 * <p>Why this is exact: MLlib fits tree {@code m} with seed {@code seed + m} on the pseudo-residuals
 * of the trees before it, binned with splits that depend only on the data, the parameters and the
 * seed. The first {@code k} trees of an {@code n}-iteration fit are therefore the {@code k}-iteration
 * fit, and continuing from them needs only its trees: their predictions on the training rows are
 * summed again in the same order. ASHA promotes a trial from {@code k} to {@code ηk} iterations; with
 * this it pays {@code (η - 1)k} iterations instead of {@code ηk}, as a scheduler with checkpoints would.
 *
 * <p>MLlib has no public API for this: the classes used are {@code private[spark]} in Scala and public
 * in bytecode. {@code GbtWarmStartTest} pins the result to {@code GBTClassifier.fit} tree for tree,
 * so a Spark upgrade that changes the loop fails there first.
 */
public final class GbtWarmStart {

  private GbtWarmStart() {}

  /**
   * The classifier's model on {@code train}, continuing from {@code previous} (null: from scratch),
   * which must come from the same configuration with at most as many iterations, fitted on the same
   * rows in the same partitions (the sweep's cached train part): the parameters are checked here, the
   * rows are the caller's promise.
   */
  public static GBTClassificationModel fit(GBTClassifier classifier, Dataset<Row> train,
      GBTClassificationModel previous) {
    if (previous != null) {
      requireSameConfiguration(classifier, previous);
    }
    if (TreeConfig$.MODULE$.trainingEarlyStopModelSizeThresholdInBytes() != 0
        || classifier.isSet(classifier.validationIndicatorCol())) {
      // MLlib then stops on model size or validation error, which this replay does not reproduce.
      return classifier.fit(train);
    }
    classifier.transformSchema(train.schema());
    String labelCol = classifier.getLabelCol();
    Dataset<Row> casted = train.withColumn(labelCol, col(labelCol).cast(DataTypes.DoubleType));
    // As GradientBoostedTrees.run: labels 0/1 become -1/+1 so classification is boosted as regression.
    RDD<Instance> input = DatasetUtils$.MODULE$.extractInstances(classifier, casted, Option.apply((Object) 2))
        .toJavaRDD().map(x -> new Instance(x.label() * 2 - 1, x.weight(), x.features())).rdd()
        .retag(Instance.class);
    BoostingStrategy boosting = classifier.getOldBoostingStrategy(
        MetadataUtils$.MODULE$.getCategoricalFeatures(train.schema().apply(classifier.getFeaturesCol())),
        Algo$.MODULE$.Classification());
    Trees trees = new Booster(classifier, boosting, input).run(previous);

    for (DecisionTreeRegressionModel tree : trees.models) {
      classifier.copyValues(tree, ParamMap.empty());
    }
    GBTClassificationModel model = new GBTClassificationModel(classifier.uid(), trees.models, trees.weights,
        trees.models[0].numFeatures());
    model.setParent(classifier);
    return classifier.copyValues(model, ParamMap.empty());
  }

  /** Every parameter but the number of iterations must match, or the earlier trees are not a prefix. */
  private static void requireSameConfiguration(GBTClassifier classifier, GBTClassificationModel previous) {
    if (previous.getNumTrees() > classifier.getMaxIter()) {
      throw new IllegalArgumentException("cannot continue a fit of " + previous.getNumTrees()
          + " trees with " + classifier.getMaxIter() + " iterations");
    }
    for (Param<?> p : classifier.params()) {
      if (p.name().equals("maxIter") || !previous.hasParam(p.name())) {
        continue;
      }
      Param<Object> same = previous.getParam(p.name());
      Object wanted = classifier.isDefined(p) ? classifier.getOrDefault(p) : null;
      Object had = previous.isDefined(same) ? previous.getOrDefault(same) : null;
      if (!Objects.deepEquals(wanted, had)) {
        throw new IllegalArgumentException("cannot continue a GBT fit with " + p.name() + "=" + had
            + " as one with " + p.name() + "=" + wanted);
      }
    }
  }

  private record Trees(DecisionTreeRegressionModel[] models, double[] weights) {}

  /** One boosting run: MLlib's loop from iteration {@code k} on, for trees 0..k-1 given. */
  private static final class Booster {
    private final int iterations;
    private final long seed;
    private final String featureSubsetStrategy;
    private final double learningRate;
    private final Loss loss;
    private final Strategy treeStrategy;
    private final RDD<Instance> input;

    Booster(GBTClassifier classifier, BoostingStrategy boosting, RDD<Instance> input) {
      this.iterations = boosting.numIterations();
      this.seed = classifier.getSeed();
      this.featureSubsetStrategy = classifier.getFeatureSubsetStrategy();
      this.learningRate = boosting.learningRate();
      this.loss = boosting.loss();
      this.input = input;
      boosting.assertValid();
      // Each tree is a regression tree with variance impurity, on a copy of the strategy.
      treeStrategy = boosting.treeStrategy().copy();
      treeStrategy.algo_$eq(Algo$.MODULE$.Regression());
      treeStrategy.impurity_$eq(Variance$.MODULE$);
      treeStrategy.assertValid();
    }

    Trees run(GBTClassificationModel previous) {
      DecisionTreeRegressionModel[] models = new DecisionTreeRegressionModel[iterations];
      double[] weights = new double[iterations];
      int from = 0;
      if (previous != null) {
        from = previous.getNumTrees();
        System.arraycopy(previous.trees(), 0, models, 0, from);
        System.arraycopy(previous.treeWeights(), 0, weights, 0, from);
      }
      DecisionTreeMetadata metadata = DecisionTreeMetadata$.MODULE$.buildMetadata(input, treeStrategy, 1,
          featureSubsetStrategy);
      Split[][] splits = RandomForest$.MODULE$.findSplits(input, metadata, seed);
      Broadcast<Split[][]> bcSplits = JavaSparkContext.fromSparkContext(input.sparkContext()).broadcast(splits);
      JavaRDD<TreePoint> treePoints = TreePoint.convertToTreeRDD(input, splits, metadata).toJavaRDD()
          .persist(StorageLevel.MEMORY_AND_DISK());
      JavaRDD<Double> predictions = from == 0 ? null
          : predictionsOf(treePoints, Arrays.copyOf(models, from), Arrays.copyOf(weights, from), bcSplits);
      JavaRDD<Double> stale = null;
      try {
        for (int m = from; m < iterations; m++) {
          models[m] = fitTree(m, treePoints, predictions, metadata, bcSplits);
          weights[m] = m == 0 ? 1.0 : learningRate;
          if (stale != null) {
            stale.unpersist(false);
          }
          // The residuals of tree m+1 read these; the ones they replace stay cached until then.
          stale = predictions;
          predictions = addTree(treePoints, predictions, models[m], weights[m], bcSplits)
              .persist(StorageLevel.MEMORY_AND_DISK());
        }
      } finally {
        for (JavaRDD<Double> cached : Arrays.asList(stale, predictions)) {
          if (cached != null) {
            cached.unpersist(false);
          }
        }
        treePoints.unpersist(false);
        bcSplits.destroy();
      }
      return new Trees(models, weights);
    }

    /**
     * Tree {@code m}: the rows MLlib subsamples with seed {@code seed + m}, labelled with the label
     * itself for the first tree and with the loss's negative gradient at the current prediction after.
     */
    private DecisionTreeRegressionModel fitTree(int m, JavaRDD<TreePoint> treePoints, JavaRDD<Double> predictions,
        DecisionTreeMetadata metadata, Broadcast<Split[][]> bcSplits) {
      long treeSeed = seed + m;
      Function1<TreePoint, Object> weightOf = (Function1<TreePoint, Object> & Serializable) TreePoint::weight;
      JavaRDD<BaggedPoint<TreePoint>> sampled = BaggedPoint.convertToBaggedRDD(treePoints.rdd(),
          treeStrategy.subsamplingRate(), 1, treeStrategy.bootstrap(), weightOf, treeSeed).toJavaRDD();
      Loss lossFn = loss;
      JavaRDD<Tuple2<Double, Integer>> labelWithCounts = (predictions == null
          ? sampled.map(b -> new Tuple2<>(b.datum().label(), b.subsampleCounts()[0]))
          : sampled.zip(predictions).map(bp -> new Tuple2<>(
              -lossFn.gradient(bp._2(), bp._1().datum().label()), bp._1().subsampleCounts()[0])))
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        RDD<BaggedPoint<TreePoint>> bagged = treePoints.zip(labelWithCounts).map(t -> new BaggedPoint<>(
            new TreePoint(t._2()._1(), t._1().binnedFeatures(), t._1().weight()), new int[] {t._2()._2()},
            t._1().weight())).rdd();
        DecisionTreeModel[] fitted = RandomForest$.MODULE$.runBagged(bagged, metadata, bcSplits, treeStrategy, 1,
            featureSubsetStrategy, treeSeed, Option.empty(), RandomForest$.MODULE$.runBagged$default$9(),
            Option.empty(), 0L);
        return (DecisionTreeRegressionModel) fitted[0];
      } finally {
        labelWithCounts.unpersist(false);
      }
    }

    /** The ensemble's raw prediction per training row, summed tree by tree as MLlib does. */
    private static JavaRDD<Double> predictionsOf(JavaRDD<TreePoint> treePoints, DecisionTreeRegressionModel[] trees,
        double[] weights, Broadcast<Split[][]> bcSplits) {
      return treePoints.map(tp -> {
        double prediction = 0.0;
        for (int i = 0; i < trees.length; i++) {
          prediction = GradientBoostedTrees$.MODULE$.updatePrediction(tp, prediction, trees[i], weights[i],
              bcSplits.value());
        }
        return prediction;
      }).persist(StorageLevel.MEMORY_AND_DISK());
    }

    private static JavaRDD<Double> addTree(JavaRDD<TreePoint> treePoints, JavaRDD<Double> predictions,
        DecisionTreeRegressionModel tree, double weight, Broadcast<Split[][]> bcSplits) {
      if (predictions == null) {
        return treePoints.map(tp -> GradientBoostedTrees$.MODULE$.updatePrediction(tp, 0.0, tree, weight,
            bcSplits.value()));
      }
      return treePoints.zip(predictions).map(t -> GradientBoostedTrees$.MODULE$.updatePrediction(t._1(), t._2(),
          tree, weight, bcSplits.value()));
    }
  }
}
