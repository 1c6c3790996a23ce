package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.storage.CommitMarker;
import org.healthpredict.core.storage.HadoopFiles;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.S3ProxyServer;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S3 outages in the middle of `split`, `next-batch` and `drift` writing to s3a://. The real S3 API
 * (S3Proxy) is killed at an exact step of each job ({@link S3FaultPoint}) and restarted on the same port
 * and data. Each job must fail promptly with a message naming what it was writing and where, leave its
 * target as it was (or, stopped inside an object-store commit, marked so readers refuse it), and a
 * rerun must leave exactly what an undisturbed run leaves (bucket "clean"; the faulted runs write the
 * same keys to bucket "faulted").
 */
class S3FaultsTest {

  private static final String INPUT = "s3a://raw/diabetes/diabetic_data.csv";
  private static final String CLEAN_SPLIT = "s3a://clean/split";
  /** With the test's retry settings a job fails within seconds of the stop; this only catches a hang. */
  private static final double PROMPT_FAILURE_SECONDS = 60;
  /**
   * One quick retry instead of the shipped budget (about 15 s per call; see the retry test below), set
   * only while a faulted run runs: it fails in seconds, while the undisturbed runs and the reruns keep
   * the shipped retries that ride out a slow or busy endpoint.
   */
  private static final Map<String, String> FAIL_FAST = Map.of(
      "fs.s3a.retry.limit", "1", "fs.s3a.retry.interval", "100ms", "fs.s3a.attempts.maximum", "1");
  /** What the shared Hadoop configuration held before this test installed the fault point. */
  private static Map<String, String> beforeFaultPoint;

  private static S3ProxyServer s3;
  private static Configuration hadoop;

  @BeforeAll
  static void startS3AndSplitUndisturbed() throws Exception {
    hadoop = TestSpark.session().sparkContext().hadoopConfiguration();
    s3 = S3ProxyServer.start();
    List.of("raw", "clean", "faulted").forEach(s3::createBucket);
    s3.configure(hadoop);
    beforeFaultPoint = set(Map.of(S3FaultPoint.INTERCEPTORS_KEY, S3FaultPoint.class.getName()));
    try (InputStream in = Files.newInputStream(ProjectFiles.sampleCsv())) {
      HadoopFiles.copy(hadoop, in, INPUT);
    }
    SplitCommandTest.Captured split =
        SplitCommandTest.capture(() -> HealthPredictCli.execute("split", "--input", INPUT, "--output", CLEAN_SPLIT));
    assertThat(split.exit()).as(split.err()).isZero();
  }

  @AfterAll
  static void stopS3() {
    S3FaultPoint.disarm();
    restore(beforeFaultPoint);
    s3.close();
  }

  @Test
  void splitStoppedWhileWritingItsPartsLeavesNothingAndItsRerunIsTheUndisturbedSplit() {
    String target = "s3a://faulted/split";
    String[] split = {"split", "--input", INPUT, "--output", target};

    Faulted run = runWithFault(r -> r.writes("PutObject", "faulted", "split\\.incomplete-[^/]+/.*\\.parquet"), split);

    run.assertFailedPromptly();
    assertThat(run.err()).contains("split: failed: cannot write the split of " + INPUT + " to " + target + ": ")
        .contains("Connection refused").contains("Nothing at " + target + " was changed");
    assertThat(OutputSnapshot.raw(hadoop, target)).isEmpty();

    assertThat(HealthPredictCli.execute(split)).isZero();
    Map<String, String> rerun = content(target);
    assertThat(rerun).isEqualTo(content(CLEAN_SPLIT)).containsKey("manifest.json");
    assertThat(rerun.keySet()).anyMatch(name -> name.matches("future/part-00000-<id>.*\\.parquet"));
  }

