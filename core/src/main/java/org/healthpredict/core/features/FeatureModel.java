package org.healthpredict.core.features;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;

/**
 * A custom fitted model's Spark contract (uid, saving, static {@code read()}), as {@link FeatureEstimator}
 * explains; its state is params, so Spark's default persistence saves and reloads it.
 *
 * @param <M> the model itself
 */
public abstract class FeatureModel<M extends Model<M>> extends Model<M> implements DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;

  protected FeatureModel(String uid) {
    this.uid = uid;
  }

  public static <S> MLReader<S> read() {
    return new DefaultParamsReader<>();
  }

  @Override
  public final String uid() {
    return uid;
  }
}
