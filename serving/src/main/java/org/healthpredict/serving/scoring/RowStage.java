package org.healthpredict.serving.scoring;

/** One fitted pipeline stage applied to a single record: reads its input slots, writes its output slots. */
interface RowStage {

  void apply(RowFrame row);
}
