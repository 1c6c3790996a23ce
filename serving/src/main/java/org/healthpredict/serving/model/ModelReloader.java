package org.healthpredict.serving.model;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.healthpredict.serving.metrics.ServingMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that changes which model serves: the first load, {@code POST /admin/reload}, and the
 * registry poll. Failures never take the serving model away; they are counted in /metrics and
 * reported to the caller. Until the first load succeeds the poll keeps retrying, so a service
 * started before its model is registered becomes ready once it is. An unreachable registry is
 * logged once when polls start failing and once when they succeed again, with backed-off retries
 * in between ({@link PollBackoff}), not a stack trace per poll.
 */
public final class ModelReloader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelReloader.class);
  /** Retry period for the first load when no poll is configured. */
  private static final Duration FIRST_LOAD_RETRY = Duration.ofSeconds(10);

  /** What a reload did, for the admin response. */
  public record Outcome(boolean ok, String championBefore, String championAfter, String message) {}

  private final ModelSlots slots;
  private final ServingMetrics metrics;
  private volatile PollBackoff backoff = new PollBackoff(FIRST_LOAD_RETRY);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "model-reloader");
    t.setDaemon(true);
    return t;
  });

  public ModelReloader(ModelSlots slots, ServingMetrics metrics) {
    this.slots = slots;
    this.metrics = metrics;
    metrics.models(null);
  }

  /** Loads the configured models now, whatever the registry says (admin reload, first load). */
  public Outcome reload(String trigger) {
    try {
      ModelSlots.ReloadResult r = slots.reload();
      return swapped(trigger, r);
    } catch (RuntimeException e) {
      return failed(trigger, e);
    }
  }

  /**
   * Loads in the background: first at once, then every {@code poll} when an alias moved (or, if
   * the first load failed, until it succeeds).
   */
  public void startBackground(Duration poll) {
    scheduler.execute(() -> reload("startup"));
    Duration period = poll.isZero() ? FIRST_LOAD_RETRY : poll;
    backoff = new PollBackoff(period);
    scheduler.scheduleWithFixedDelay(() -> {
      if (!poll.isZero() || !slots.loaded()) {
        pollOnce();
      }
    }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  void pollOnce() {
    long now = System.nanoTime();
    if (!backoff.due(now)) {
      return;
    }
    try {
      ModelSlots.ReloadResult r = slots.reloadIfChanged();
      PollBackoff.Outage ended = backoff.succeeded(System.nanoTime());
      if (ended != null) {
        LOG.info("model poll succeeded again after {} failed poll(s) over {} s", ended.failedPolls(),
            ended.duration().toSeconds());
      }
      if (r.swapped()) {
        swapped("poll", r);
      }
    } catch (RuntimeException e) {
      metrics.reload("failed");
      if (backoff.failed(System.nanoTime())) {
        // An unreachable registry and a version that cannot be loaded both end here: the message tells which.
        LOG.warn("model poll failed, the current model keeps serving; retrying with backoff up to every {} min, "
            + "further failures at debug level until it succeeds: {}", PollBackoff.MAX_DELAY.toMinutes(), e.getMessage());
      } else {
        LOG.debug("model poll failed again: {}", e.getMessage());
      }
      LOG.debug("model poll failure", e);
    }
  }

  private Outcome swapped(String trigger, ModelSlots.ReloadResult r) {
    metrics.models(r.after());
    metrics.reload("ok");
    String before = r.before() == null ? "none" : r.before().champion().version();
    String after = r.after().champion().version();
    LOG.info("model loaded ({}): {} version {} -> {} [{}]", trigger, r.after().champion().name(), before, after,
        r.after().champion().scorerDescription());
    return new Outcome(true, before, after, "ok");
  }

  private Outcome failed(String trigger, RuntimeException e) {
    metrics.reload("failed");
    // The message says what failed (an unreachable registry, a missing alias, a corrupt model); the
    // stack trace is for debugging, not for every failed attempt.
    LOG.warn("model load ({}) failed, the current model (if any) keeps serving: {}", trigger, e.getMessage());
    LOG.debug("model load (" + trigger + ") failure", e);
    return new Outcome(false, null, null, e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
