package org.healthpredict.serving.scoring;

import org.apache.spark.ml.feature.StandardScalerModel;

/**
 * {@link StandardScalerModel} for one record, with Spark's arithmetic: scale = 1/std (0 where std is
 * 0), value * scale; with the mean, (value - mean) * scale over every place. Without the mean Spark
 * scales only a sparse vector's stored values, so zeros stay exactly 0.0 here too.
 */
final class ScalerRow implements RowStage {

  private final int in;
  private final int out;
  private final double[] shift;
  private final double[] scale;
  private final boolean withMean;
  private final boolean withStd;

  private ScalerRow(StandardScalerModel model, ColumnLayout layout) {
    ColumnLayout.Slot input = layout.get(model.getInputCol());
    if (input.kind() != ColumnLayout.Kind.VECTOR) {
      throw new IllegalArgumentException("scaler input " + model.getInputCol() + " must be a vector");
    }
    in = input.index();
    double[] std = model.std().toArray();
    if (std.length != input.size()) {
      throw new IllegalArgumentException("scaler fitted on " + std.length + " features, but " + model.getInputCol()
          + " has " + input.size());
    }
    shift = model.mean().toArray();
    scale = new double[std.length];
    for (int i = 0; i < std.length; i++) {
      scale[i] = std[i] == 0 ? 0.0 : 1.0 / std[i];
    }
    withMean = model.getWithMean();
    withStd = model.getWithStd();
    out = layout.vector(model.getOutputCol(), std.length).index();
  }

  static ScalerRow of(StandardScalerModel model, ColumnLayout layout) {
    return new ScalerRow(model, layout);
  }

  @Override
  public void apply(RowFrame row) {
    double[] x = (double[]) row.values[in];
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      if (withMean && withStd) {
        y[i] = (x[i] - shift[i]) * scale[i];
      } else if (withMean) {
        y[i] = x[i] - shift[i];
      } else if (withStd) {
        y[i] = x[i] == 0.0 ? 0.0 : x[i] * scale[i];
      } else {
        y[i] = x[i];
      }
    }
    row.values[out] = y;
  }
}
