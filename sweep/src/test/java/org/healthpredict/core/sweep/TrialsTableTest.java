package org.healthpredict.core.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.TrialStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrialsTableTest {

  /**
   * Two families on different ladders (a: 1, 3, 9; b: 2, 6, 18) whose parameters each have one value,
   * so every cell of the table is known in advance; a's note holds a comma and quotes to be escaped.
   */
  private static final SearchSpace TWO_FAMILIES = SearchSpace.parse("""
      families:
        a:
          resource: {kind: iterations, param: maxIter, min: 1, max: 9}
          params:
            depth: {int: [4, 4]}
            note: {choice: ["x, \\"y\\""]}
        b:
          resource: {kind: trees, param: numTrees, min: 2, max: 18}
          params:
            depth: {int: [6, 6]}
            rate: {uniform: [0.0001, 0.0001]}
      """, "two-families.yaml");

  private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2025-01-01T00:00:00Z"));

  /**
   * Seed 4 draws families b, a, a, b. Trial 0 completes, 1 is stopped at rung 0, 2 is still running at
   * rung 2, and 3 fails at rung 0 with a reason that needs quoting.
   */
  private static AshaScheduler drivenSweep() {
    AshaScheduler asha = new AshaScheduler(new AshaConfig(AshaConfig.Mode.MAX, 3, 1, 4, null, AshaConfig.Promotion.IMMEDIATE), TWO_FAMILIES, 4, CLOCK);
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jobs.add(asha.nextJob().orElseThrow());
    }
    assertThat(jobs).extracting(j -> j.config().family()).containsExactly("b", "a", "a", "b");
    asha.onResult(0, 0, 0.60);  // first at rung 0: promoted
    asha.onResult(1, 0, 0.50);  // below the cutoff .5667: stopped
    asha.onResult(2, 0, 0.70);  // above .6333: promoted
    asha.onFailure(3, "OOM, \"executor\" lost\nat line 2");
    asha.onResult(0, 1, 0.65);
    asha.onResult(0, 2, 0.66);  // top rung: completed
    asha.onResult(2, 1, 0.72);  // above .6967: promoted to rung 2, where it still runs
    return asha;
  }

  @Test
  void writesOneRowPerTrialWithRungMetricsParamsAndQuotedFailureReason() {
    AshaScheduler asha = drivenSweep();

    String csv = TrialsTable.csv(asha.trials(), asha.events(), AshaConfig.Mode.MAX);

    assertThat(csv).isEqualTo("""
        trial_id,family,bracket,state,last_rung,last_resource,rung_0,rung_1,rung_2,best_metric,depth,note,rate,failure_reason
        0,b,0,COMPLETED,2,18,0.6,0.65,0.66,0.66,6,,0.0001,
        1,a,0,STOPPED,0,1,0.5,,,0.5,4,"x, ""y""\",,
        2,a,0,RUNNING,2,9,0.7,0.72,,0.72,4,"x, ""y""\",,
        3,b,0,FAILED,0,2,,,,,6,,0.0001,"OOM, ""executor"" lost
        at line 2"
        """);
  }

  @Test
  void bestMetricIsTheSmallestWhenLowerIsBetter() {
    AshaScheduler asha = new AshaScheduler(AshaConfig.minimize(1).withPromotion(AshaConfig.Promotion.IMMEDIATE), SearchSpace.parse("""
        families:
          f:
            resource: {kind: rows, min: 0.25, max: 1.0}
            params:
              x: {choice: [true]}
        """, "rows.yaml"), 1, CLOCK);
    asha.nextJob().orElseThrow();
    asha.onResult(0, 0, 0.40);
    asha.onResult(0, 1, 0.30);
    asha.onResult(0, 2, 0.35);

    assertThat(TrialsTable.csv(asha.trials(), asha.events(), AshaConfig.Mode.MIN).lines().toList()).containsExactly(
        "trial_id,family,bracket,state,last_rung,last_resource,rung_0,rung_1,rung_2,best_metric,x,failure_reason",
        "0,f,0,COMPLETED,2,1,0.4,0.3,0.35,0.3,true,");
  }

  @Test
  void rowsAreOrderedByTrialIdWhateverTheInputOrder() {
    AshaScheduler asha = drivenSweep();
    List<TrialStatus> shuffled = new ArrayList<>(asha.trials());
    Collections.reverse(shuffled);

    assertThat(TrialsTable.csv(shuffled, asha.events(), AshaConfig.Mode.MAX))
        .isEqualTo(TrialsTable.csv(asha.trials(), asha.events(), AshaConfig.Mode.MAX));
  }

  @Test
  void sweepWithoutTrialsIsJustTheHeader() {
    assertThat(TrialsTable.csv(List.of(), List.of(), AshaConfig.Mode.MAX))
        .isEqualTo("trial_id,family,bracket,state,last_rung,last_resource,best_metric,failure_reason\n");
  }

  @Test
  void numbersAreWrittenPlainAndExact() {
    assertThat(TrialsTable.number(1.0E-4)).isEqualTo("0.0001");
    assertThat(TrialsTable.number(135.0)).isEqualTo("135");
    assertThat(TrialsTable.number(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(TrialsTable.number(-0.0)).isEqualTo("0");
  }

  @Test
  void writeReplacesTheFileAndLeavesNoStagingFileBehind(@TempDir Path dir) throws Exception {
    AshaScheduler asha = drivenSweep();
    Path file = dir.resolve("reports/trials.csv");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "stale");

    TrialsTable.write(asha.trials(), asha.events(), AshaConfig.Mode.MAX, file);

    assertThat(file).hasContent(TrialsTable.csv(asha.trials(), asha.events(), AshaConfig.Mode.MAX));
    try (var listing = Files.list(file.getParent())) {
      assertThat(listing).containsExactly(file);
    }
  }
}
