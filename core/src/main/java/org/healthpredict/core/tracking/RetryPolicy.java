package org.healthpredict.core.tracking;

import java.time.Duration;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * How long calls to the MLflow tracking server keep retrying while it is unreachable or answers
 * 429 or 5xx: exponential backoff with jitter, for at most {@code outageBudget} counted from the
 * first failure of an outage (shared by every call on one connection, so a sweep's threads give up
 * together and calls after that fail at once). A server never reached yet gets only
 * {@code firstContactBudget}: a mistyped URI should fail in seconds, not minutes.
 *
 * @param outageBudget how long an outage of a server that answered before is ridden out
 * @param firstContactBudget how long a server that never answered is waited for
 * @param firstDelay the wait before the first retry; each further wait doubles
 * @param maxDelay the longest wait between two attempts, so a server back up is noticed soon
 */
public record RetryPolicy(Duration outageBudget, Duration firstContactBudget, Duration firstDelay,
    Duration maxDelay) {

  /** The variable that sets the outage budget in whole seconds; 0 turns retries off. */
  public static final String BUDGET_ENV = "HP_TRACKING_RETRY_SECONDS";
  /** Long enough for a tracking server to be restarted or its pod rescheduled. */
  public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(5);
  private static final Duration FIRST_CONTACT = Duration.ofSeconds(20);
  private static final Duration FIRST_DELAY = Duration.ofMillis(500);
  private static final Duration MAX_DELAY = Duration.ofSeconds(10);
  /** Each wait is its nominal value times a factor in [1 - JITTER, 1 + JITTER]. */
  private static final double JITTER = 0.2;

  public RetryPolicy {
    for (Duration d : new Duration[] {outageBudget, firstContactBudget, firstDelay, maxDelay}) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("retry durations must be zero or positive: " + d);
      }
    }
  }

  /** Rides out outages up to {@code budget}, with the standard backoff. */
  public static RetryPolicy riding(Duration budget) {
    Duration firstContact = budget.compareTo(FIRST_CONTACT) < 0 ? budget : FIRST_CONTACT;
    return new RetryPolicy(budget, firstContact, FIRST_DELAY, MAX_DELAY);
  }

  /** One attempt per call: for callers with their own backoff, such as the service's registry poll. */
  public static RetryPolicy none() {
    return riding(Duration.ZERO);
  }

  /** {@value #BUDGET_ENV} seconds if set, otherwise {@link #DEFAULT_BUDGET}. */
  public static RetryPolicy fromEnvironment(Map<String, String> env) {
    String value = env.get(BUDGET_ENV);
    if (value == null || value.isBlank()) {
      return riding(DEFAULT_BUDGET);
    }
    try {
      return riding(Duration.ofSeconds(Long.parseLong(value.trim())));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(BUDGET_ENV + ": expected whole seconds (e.g. 300), found '"
          + value + "'", e);
    }
  }

  /** The wait before retry number {@code retry} (0 for the first), jittered by {@code random}. */
  Duration delay(int retry, DoubleSupplier random) {
    double nominal = Math.min(maxDelay.toMillis(),
        firstDelay.toMillis() * Math.pow(2, Math.min(retry, 30)));
    double factor = 1 - JITTER + 2 * JITTER * random.getAsDouble();
    return Duration.ofMillis(Math.round(nominal * factor));
  }
}
