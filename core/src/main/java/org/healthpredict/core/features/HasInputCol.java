package org.healthpredict.core.features;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * A stage reading one column. Spark's own stages get this param from {@code HasInputCol}, which is
 * private to Spark; the custom stages declare the {@link Param} (Spark finds params through public
 * accessors) and get the typed getter and setter from here.
 *
 * @param <S> the stage, returned by the setter for chaining
 */
public interface HasInputCol<S extends HasInputCol<S>> extends Params {

  Param<String> inputCol();

  default String getInputCol() {
    return getOrDefault(inputCol());
  }

  @SuppressWarnings("unchecked")
  default S setInputCol(String column) {
    set(inputCol(), column);
    return (S) this;
  }
}
