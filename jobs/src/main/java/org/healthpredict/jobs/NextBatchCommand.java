package org.healthpredict.jobs;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.batch.BatchCursor;
import org.healthpredict.core.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `next-batch`: the next slice of the future data, as if it had just arrived; durable cursor. */
@Command(name = "next-batch", mixinStandardHelpOptions = true,
    description = {
        "Cuts the next batch of the future data in encounter order and writes it as Parquet.",
        "",
        "The cursor lives in --state, a small JSON document replaced atomically after the batch is written. "
            + "Re-running after a crash cuts the same rows under the same batch id: no batch is skipped or "
            + "repeated. --batch-id rewrites an earlier batch identically without moving the cursor (for "
            + "retried scheduler tasks). --key makes a repeated call idempotent: a key already recorded gets "
            + "its batch again, rewritten identically, and the cursor does not move. When the future data is "
            + "exhausted the last line is NO_MORE_DATA."
    },
    footer = {"", "Exit codes: 0 a batch was written (last line 'next-batch: OK …') or NO_MORE_DATA, 1 failed, "
        + "2 usage error, 3 invalid input (e.g. the state belongs to other data or another batch size)."})
final class NextBatchCommand implements Callable<Integer> {

  /** Printed as the last line when there is nothing left to cut. */
  static final String NO_MORE_DATA = "NO_MORE_DATA";
  /**
   * Seconds to stall between writing a batch and recording it, so a test can kill the process exactly
   * there (python/tests/test_next_batch_resume.py). Never set in normal use.
   */
  static final String PAUSE_BEFORE_COMMIT_ENV = "HP_TEST_PAUSE_BEFORE_CURSOR_COMMIT";

  @Option(names = "--future", required = true, paramLabel = "URI",
      description = "Future encounters in the split's Parquet format, e.g. out/split/future.")
  String future;

  @Option(names = "--batch-size", required = true, paramLabel = "N", description = "Encounters per batch.")
  long batchSize;

  @Option(names = "--state", required = true, paramLabel = "URI",
      description = "The cursor's JSON document (created on the first run), e.g. out/batches/cursor.json.")
  String state;

  @Option(names = "--out", required = true, paramLabel = "URI",
      description = "Directory of the batches: batch k is written to <out>/batch-0000k.")
  String out;

  @Option(names = "--batch-id", paramLabel = "K",
      description = "Cut batch K: an earlier one is rewritten identically; the next one is cut (default: the next).")
  Integer batchId;

  @Option(names = "--key", paramLabel = "KEY",
      description = "Idempotency key recorded with the batch, e.g. the scheduler's run id: a key already in the "
          + "cursor gets the batch it cut, rewritten identically, instead of the next one.")
  String key;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.getOrCreate("health-predict next-batch");
    BatchCursor cursor = new BatchCursor(spark, line -> System.out.println("next-batch: " + line), pauseForTests());
    BatchCursor.Result result = cursor.next(future, batchSize, state, out,
        batchId == null ? OptionalInt.empty() : OptionalInt.of(batchId), Optional.ofNullable(key).filter(k -> !k.isBlank()));
    if (result instanceof BatchCursor.Cut cut) {
      System.out.printf("next-batch: OK batch=%d rows=%d encounter_ids=%d..%d again=%s path=%s%n", cut.batch().id(),
          cut.batch().rows(), cut.batch().firstEncounterId(), cut.batch().lastEncounterId(), cut.again(),
          cut.batch().path());
    } else {
      System.out.println("next-batch: the future data " + future + " is exhausted after "
          + ((BatchCursor.Exhausted) result).batchesCut() + " batches");
      System.out.println(NO_MORE_DATA);
    }
    return HealthPredictCli.EXIT_OK;
  }

  private static Runnable pauseForTests() {
    String seconds = System.getenv(PAUSE_BEFORE_COMMIT_ENV);
    if (seconds == null || seconds.isBlank()) {
      return () -> {};
    }
    return () -> {
      System.out.println("next-batch: pausing " + seconds + " s before recording the batch (" + PAUSE_BEFORE_COMMIT_ENV + ")");
      try {
        Thread.sleep((long) (Double.parseDouble(seconds) * 1000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }
}
