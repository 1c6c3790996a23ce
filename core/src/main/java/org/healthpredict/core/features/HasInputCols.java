package org.healthpredict.core.features;

import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * A stage reading several columns, in order ({@link HasInputCol} says why this is ours). The array is
 * copied both ways, so a caller cannot change a stage's columns behind its back.
 *
 * @param <S> the stage, returned by the setter for chaining
 */
public interface HasInputCols<S extends HasInputCols<S>> extends Params {

  StringArrayParam inputCols();

  default String[] getInputCols() {
    return getOrDefault(inputCols()).clone();
  }

  @SuppressWarnings("unchecked")
  default S setInputCols(String... columns) {
    set(inputCols(), columns.clone());
    return (S) this;
  }
}
