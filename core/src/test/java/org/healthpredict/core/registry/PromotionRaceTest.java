package org.healthpredict.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.healthpredict.core.testing.SharedMlflow;
import org.healthpredict.core.tracking.Tracking;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two promoters racing from the same champion: exactly one wins, and the audit log shows both. */
@ExtendWith(SharedMlflow.class)
class PromotionRaceTest {

  private static RegistryFixture fixture;

  @BeforeAll
  static void connect(Tracking tracking) {
    fixture = new RegistryFixture(tracking);
  }

  @Test
  void twoConcurrentPromotionsFromTheSameChampionLeaveExactlyOneWinner() throws Exception {
    String model = RegistryFixture.uniqueModel("race");
    fixture.version(model, 0.20);
    fixture.version(model, 0.25);
    fixture.version(model, 0.26);
    fixture.promotion("setup").promote(model, "1", Optional.empty(), "first model", "ci");
    PromotionGate gate = PromotionGate.defaults();
    Optional<Evaluation> champion = Optional.of(RegistryFixture.evaluation(0.20));
    // Separate promoters with their own lease owners, as two job processes would be.
    Map<String, Promotion> promoters = Map.of("2", fixture.promotion("job-a"),
        "3", fixture.promotion("job-b"));
    Map<String, Double> prAuc = Map.of("2", 0.25, "3", 0.26);

    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<AuditEntry>> results = new ArrayList<>();
    for (String version : List.of("2", "3")) {
      GateDecision decision = gate.decide(RegistryFixture.evaluation(prAuc.get(version)), champion);
      results.add(pool.submit(() -> {
        start.await();
        return promoters.get(version).decide(model, version, Optional.of("1"), decision,
            "job-" + version);
      }));
    }
    start.countDown();
    List<String> winners = new ArrayList<>();
    List<Throwable> losers = new ArrayList<>();
    for (Future<AuditEntry> result : results) {
      try {
        winners.add(result.get(120, TimeUnit.SECONDS).version());
      } catch (ExecutionException e) {
        losers.add(e.getCause());
      }
    }
    pool.shutdown();

    assertThat(winners).hasSize(1);
    assertThat(losers).hasSize(1);
    String winner = winners.get(0);
    String loser = winner.equals("2") ? "3" : "2";
    assertThat(losers.get(0)).isInstanceOf(PromotionConflictException.class)
        .hasMessageContaining("version " + loser)
        .hasMessageContaining("assumed champion version 1")
        .hasMessageContaining("now version " + winner);
    RegisteredModel after = fixture.registry.requireModel(model);
    assertThat(after.alias(Promotion.CHAMPION)).contains(winner);
    assertThat(after.alias(Promotion.PREVIOUS)).contains("1");
    assertThat(after.tags()).doesNotContainKey(PromotionLease.TAG);
    List<AuditEntry> entries = fixture.audit.entries(model);
    assertThat(entries).extracting(AuditEntry::action, AuditEntry::version).containsExactly(
        tuple(AuditAction.PROMOTED, "1"),
        tuple(AuditAction.PROMOTED, winner),
        tuple(AuditAction.REJECTED, loser));
    assertThat(entries.get(2).reason()).startsWith("conflict:");
  }
}
