package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.storage.HadoopFiles;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.S3ProxyServer;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `split` from s3a:// to s3a:// against a real S3 API (S3Proxy) on loopback, path-style access. */
class SplitOnS3Test {

  private static S3ProxyServer s3;
  private static final SparkSession spark = TestSpark.session();

  @BeforeAll
  static void startS3() {
    s3 = S3ProxyServer.start();
    s3.createBucket("raw");
    s3.createBucket("curated");
    s3.configure(spark.sparkContext().hadoopConfiguration());
  }

  @AfterAll
  static void stopS3() {
    s3.close();
  }

  @Test
  void splitsFromS3ToS3() throws Exception {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    try (InputStream in = Files.newInputStream(ProjectFiles.sampleCsv())) {
      HadoopFiles.copy(hadoop, in, "s3a://raw/diabetes/diabetic_data.csv");
    }

    int exit = HealthPredictCli.execute("split",
        "--input", "s3a://raw/diabetes/diabetic_data.csv", "--output", "s3a://curated/split");

    assertThat(exit).isEqualTo(HealthPredictCli.EXIT_OK);
    SplitManifest m = SplitManifest.read(hadoop, "s3a://curated/split");
    assertThat(m.counts().linesRead()).isEqualTo(4999);
    assertThat(m.counts().initial()).isEqualTo(982);
    assertThat(m.counts().future()).isEqualTo(3926);
    assertThat(m.input().sha256()).isEqualTo("40de59eff2292ce682add444b37f36a4279cfc392d5bac3b40d862fca8d6393a");
    assertThat(spark.read().parquet("s3a://curated/split/initial/train").count())
        .isEqualTo(m.parts().get("train").rows());
    assertThat(spark.read().parquet("s3a://curated/split/future").count()).isEqualTo(3926);
    assertThat(HadoopFiles.exists(hadoop, "s3a://curated/split/rejected")).isTrue();
  }
}
