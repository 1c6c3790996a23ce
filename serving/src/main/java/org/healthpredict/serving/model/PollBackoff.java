package org.healthpredict.serving.model;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The registry poll through an outage: after a failed poll the next attempt waits twice as long as
 * the last (from the poll period up to {@link #MAX_DELAY}, with up to 20% jitter so a fleet of
 * replicas does not retry in step), and only the first failure and the recovery are worth a log line.
 */
final class PollBackoff {

  /** The longest wait between attempts while the registry stays unreachable. */
  static final Duration MAX_DELAY = Duration.ofMinutes(5);
  private static final double JITTER = 0.2;

  private final long periodNanos;
  private int failures;
  private long outageStart;
  private long nextAttempt = Long.MIN_VALUE;

  PollBackoff(Duration period) {
    this.periodNanos = Math.max(1, period.toNanos());
  }

  /** Whether a poll should run at {@code now} (nanoseconds, any origin). */
  synchronized boolean due(long now) {
    return failures == 0 || now - nextAttempt >= 0;
  }

  /** Records a failed poll; true when it starts an outage (the one failure to log). */
  synchronized boolean failed(long now) {
    failures++;
    if (failures == 1) {
      outageStart = now;
    }
    long delay = Math.min(MAX_DELAY.toNanos(), periodNanos << Math.min(failures - 1, 30));
    nextAttempt = now + (long) (delay * (1 + JITTER * ThreadLocalRandom.current().nextDouble()));
    return failures == 1;
  }

  /** Records a successful poll; the outage it ends (failed polls and duration), if any. */
  synchronized Outage succeeded(long now) {
    Outage ended = failures == 0 ? null : new Outage(failures, Duration.ofNanos(now - outageStart));
    failures = 0;
    return ended;
  }

  /** An outage that ended: how many polls failed, over how long. */
  record Outage(int failedPolls, Duration duration) {}
}
