package org.healthpredict.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleSplit;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch cursor on the sample split's future data: order, exhaustion, idempotence, a crash before the commit. */
class BatchCursorTest {

  private static final SparkSession spark = TestSpark.session();
  private static final int SIZE = 1500;
  private static String future;
  private static List<Long> futureIds;

  @TempDir
  Path dir;

  @BeforeAll
  static void futureOfTheSampleSplit() {
    future = SampleSplit.uri() + "/future";
    futureIds = ids(future);
  }

  @Test
  void cutsTheFutureInEncounterOrderUntilNoDataIsLeft() {
    BatchCursor cursor = new BatchCursor(spark, line -> {});
    List<Long> seen = new ArrayList<>();
    int batches = 0;
    BatchCursor.Result result;
    while ((result = next(cursor, OptionalInt.empty())) instanceof BatchCursor.Cut cut) {
      batches++;
      assertThat(cut.batch().id()).isEqualTo(batches);
      assertThat(cut.again()).isFalse();
      List<Long> batchIds = ids(cut.batch().path());
      assertThat(batchIds).hasSize((int) cut.batch().rows()).isSorted();
      seen.addAll(batchIds);
    }
    int expected = (futureIds.size() + SIZE - 1) / SIZE;
    assertThat(batches).isEqualTo(expected).isGreaterThan(1);
    assertThat(seen).as("every future encounter exactly once, in order").isEqualTo(futureIds);
    assertThat(result).isEqualTo(new BatchCursor.Exhausted(expected));
    assertThat(next(cursor, OptionalInt.empty())).as("exhausted stays exhausted").isEqualTo(result);
  }

  @Test
  void aCrashBetweenWritingAndRecordingABatchCutsTheSameRowsAgain() {
    next(new BatchCursor(spark, line -> {}), OptionalInt.empty());
    BatchCursor crashing = new BatchCursor(spark, line -> {}, () -> {
      throw new IllegalStateException("killed before the cursor was recorded");
    });
    assertThatThrownBy(() -> next(crashing, OptionalInt.empty())).hasMessageContaining("killed");
    List<Long> leftByTheCrash = ids(BatchCursor.batchUri(out(), 2));

    BatchCursor.Cut retried = (BatchCursor.Cut) next(new BatchCursor(spark, line -> {}), OptionalInt.empty());

    assertThat(retried.batch().id()).as("not skipped").isEqualTo(2);
    assertThat(ids(retried.batch().path())).isEqualTo(leftByTheCrash).isEqualTo(futureIds.subList(SIZE, 2 * SIZE));
  }

  @Test
  void anEarlierBatchIdRewritesThatBatchWithoutMovingTheCursor() {
    BatchCursor cursor = new BatchCursor(spark, line -> {});
    next(cursor, OptionalInt.empty());
    BatchCursor.Cut second = (BatchCursor.Cut) next(cursor, OptionalInt.empty());

    BatchCursor.Cut again = (BatchCursor.Cut) next(cursor, OptionalInt.of(2));

    assertThat(again.again()).isTrue();
    assertThat(again.batch()).isEqualTo(second.batch());
    assertThat(ids(again.batch().path())).isEqualTo(futureIds.subList(SIZE, 2 * SIZE));
    assertThat(((BatchCursor.Cut) next(cursor, OptionalInt.empty())).batch().id()).isEqualTo(3);
  }

  @Test
  void refusesToSkipBatchesOrToChangeTheBatchSizeMidway() {
    BatchCursor cursor = new BatchCursor(spark, line -> {});
    next(cursor, OptionalInt.empty());
    assertThatThrownBy(() -> next(cursor, OptionalInt.of(3)))
        .hasMessageContaining("batch 3 cannot be cut").hasMessageContaining("the next is 2");
    assertThatThrownBy(() -> cursor.next(future, 10, state(), out(), OptionalInt.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(state())
        .hasMessageContaining("batches of " + SIZE + "; asked for " + future + " in batches of 10");
  }

  @Test
  void aStateFileThatIsNotJsonIsNamed() throws Exception {
    Files.writeString(dir.resolve("cursor.json"), "{ not json");
    assertThatThrownBy(() -> next(new BatchCursor(spark, l -> {}), OptionalInt.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(state()).hasMessageContaining("not valid JSON");
  }

  private BatchCursor.Result next(BatchCursor cursor, OptionalInt id) {
    return cursor.next(future, SIZE, state(), out(), id);
  }

  private String state() {
    return dir.resolve("cursor.json").toUri().toString();
  }

  private String out() {
    return dir.resolve("batches").toUri().toString();
  }

  private static List<Long> ids(String uri) {
    return spark.read().parquet(uri).orderBy(RawSchema.ENCOUNTER_ID).select(RawSchema.ENCOUNTER_ID)
        .as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
  }
}
