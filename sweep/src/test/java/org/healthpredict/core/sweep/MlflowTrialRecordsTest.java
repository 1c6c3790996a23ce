package org.healthpredict.core.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.healthpredict.core.testing.MlflowServer;
import org.healthpredict.core.tracking.StoredRun;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.FoldSchedule;
import org.healthpredict.core.tuning.RandomSampler;
import org.healthpredict.core.tuning.RungScore;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.TrialConfig;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;
import org.healthpredict.core.tuning.WinnerRule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The workers' records on a real MLflow server, trained by {@link ScoringTrainer} (no Spark): every
 * trial's child run ends with its state, the journal on the sweep run replays, and a rung logged in
 * a run reads back as the score it was.
 */
class MlflowTrialRecordsTest {

  private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
  private static final SearchSpace ONE_FAMILY = SearchSpace.parse("""
      families:
        f:
          resource: {kind: iterations, param: maxIter, min: 1, max: 9}
          params:
            x: {uniform: [0.5, 1.0]}
      """, "one-family.yaml");

  private static Tracking tracking;

  @BeforeAll
  static void connect() {
    tracking = Tracking.connect(MlflowServer.shared().trackingUri());
  }

  @AfterAll
  static void disconnect() {
    tracking.close();
  }

  @Test
  void everyTrialsRunEndsWithItsStateAndTheJournalReplays() {
    // Trial 1 fails, trial 2 is degenerate, the others wait at rung 0 until promoted or stopped.
    SweepSettings settings = new SweepSettings(SweepMetric.ROC_AUC, true, 3, 1, AshaConfig.Promotion.PAPER, 4,
        null, 1, 7, new FoldSchedule(3, FoldSchedule.Policy.GROW), SweepSettings.SamplerKind.RANDOM, 10, false,
        WinnerRule.BEST, null);
    AshaScheduler scheduler = new AshaScheduler(settings.ashaConfig(CLOCK.instant()), ONE_FAMILY,
        new RandomSampler(ONE_FAMILY, 7), List.of(), CLOCK);
    ScoringTrainer trainer = new ScoringTrainer(CLOCK).failingFor(1).degenerateFor(2);
    String sweepId;
    try (TrackedRun sweep = tracking.experiment("records-" + UUID.randomUUID()).startRun("sweep")) {
      sweepId = sweep.runId();
      MlflowTrialRecords records = new MlflowTrialRecords(sweep, tracking, SweepJournal.create(sweep),
          SweepMetric.ROC_AUC);
      new SweepWorkers(scheduler, trainer, records, settings, line -> {}, false).runAll();
      sweep.finish();
    }

    Map<Integer, TrialState> states = scheduler.trials().stream()
        .collect(Collectors.toMap(TrialStatus::id, TrialStatus::state));
    assertThat(states).containsEntry(1, TrialState.FAILED).containsEntry(2, TrialState.DEGENERATE)
        .containsValues(TrialState.COMPLETED, TrialState.STOPPED);
    SweepJournal journal = SweepJournal.load(tracking, sweepId);
    assertThat(journal.events()).isEqualTo(scheduler.events());
    Map<String, StoredRun> children = tracking.childRuns(sweepId).stream()
        .collect(Collectors.toMap(StoredRun::runId, Function.identity()));
    assertThat(children).hasSize(4).containsOnlyKeys(journal.childRunIds().values());

    for (TrialStatus t : scheduler.trials()) {
      StoredRun run = children.get(journal.childRunIds().get(t.id()));
      assertThat(run.tags()).as("trial %d", t.id()).containsEntry(SweepRunner.STATE_TAG, t.state().name())
          .containsEntry(SweepRunner.TRIAL_TAG, String.valueOf(t.id()));
      assertThat(run.status()).as("trial %d", t.id())
          .isEqualTo(t.state() == TrialState.FAILED ? StoredRun.Status.FAILED : StoredRun.Status.FINISHED);
      if (t.state() == TrialState.STOPPED || t.state() == TrialState.DEGENERATE) {
        assertThat(run.tags()).containsEntry("health_predict.stopped_at_rung", String.valueOf(t.rung()));
      }
    }
    assertThat(children.get(journal.childRunIds().get(1)).tags()).containsEntry("health_predict.error",
        "java.lang.IllegalStateException: executor lost while fitting trial 1");

    // What a resumed driver reads back for a rung it finds logged but not journaled.
    TrialEvent.Result first = scheduler.results().get(0);
    RungScore logged = new MlflowTrialRecords(null, tracking, journal, SweepMetric.ROC_AUC)
        .recorded(first.trialId(), Math.round(first.resource()));
    assertThat(logged).isEqualTo(first.score());
    assertThat(tracking.metricHistory(journal.childRunIds().get(first.trialId()), "fit_seconds"))
        .containsKey(Math.round(first.resource()));
  }

  @Test
  void aResumedSweepTakesUpTheTrialRunItsDriverCreatedButNeverJournaled() {
    try (TrackedRun sweep = tracking.experiment("orphans-" + UUID.randomUUID()).startRun("sweep")) {
      SweepJournal journal = SweepJournal.create(sweep);
      // The driver created trial 0's run, then lost the server before the journal named it.
      TrackedRun orphan = sweep.startChild("trial-0");
      TrialConfig config = new TrialConfig("f", Map.of("x", 0.75));

      MlflowTrialRecords records = MlflowTrialRecords.resumed(sweep, tracking, journal, SweepMetric.ROC_AUC);
      records.started(new TrialEvent.Started(0, config));
      records.completed(0);
      records.started(new TrialEvent.Started(1, config));
      records.completed(1);

      assertThat(journal.childRunId(0)).contains(orphan.runId());
      List<StoredRun> children = tracking.childRuns(sweep.runId());
      assertThat(children).extracting(StoredRun::runName).containsExactly("trial-0", "trial-1");
      assertThat(children).allSatisfy(run -> assertThat(run.status()).isEqualTo(StoredRun.Status.FINISHED));
      assertThat(children.get(0).params()).containsEntry("x", "0.75").containsEntry("model_family", "f");
    }
  }
}
