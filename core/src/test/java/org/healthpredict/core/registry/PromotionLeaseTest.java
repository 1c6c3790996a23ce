package org.healthpredict.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.healthpredict.core.testing.SharedMlflow;
import org.healthpredict.core.tracking.Tracking;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cross-process promotion lease, a registered-model tag, with other holders simulated. */
@ExtendWith(SharedMlflow.class)
class PromotionLeaseTest {

  private static RegistryFixture fixture;
  private static ModelRegistry registry;

  @BeforeAll
  static void connect(Tracking tracking) {
    fixture = new RegistryFixture(tracking);
    registry = fixture.registry;
  }

  /** Gives up on another holder's lease after one second. */
  private static LeasePolicy shortWait(String owner) {
    return new LeasePolicy(owner, Duration.ofSeconds(5), Duration.ofMillis(300),
        Duration.ofSeconds(1));
  }

  private static String lease(String model) {
    return registry.requireModel(model).tags().get(PromotionLease.TAG);
  }

  @Test
  void aLeaseHeldByAnotherProcessBlocksUntilTheWaitRunsOut() {
    String model = RegistryFixture.uniqueModel("lease-held");
    registry.ensureRegisteredModel(model);
    Instant expiry = Instant.now().plusSeconds(600);
    registry.setModelTag(model, PromotionLease.TAG, "other-host/42/abc:" + expiry.toEpochMilli());

    assertThatThrownBy(() -> PromotionLease.acquire(registry, model, shortWait("me"),
        Clock.systemUTC()))
        .isInstanceOf(PromotionConflictException.class)
        .hasMessageContaining("held by other-host/42/abc until " + Instant.ofEpochMilli(
            expiry.toEpochMilli()));
    assertThat(lease(model)).startsWith("other-host/42/abc:");
  }

  @Test
  void aPromotionWhileAnotherProcessHoldsTheLeaseFailsAndMovesNothing() {
    String model = RegistryFixture.uniqueModel("lease-promote");
    fixture.version(model, 0.2);
    registry.setModelTag(model, PromotionLease.TAG,
        "other-host/42/abc:" + Instant.now().plusSeconds(600).toEpochMilli());
    Promotion promotion = new Promotion(registry, fixture.audit, shortWait("me"),
        Clock.systemUTC());

    assertThatThrownBy(() -> promotion.promote(model, "1", Optional.empty(), "manual", "ops"))
        .isInstanceOf(PromotionConflictException.class)
        .hasMessageContaining("promotion lease");
    assertThat(registry.requireModel(model).aliases()).isEmpty();
  }

  @Test
  void theExpiredLeaseOfADeadHolderIsTakenOverAndReleased() {
    String model = RegistryFixture.uniqueModel("lease-expired");
    registry.ensureRegisteredModel(model);
    registry.setModelTag(model, PromotionLease.TAG,
        "dead-host/7/xyz:" + Instant.now().minusSeconds(5).toEpochMilli());

    PromotionLease lease = PromotionLease.acquire(registry, model,
        RegistryFixture.quickLease("me"), Clock.systemUTC());

    assertThat(lease(model)).isEqualTo(lease.value()).startsWith("me:");
    lease.release();
    assertThat(lease(model)).isNull();
  }

  @Test
  void releaseLeavesALeaseThatIsNoLongerOursAlone() {
    String model = RegistryFixture.uniqueModel("lease-release");
    registry.ensureRegisteredModel(model);
    PromotionLease lease = PromotionLease.acquire(registry, model,
        RegistryFixture.quickLease("me"), Clock.systemUTC());
    String theirs = "late-writer/9/def:" + Instant.now().plusSeconds(600).toEpochMilli();
    registry.setModelTag(model, PromotionLease.TAG, theirs);

    lease.release();

    assertThat(lease(model)).isEqualTo(theirs);
  }

  @Test
  void aLeaseThatRanOutRefusesFurtherWrites() {
    String model = RegistryFixture.uniqueModel("lease-ran-out");
    registry.ensureRegisteredModel(model);
    PromotionLease lease = PromotionLease.acquire(registry, model,
        RegistryFixture.quickLease("me"), Clock.systemUTC());

    assertThatThrownBy(() -> lease.ensureHeld(Duration.ofSeconds(6)))
        .isInstanceOf(PromotionConflictException.class)
        .hasMessageContaining("expired");
    lease.ensureHeld(Duration.ofMillis(100));
    lease.release();
  }

  @Test
  void twoOwnersAcquiringAtOnceNeverHoldTheLeaseTogether() throws Exception {
    // No in-process lock here: only the tag protocol stands between the two, as between processes.
    String model = RegistryFixture.uniqueModel("lease-race");
    registry.ensureRegisteredModel(model);
    CountDownLatch start = new CountDownLatch(1);
    List<long[]> held = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<?>> done = new ArrayList<>();
    for (String owner : List.of("proc-a", "proc-b")) {
      done.add(pool.submit(() -> {
        start.await();
        PromotionLease lease = PromotionLease.acquire(registry, model,
            RegistryFixture.quickLease(owner), Clock.systemUTC());
        long from = System.nanoTime();
        Thread.sleep(500);
        long to = System.nanoTime();
        lease.release();
        held.add(new long[] {from, to});
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(held).hasSize(2);
    long[] first = held.get(0)[0] < held.get(1)[0] ? held.get(0) : held.get(1);
    long[] second = first == held.get(0) ? held.get(1) : held.get(0);
    assertThat(second[0]).isGreaterThan(first[1]);
  }
}
