package org.healthpredict.core.testing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawReader;

/** The bundled sample as validated, typed rows (what `split` writes, before splitting). */
public final class SampleData {

  private static Dataset<Row> typed;

  private SampleData() {}

  public static synchronized Dataset<Row> typed() {
    if (typed == null) {
      typed = RawReader.read(TestSpark.session(), ProjectFiles.sampleCsv().toUri().toString())
          .accepted().cache();
    }
    return typed;
  }
}
