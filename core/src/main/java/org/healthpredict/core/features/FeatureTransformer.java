package org.healthpredict.core.features;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;

/** A custom stage that learns nothing: its Spark contract (uid, saving, static {@code read()}), as {@link FeatureEstimator} explains. */
public abstract class FeatureTransformer extends Transformer implements DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;

  protected FeatureTransformer(String uid) {
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