  @Test
  void nextBatchStoppedWhileCommittingOrRecordingABatchResumesToTheUndisturbedBatches() {
    List<Map<String, String>> undisturbed = List.of(Map.of(), cut("clean"), cut("clean"));
    String batches = "s3a://faulted/batches";
    String[] next = nextBatch("faulted");

    // 1. Half-way through batch 1's commit: S3 dies as the second of its files is copied into place.
    AtomicInteger copies = new AtomicInteger();
    Faulted committing = runWithFault(r -> r.writes("CopyObject", "faulted", "batches/batch-00001/.*")
        && copies.incrementAndGet() == 2, next);
    committing.assertFailedPromptly();
    assertThat(committing.err()).contains("next-batch: failed: cannot write batch 1 to " + batches + "/batch-00001: ")
        .contains("Connection refused").contains("The commit had begun").contains(CommitMarker.NAME);
    assertThat(OutputSnapshot.raw(hadoop, batches + "/batch-00001")).containsKey(CommitMarker.NAME);
    assertThat(HadoopFiles.exists(hadoop, batches + "/cursor.json")).as("no cursor yet").isFalse();
    SplitCommandTest.Captured refused = SplitCommandTest.capture(() -> HealthPredictCli.execute("drift",
        "--reference", CLEAN_SPLIT + "/initial/train", "--current", batches + "/batch-00001",
        "--report", "s3a://faulted/never", "--no-tracking"));
    assertThat(refused.exit()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(refused.err()).contains("the current data " + batches + "/batch-00001 is incomplete");
    assertThat(HealthPredictCli.execute(next)).isZero();
    assertThat(content(batches)).isEqualTo(undisturbed.get(1));

    // 2. As the cursor is replaced to record batch 2, after the batch itself is in place.
    String cursorBefore = HadoopFiles.readString(hadoop, batches + "/cursor.json");
    Faulted recording = runWithFault(r -> r.writes("PutObject", "faulted", "batches/cursor\\.json"), next);
    recording.assertFailedPromptly();
    assertThat(recording.err()).contains("next-batch: failed: cannot write the cursor recording batch 2")
        .contains("Connection refused").contains("The previous " + batches + "/cursor.json is unchanged");
    assertThat(HadoopFiles.readString(hadoop, batches + "/cursor.json")).isEqualTo(cursorBefore);
    assertThat(HealthPredictCli.execute(next)).isZero();
    assertThat(content(batches)).isEqualTo(undisturbed.get(2));
  }

  @Test
  void driftStoppedWhileWritingItsReportKeepsThePreviousReportAndItsRerunIsTheUndisturbedReport() throws Exception {
    String target = "s3a://faulted/report";
    String clean = "s3a://clean/report";
    String[] drift = drift(target);
    assertThat(HealthPredictCli.execute(drift(clean))).isZero();
    // An earlier report at the target, as a scheduled check leaves one, which the fault must not touch.
    Path from = new Path(clean);
    Path to = new Path(target);
    assertThat(FileUtil.copy(from.getFileSystem(hadoop), from, to.getFileSystem(hadoop), to, false, hadoop)).isTrue();
    Map<String, String> previous = OutputSnapshot.raw(hadoop, target);

    Faulted run = runWithFault(r -> r.writes("PutObject", "faulted", "report\\.incomplete-[^/]+/report\\.html"), drift);

    run.assertFailedPromptly();
    assertThat(run.err()).contains("drift: failed: cannot write the drift report to " + target + ": ")
        .contains("Connection refused").contains("Nothing at " + target + " was changed");
    assertThat(OutputSnapshot.raw(hadoop, target)).as("the previous report, byte for byte").isEqualTo(previous);

    SplitCommandTest.Captured rerun = SplitCommandTest.capture(() -> HealthPredictCli.execute(drift));
    assertThat(rerun.exit()).as(rerun.err()).isZero();
    assertThat(OutputSnapshot.raw(hadoop, target)).as("rewritten").isNotEqualTo(previous);
    assertThat(content(target)).isEqualTo(content(clean)).containsKeys("report.json", "report.html");
  }

  /**
   * The retry budget a user gets (SparkSessions): one call to a dead endpoint waits 7.5 to 22.5 s between
   * S3A's retries (plus the SDK's own quick retries, at most about 7 s), enough to ride out an endpoint
   * restart, then fails; Hadoop's own settings kept it retrying for about 2 minutes.
   */
  @Test
  void shippedRetrySettingsRetryADeadEndpointForSecondsNotMinutes() throws Exception {
    Configuration shipped = SparkSessions.hadoopConfiguration();
    s3.configure(shipped);
    FileSystem fs = new Path(CLEAN_SPLIT).getFileSystem(shipped);
    s3.stop();
    long start = System.nanoTime();
    try {
      assertThatThrownBy(() -> fs.exists(new Path(CLEAN_SPLIT, "manifest.json")))
          .hasStackTraceContaining("Connection refused");
    } finally {
      double seconds = (System.nanoTime() - start) / 1e9;
      s3.restart();
      System.out.printf("a call to the dead endpoint gave up after %.1f s with the shipped retry settings%n", seconds);
      assertThat(seconds).as("seconds before giving up").isBetween(7.0, 45.0);
    }
  }

  /** Cuts the next batch of the clean split into the bucket's batches and returns their content. */
  private Map<String, String> cut(String bucket) {
    assertThat(HealthPredictCli.execute(nextBatch(bucket))).isZero();
    return content("s3a://" + bucket + "/batches");
  }

  /** Data drift (no model, no MLflow) of the clean split's validation part against its train part. */
  private static String[] drift(String report) {
    return new String[] {"drift", "--reference", CLEAN_SPLIT + "/initial/train", "--current",
        CLEAN_SPLIT + "/initial/validation", "--report", report, "--no-tracking"};
  }

  private static String[] nextBatch(String bucket) {
    return new String[] {"next-batch", "--future", CLEAN_SPLIT + "/future", "--batch-size", "1000",
        "--state", "s3a://" + bucket + "/batches/cursor.json", "--out", "s3a://" + bucket + "/batches"};
  }

  /** Content comparable across runs and buckets: creation times masked, the faulted bucket named as the clean one. */
  private static Map<String, String> content(String uri) {
    return OutputSnapshot.content(hadoop, uri, text -> text
        .replaceAll("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z", "<time>")
        .replace("s3a://faulted/", "s3a://clean/"));
  }

  /** Runs a command with S3 killed at the fault point, then restarts S3 on the same data. */
  private static Faulted runWithFault(Predicate<S3FaultPoint.Request> where, String... args) {
    AtomicLong stoppedAt = new AtomicLong();
    S3FaultPoint.arm(where, () -> {
      s3.stop();
      stoppedAt.set(System.nanoTime());
    });
    Map<String, String> shipped = set(FAIL_FAST);
    SplitCommandTest.Captured run;
    try {
      run = SplitCommandTest.capture(() -> HealthPredictCli.execute(args));
    } finally {
      S3FaultPoint.disarm();
      restore(shipped);
    }
    double seconds = (System.nanoTime() - stoppedAt.get()) / 1e9;
    assertThat(S3FaultPoint.firedAt()).as("the fault point was reached; the job said: %s", run.err()).isNotNull();
    // For the test log: where S3 stopped, how long the job took to give up, and what it said last.
    System.out.printf("S3 stopped before %s; %s exited %d after %.1f s: %s%n", S3FaultPoint.firedAt(), args[0],
        run.exit(), seconds, run.err().strip().lines().reduce((a, b) -> b).orElse(""));
    s3.restart();
    return new Faulted(run.exit(), run.err(), seconds);
  }

  /** Sets the settings in the JVM's shared Hadoop configuration and returns what they were (null: unset). */
  private static Map<String, String> set(Map<String, String> settings) {
    Map<String, String> before = new HashMap<>();
    settings.forEach((key, value) -> {
      before.put(key, hadoop.get(key));
      hadoop.set(key, value);
    });
    return before;
  }

  private static void restore(Map<String, String> settings) {
    settings.forEach((key, value) -> {
      if (value == null) {
        hadoop.unset(key);
      } else {
        hadoop.set(key, value);
      }
    });
  }

  private record Faulted(int exit, String err, double secondsAfterStop) {

    void assertFailedPromptly() {
      assertThat(exit).as(err).isEqualTo(HealthPredictCli.EXIT_FAILED);
      assertThat(secondsAfterStop).as("seconds from the stop to the failure").isLessThan(PROMPT_FAILURE_SECONDS);
    }
  }
}
