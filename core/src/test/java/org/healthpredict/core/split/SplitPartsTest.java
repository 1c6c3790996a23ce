package org.healthpredict.core.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.Test;

class SplitPartsTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void readsPartsWithTheSchemaSparkInfersFromThem() {
    String split = SampleSplit.uri();
    Dataset<Row> inferred = spark.read().parquet(split + "/initial/train", split + "/future");
    Dataset<Row> read = SplitParts.read(spark, split + "/", PatientAssignment.TRAIN, EncounterSplitter.FUTURE);
    assertThat(read.schema()).isEqualTo(inferred.schema());
    assertThat(read.collectAsList()).containsExactlyInAnyOrderElementsOf(inferred.collectAsList()).hasSizeGreaterThan(3000);
  }

  @Test
  void namesThePartsThereAreForAnUnknownOne() {
    assertThatThrownBy(() -> SplitParts.read(spark, SampleSplit.uri(), "training"))
        .hasMessageContaining("no part training").hasMessageContaining("validation");
  }
}
