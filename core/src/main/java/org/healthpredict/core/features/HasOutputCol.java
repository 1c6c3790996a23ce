package org.healthpredict.core.features;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * A stage writing one column ({@link HasInputCol} says why this is ours).
 *
 * @param <S> the stage, returned by the setter for chaining
 */
public interface HasOutputCol<S extends HasOutputCol<S>> extends Params {

  Param<String> outputCol();

  default String getOutputCol() {
    return getOrDefault(outputCol());
  }

  @SuppressWarnings("unchecked")
  default S setOutputCol(String column) {
    set(outputCol(), column);
    return (S) this;
  }
}
