package org.healthpredict.core.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.storage.NioLocalFileSystem;

/**
 * The one place SparkSessions are built. Under spark-submit the master and configuration come from
 * the submitter; run directly (bin/health-predict, tests) it falls back to local mode on all cores.
 */
public final class SparkSessions {

  private static final long LOCAL_FILE_OPEN_COST = 128 * 1024;
  /** s3a:// works with any S3 API (S3Proxy, MinIO) when path-style access is asked for. */
  private static final String S3A_PATH_STYLE = "spark.hadoop.fs.s3a.path.style.access";
  /**
   * S3A retries a failed call (connection refused or reset, 5xx, no response) with exponential backoff from
   * fs.s3a.retry.interval. Hadoop's default of 7 retries waits minutes per call, and a Spark write that meets
   * a dead endpoint makes several calls in a row, so a job against a store that stays down would take tens of
   * minutes to fail. 4 retries from 500 ms still ride out an endpoint restart (docs/storage.md has the
   * waits). Throttling (503 SlowDown) has its own, longer policy (fs.s3a.retry.throttle.*), left as it is.
   */
  private static final String S3A_RETRY_LIMIT = "spark.hadoop.fs.s3a.retry.limit";
  private static final String S3A_RETRY_INTERVAL = "spark.hadoop.fs.s3a.retry.interval";
  /** file:// without a chmod process per directory and file made (see NioLocalFileSystem). */
  private static final String LOCAL_FILE_SYSTEM = "spark.hadoop." + NioLocalFileSystem.IMPLEMENTATION_KEY;

  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    SparkConf conf = new SparkConf(true);
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
      // Small local data: the default 200 shuffle partitions only add scheduling overhead.
      conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(localShufflePartitions()));
      conf.setIfMissing("spark.ui.showConsoleProgress", "false");
      // Spark packs small files into one read partition as if each cost 4 MB to open (a figure for
      // remote stores). Locally a split's parts are a few MB, so that default put most of a split's
      // rows into one task and left the other cores idle while it ran. Opening a local file is far
      // cheaper; at 128 KB tiny files still share a task, and the rows of a split spread over the cores.
      conf.setIfMissing("spark.sql.files.openCostInBytes", String.valueOf(LOCAL_FILE_OPEN_COST));
    }
    conf.setIfMissing("spark.app.name", appName);
    // Sweeps run several trials at once, each in its own pool: FAIR shares the executors between
    // them instead of letting the first trial's jobs queue the others (FIFO). Harmless for one job.
    conf.setIfMissing("spark.scheduler.mode", "FAIR");
    hadoopDefaults(conf);
    conf.setIfMissing("spark.sql.parquet.compression.codec", "snappy");
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /**
   * The Hadoop settings a session from {@link #getOrCreate} would get (spark.hadoop.* from
   * spark-submit or system properties, e.g. the s3a endpoint), for work that reads or copies files
   * without starting Spark.
   */
  public static Configuration hadoopConfiguration() {
    SparkConf conf = new SparkConf(true);
    hadoopDefaults(conf);
    return SparkHadoopUtil.get().newConfiguration(conf);
  }

  /** The file system settings of every session and of {@link #hadoopConfiguration()}, unless given. */
  private static void hadoopDefaults(SparkConf conf) {
    conf.setIfMissing(S3A_PATH_STYLE, "true");
    conf.setIfMissing(S3A_RETRY_LIMIT, "4");
    conf.setIfMissing(S3A_RETRY_INTERVAL, "500ms");
    conf.setIfMissing(LOCAL_FILE_SYSTEM, NioLocalFileSystem.class.getName());
  }

  private static int localShufflePartitions() {
    return Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
  }
}
