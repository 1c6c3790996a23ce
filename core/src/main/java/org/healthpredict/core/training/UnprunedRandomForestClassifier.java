package org.healthpredict.core.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.Instance;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tree.DecisionTreeModel;
import org.apache.spark.ml.tree.impl.RandomForest;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MetadataUtils;
import org.apache.spark.mllib.tree.configuration.Algo;
import org.apache.spark.mllib.tree.configuration.Strategy;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import scala.Option;

/**
 * MLlib's random forest without its pruning of same-class siblings.
 *
 * <p>After growing a classification tree MLlib merges two sibling leaves whenever both predict the
 * same class, and repeats up the tree. That keeps the predicted labels but throws away the class
 * frequencies the leaves held, and the probabilities are those frequencies. With about 11% readmitted
 * patients almost every leaf predicts "not readmitted", so most trees collapse towards their root:
 * forests with larger leaves (e.g. minInstancesPerNode of 27 or more on 3,400 rows) ended with one
 * probability for every patient. Growing the same trees without that merge keeps the leaves' class
 * frequencies, which is what a ranking metric reads. Everything else (splits, bagging, feature
 * subsets, seeds) is MLlib's own code path, and the model is a plain
 * {@link RandomForestClassificationModel}, saved and loaded like any other.
 */
public final class UnprunedRandomForestClassifier extends RandomForestClassifier {

  public UnprunedRandomForestClassifier() {
    this(Identifiable.randomUID("rfc"));
  }

  /** Used by {@code copy} through reflection. */
  public UnprunedRandomForestClassifier(String uid) {
    super(uid);
  }

  @Override
  public RandomForestClassificationModel train(Dataset<?> dataset) {
    int numClasses = 2;
    scala.collection.immutable.Map<Object, Object> categorical =
        MetadataUtils.getCategoricalFeatures(dataset.schema().apply(getFeaturesCol()));
    Column weight = isDefined(weightCol()) && !getWeightCol().isEmpty() ? col(getWeightCol()).cast("double") : lit(1.0);
    RDD<Instance> instances = dataset.select(col(getLabelCol()).cast("double"), weight, col(getFeaturesCol()))
        .toJavaRDD().map(r -> new Instance(r.getDouble(0), r.getDouble(1), (Vector) r.get(2))).rdd();
    Strategy strategy = getOldStrategy(categorical, numClasses, Algo.Classification(), getOldImpurity());
    strategy.setBootstrap(getBootstrap());
    DecisionTreeModel[] grown = RandomForest.run(instances, strategy, getNumTrees(), getFeatureSubsetStrategy(),
        getSeed(), Option.empty(), false, Option.apply(uid()));
    DecisionTreeClassificationModel[] trees = new DecisionTreeClassificationModel[grown.length];
    for (int i = 0; i < grown.length; i++) {
      trees[i] = (DecisionTreeClassificationModel) grown[i];
      copyValues(trees[i], ParamMap.empty());
    }
    return new RandomForestClassificationModel(uid(), trees, trees[0].numFeatures(), numClasses);
  }

  @Override
  public UnprunedRandomForestClassifier copy(ParamMap extra) {
    return (UnprunedRandomForestClassifier) defaultCopy(extra);
  }
}
