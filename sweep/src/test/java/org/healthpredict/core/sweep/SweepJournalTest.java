package org.healthpredict.core.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.healthpredict.core.testing.SharedMlflow;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.TrialConfig;
import org.healthpredict.core.tuning.TrialEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sweep journal stored as a run artifact on a real MLflow server, and read back exactly. */
@ExtendWith(SharedMlflow.class)
class SweepJournalTest {

  private static Tracking tracking;

  @BeforeAll
  static void connect(Tracking connection) {
    tracking = connection;
  }

  private static TrackedRun newSweepRun() {
    return tracking.experiment("journal-" + UUID.randomUUID()).startRun("sweep");
  }

  private static String storedText(String runId) {
    return new String(tracking.readArtifact(runId, SweepJournal.ARTIFACT_PATH).orElseThrow(),
        StandardCharsets.UTF_8);
  }

  /** Every event kind, every decision kind, every parameter type and awkward doubles. */
  private static List<TrialEvent> everyKindOfEvent() {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("stepSize", 0.1 + 0.2);
    params.put("regParam", 1e-300);
    params.put("tiny", Double.MIN_VALUE);
    params.put("negativeZero", -0.0);
    params.put("wholeDouble", 5.0);
    params.put("maxDepth", 5);
    params.put("maxBins", Integer.MIN_VALUE);
    params.put("impurity", "gini");
    params.put("looksLikeANumber", "NaN");
    params.put("fitIntercept", true);
    params.put("standardization", false);
    return List.of(
        new TrialEvent.Started(0, new TrialConfig("gbt", params)),
        new TrialEvent.Started(1, new TrialConfig("logistic_regression", Map.of("regParam", 0.01))),
        new TrialEvent.Result(0, "gbt", 0, 1e-300, 0.1 + 0.2, Double.MIN_VALUE,
            new Decision.Continue(1, 1.0 / 3)),
        new TrialEvent.Result(1, "logistic_regression", 0, 10, -0.0, Double.NEGATIVE_INFINITY,
            new Decision.Stop(Decision.Reason.BELOW_CUTOFF)),
        new TrialEvent.Result(0, "gbt", 1, 1.0 / 3, Math.PI, Double.NaN,
            new Decision.Stop(Decision.Reason.DEADLINE)),
        new TrialEvent.Started(2, new TrialConfig("random_forest", Map.of())),
        new TrialEvent.Result(2, "random_forest", 2, Double.MAX_VALUE, 0.7,
            Double.POSITIVE_INFINITY, new Decision.Complete()),
        new TrialEvent.Result(1, "logistic_regression", 1, 30, 0.4, Double.NaN, new Decision.Wait()),
        new TrialEvent.Decided(1, 1, new Decision.Continue(2, 90.0)),
        new TrialEvent.Decided(0, 0, new Decision.Stop(Decision.Reason.BELOW_CUTOFF)),
        new TrialEvent.Decided(2, 1, new Decision.Stop(Decision.Reason.DEADLINE)),
        new TrialEvent.Failed(3, "java.lang.OutOfMemoryError: \"Java heap\"\n\tat ü ∞"));
  }

  @Test
  void everyEventAndDecisionKindRoundTripsExactlyThroughMlflow() {
    List<TrialEvent> events = everyKindOfEvent();
    String runId;
    try (TrackedRun sweep = newSweepRun()) {
      runId = sweep.runId();
      SweepJournal journal = SweepJournal.create(sweep);
      for (TrialEvent event : events) {
        if (event instanceof TrialEvent.Started started && started.trialId() != 1) {
          journal.appendStarted(started, "child-run-" + started.trialId());
        } else {
          journal.append(event);
        }
      }
      assertThat(journal.events()).isEqualTo(events);
      sweep.finish();
    }

    SweepJournal loaded = SweepJournal.load(tracking, runId);

    // Record equality compares doubles bit for bit (-0.0 is not 0.0, NaN equals NaN), and
    // TrialConfig equality tells Integer 5 from Double 5.0.
    assertThat(loaded.events()).isEqualTo(events);
    TrialConfig gbt = ((TrialEvent.Started) loaded.events().get(0)).config();
    assertThat(gbt.params().get("stepSize")).isEqualTo(0.30000000000000004);
    assertThat(gbt.params().get("maxDepth")).isInstanceOf(Integer.class);
    assertThat(gbt.params().get("wholeDouble")).isInstanceOf(Double.class);
    assertThat(gbt.params().get("looksLikeANumber")).isEqualTo("NaN");
    assertThat(gbt.params().get("fitIntercept")).isEqualTo(Boolean.TRUE);
    assertThat(loaded.childRunIds()).containsExactly(Map.entry(0, "child-run-0"),
        Map.entry(2, "child-run-2"));
    assertThat(loaded.childRunId(1)).isEmpty();
    assertThat(loaded.runId()).isEqualTo(runId);
    assertThat(storedText(runId).lines()).hasSize(events.size());
  }

  @Test
  void aNewJournalIsStoredEmptyAtOnceSoASweepDyingBeforeItsFirstEventCanResume() {
    String runId;
    try (TrackedRun sweep = newSweepRun()) {
      runId = sweep.runId();
      SweepJournal.create(sweep);
    }

    assertThat(storedText(runId)).isEmpty();
    assertThat(SweepJournal.load(tracking, runId).events()).isEmpty();
  }

