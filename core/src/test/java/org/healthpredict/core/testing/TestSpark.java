package org.healthpredict.core.testing;

import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.spark.SparkSessions;

/** The one SparkSession every test in a JVM shares (starting Spark costs seconds). */
public final class TestSpark {

  private TestSpark() {}

  public static synchronized SparkSession session() {
    System.setProperty("spark.master", System.getProperty("spark.master", "local[2]"));
    System.setProperty("spark.ui.enabled", "false");
    System.setProperty("spark.sql.shuffle.partitions", "4");
    return SparkSessions.getOrCreate("health-predict-tests");
  }
}
