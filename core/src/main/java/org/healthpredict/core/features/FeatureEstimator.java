package org.healthpredict.core.features;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;

/**
 * What Spark asks of every custom estimator besides its params and its fit: a uid, saving through
 * its params ({@link DefaultParamsWritable}), and a public static {@code read()} that Spark's loader
 * looks up on the saved stage's class by reflection (a superclass's static method is found too).
 * {@link FeatureModel} and {@link FeatureTransformer} are the same for Spark's other two stage kinds.
 *
 * @param <M> the model the estimator fits
 */
public abstract class FeatureEstimator<M extends Model<M>> extends Estimator<M> implements DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;

  /** The uid comes first: each param the subclass creates takes its parent's uid. */
  protected FeatureEstimator(String uid) {
    this.uid = uid;
  }

  /** Reads a saved stage of the class the caller names ({@code TopCategories.<TopCategories>read()}). */
  public static <S> MLReader<S> read() {
    return new DefaultParamsReader<>();
  }

  @Override
  public final String uid() {
    return uid;
  }
}