  @Test
  void appendsAfterReopeningTheSweepRunKeepTheEarlierLines() {
    List<TrialEvent> events = everyKindOfEvent();
    String runId;
    try (TrackedRun sweep = newSweepRun()) {
      runId = sweep.runId();
      SweepJournal journal = SweepJournal.create(sweep);
      journal.appendStarted((TrialEvent.Started) events.get(0), "child-a");
      journal.append(events.get(1));
      // the driver dies here: the run is closed without finish()
    }
    String before = storedText(runId);

    try (TrackedRun reopened = tracking.reopenRun(runId)) {
      SweepJournal resumed = SweepJournal.resume(reopened);
      assertThat(resumed.events()).isEqualTo(events.subList(0, 2));
      assertThat(resumed.childRunIds()).containsExactly(Map.entry(0, "child-a"));
      for (TrialEvent event : events.subList(2, events.size())) {
        resumed.append(event);
      }
      reopened.finish();
    }

    assertThat(storedText(runId)).startsWith(before);
    SweepJournal loaded = SweepJournal.load(tracking, runId);
    assertThat(loaded.events()).isEqualTo(events);
    assertThat(loaded.childRunIds()).containsExactly(Map.entry(0, "child-a"));
  }

  @Test
  void aLoadedJournalRebuildsTheSchedulerThatWroteIt() {
    SearchSpace space = SearchSpace.defaultSpace();
    AshaConfig config = AshaConfig.maximize(12);
    Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    AshaScheduler scheduler = new AshaScheduler(config, space, 5, clock);
    String runId;
    try (TrackedRun sweep = newSweepRun()) {
      runId = sweep.runId();
      SweepJournal journal = SweepJournal.create(sweep);
      int written = 0;
      // Eight jobs, one failing, then the driver "dies" with work outstanding.
      for (int step = 0; step < 8; step++) {
        Optional<Job> job = scheduler.nextJob();
        if (job.isEmpty()) {
          break;
        }
        Job j = job.get();
        if (step == 3) {
          scheduler.onFailure(j.trialId(), "diverged");
        } else {
          scheduler.onResult(j.trialId(), j.rung(), 0.5 + ((j.trialId() * 7919) % 100) / 1000.0
              + j.resource() / 1e6);
        }
        List<TrialEvent> all = scheduler.events();
        for (TrialEvent event : all.subList(written, all.size())) {
          if (event instanceof TrialEvent.Started started) {
            journal.appendStarted(started, "run-of-trial-" + started.trialId());
          } else {
            journal.append(event);
          }
        }
        written = all.size();
      }
    }

    SweepJournal loaded = SweepJournal.load(tracking, runId);
    AshaScheduler restored = AshaScheduler.restore(config, space, 5, clock, loaded.events());

    assertThat(restored.events()).isEqualTo(scheduler.events());
    assertThat(restored.results()).isEqualTo(scheduler.results());
  }

  @Test
  void loadingARunWithoutAJournalFailsNamingTheRun() {
    String runId;
    try (TrackedRun run = newSweepRun()) {
      runId = run.runId();
      run.finish();
    }

    assertThatThrownBy(() -> SweepJournal.load(tracking, runId))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(runId)
        .hasMessageContaining(SweepJournal.ARTIFACT_PATH);
    try (TrackedRun reopened = tracking.reopenRun(runId)) {
      assertThatThrownBy(() -> SweepJournal.resume(reopened))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(runId);
      reopened.finish();
    }
  }

  @Test
  void aDamagedLineIsReportedWithItsNumberAndTheRun() {
    String runId;
    try (TrackedRun run = newSweepRun()) {
      runId = run.runId();
      run.logText("{\"event\":\"failed\",\"trialId\":0,\"reason\":\"x\"}\n"
          + "{\"event\":\"result\",\"trialId\":0,\"family\":\"gbt\",\"rung\":0}\n",
          SweepJournal.ARTIFACT_PATH);
      run.finish();
    }

    assertThatThrownBy(() -> SweepJournal.load(tracking, runId))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining(runId)
        .hasMessageContaining("'resource' is missing");
  }

  @Test
  void aLoadedJournalIsReadOnlyAndAStartedRunCannotGetASecondJournal() {
    String runId;
    try (TrackedRun sweep = newSweepRun()) {
      runId = sweep.runId();
      SweepJournal journal = SweepJournal.create(sweep);
      journal.append(new TrialEvent.Started(0, new TrialConfig("gbt", Map.of("maxDepth", 3))));
      assertThatThrownBy(() -> journal.append(
          new TrialEvent.Started(0, new TrialConfig("gbt", Map.of("maxDepth", 4)))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trial 0");

      assertThatThrownBy(() -> SweepJournal.create(sweep))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(runId)
          .hasMessageContaining("resume");
      sweep.finish();
    }

    SweepJournal loaded = SweepJournal.load(tracking, runId);
    assertThatThrownBy(() -> loaded.append(new TrialEvent.Failed(0, "x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("read-only");
    assertThat(loaded.events()).hasSize(1);
  }
}
