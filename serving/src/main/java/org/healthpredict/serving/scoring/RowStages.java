package org.healthpredict.serving.scoring;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.features.CategoryOneHotModel;
import org.healthpredict.core.features.EngineeredFeatures;
import org.healthpredict.core.features.FillMissingCategories;
import org.healthpredict.core.features.TopCategoriesModel;

/** Picks the row version of each fitted feature stage the pipelines hold. */
final class RowStages {

  static final String SUPPORTED = "EngineeredFeatures, TopCategoriesModel, FillMissingCategories, ImputerModel, "
      + "CategoryOneHotModel, StringIndexerModel, OneHotEncoderModel, VectorAssembler, StandardScalerModel";

  private RowStages() {}

  /**
   * The row version of {@code stage}, its outputs bound in {@code layout}; {@code schema} is the
   * Spark schema the stage receives, for the input types its semantics depend on.
   */
  static RowStage of(Transformer stage, ColumnLayout layout, StructType schema) {
    if (stage instanceof EngineeredFeatures) {
      return new EngineeredRow(layout);
    }
    if (stage instanceof TopCategoriesModel top) {
      return CategoryRows.topCategories(top, layout);
    }
    if (stage instanceof FillMissingCategories fill) {
      return CategoryRows.fillMissing(fill, layout);
    }
    if (stage instanceof ImputerModel imputer) {
      return ImputerRow.of(imputer, layout, schema);
    }
    if (stage instanceof CategoryOneHotModel oneHot) {
      return CategoryOneHotRow.of(oneHot, layout);
    }
    if (stage instanceof StringIndexerModel indexer) {
      return StringIndexerRow.of(indexer, layout, schema);
    }
    if (stage instanceof OneHotEncoderModel encoder) {
      return OneHotRow.of(encoder, layout);
    }
    if (stage instanceof VectorAssembler assembler) {
      return AssemblerRow.of(assembler, layout);
    }
    if (stage instanceof StandardScalerModel scaler) {
      return ScalerRow.of(scaler, layout);
    }
    throw new IllegalArgumentException("the row scorer cannot apply stage " + stage.getClass().getName()
        + " (uid " + stage.uid() + "); it handles " + SUPPORTED + ", then a probabilistic classifier");
  }
}
