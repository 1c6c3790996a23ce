package org.healthpredict.core.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.healthpredict.core.tracking.TrackingException;

/**
 * The cross-process lock on promoting one model: the registered-model tag {@value #TAG} holding
 * {@code <owner>:<expiry epoch millis>}.
 *
 * <p>MLflow has no conditional write, so the lease follows Fischer's timed mutual exclusion: read
 * the tag; if it is free or expired, write ours; wait {@code settle}; read it back and hold the
 * lease only if it is still ours. Two promoters that both saw it free both write, and the later
 * write wins for both read-backs, provided each wrote within {@code settle} of seeing it free. A
 * promoter measures that interval itself (one monotonic clock, no clock sync needed); a write that
 * took longer is treated as someone else's lease until it expires, since a rival may have slipped in
 * before it (rare: it costs one TTL of waiting). The guarantee therefore rests on: the server ordering writes and reads of one
 * tag (one database), a promoter not stalling between checking the lease and using it for longer
 * than the TTL (see {@link #ensureHeld}), and clocks agreeing to well within the TTL (expiry is
 * compared across hosts only to break the lease of a dead holder).
 */
final class PromotionLease {

  static final String TAG = "health_predict.promotion_lease";
  private static final Duration POLL = Duration.ofMillis(200);

  private final ModelRegistry registry;
  private final String model;
  private final String value;
  private final Instant expiry;
  private final Clock clock;

  private PromotionLease(ModelRegistry registry, String model, String value, Instant expiry,
      Clock clock) {
    this.registry = registry;
    this.model = model;
    this.value = value;
    this.expiry = expiry;
    this.clock = clock;
  }

  /**
   * Takes the model's lease, waiting up to {@code policy.maxWait()} for another holder.
   *
   * @throws PromotionConflictException if another owner still holds it after that
   */
  static PromotionLease acquire(ModelRegistry registry, String model, LeasePolicy policy,
      Clock clock) {
    long deadline = System.nanoTime() + policy.maxWait().toNanos();
    String holder = "";
    TrackingException lastRefusal = null;
    while (true) {
      long checked = System.nanoTime();
      Optional<Held> current = Held.parse(registry.requireModel(model).tags().get(TAG));
      Instant now = clock.instant();
      // Our own unexpired value is not free either: if we wrote it too late (below), a rival may
      // have taken the lease just before and be relying on it, unseen.
      if (current.isEmpty() || !current.get().expiry().isAfter(now)) {
        Instant expiry = now.plus(policy.ttl());
        String value = policy.owner() + ":" + expiry.toEpochMilli();
        lastRefusal = write(registry, model, value);
        if (lastRefusal == null) {
          boolean timely = System.nanoTime() - checked < policy.settle().toNanos();
          ModelRegistry.sleep(policy.settle());
          // A write later than settle may have landed after a rival's read-back, so it proves
          // nothing; it stays in place until it expires (deleting it could free a rival's live lease).
          if (timely && value.equals(registry.requireModel(model).tags().get(TAG))) {
            return new PromotionLease(registry, model, value, expiry, clock);
          }
        }
      } else {
        holder = current.get().owner() + " until " + current.get().expiry();
      }
      if (System.nanoTime() > deadline) {
        throw new PromotionConflictException("cannot take the promotion lease of model '" + model
            + "' within " + policy.maxWait().toSeconds() + " s: "
            + (holder.isEmpty() ? "other promoters kept taking it" : "held by " + holder)
            + " (tag " + TAG + "); try again once that promotion has finished"
            + (lastRefusal == null ? "" : "; the last lease write was refused: " + lastRefusal.getMessage()));
      }
      ModelRegistry.sleep(POLL);
    }
  }

  /**
   * Writes the lease tag; returns the refusal (null when written) when a rival's first write of the
   * tag landed at the same moment:
   * MLflow's store then refuses the second insert (400, unique constraint). That is a lost race,
   * not an outage — the caller reads the lease again, a server really down fails that read, and the
   * acquire deadline bounds the retries.
   */
  private static TrackingException write(ModelRegistry registry, String model, String value) {
    try {
      registry.setModelTag(model, TAG, value);
      return null;
    } catch (TrackingException e) {
      return e;
    }
  }

  /**
   * Fails if the lease has run out (or nearly): past its expiry another promoter may have taken
   * it, so writing aliases now could interleave with theirs.
   */
  void ensureHeld(Duration reserve) {
    if (clock.instant().plus(reserve).isAfter(expiry)) {
      throw new PromotionConflictException("the promotion lease of model '" + model
          + "' expired (or nearly, at " + expiry + ") before the promotion was done; nothing more"
          + " was changed, check the aliases and decide again");
    }
  }

  /** Removes the tag if it is still ours; another owner's value is left for it to expire. */
  void release() {
    if (value.equals(registry.requireModel(model).tags().get(TAG))) {
      registry.deleteModelTag(model, TAG);
    }
  }

  String value() {
    return value;
  }

  /** A lease value read from the tag. */
  record Held(String owner, Instant expiry) {

    static Optional<Held> parse(String value) {
      if (value == null || value.isBlank()) {
        return Optional.empty();
      }
      int colon = value.lastIndexOf(':');
      try {
        return Optional.of(new Held(value.substring(0, colon),
            Instant.ofEpochMilli(Long.parseLong(value.substring(colon + 1)))));
      } catch (RuntimeException e) {
        // Unreadable means nobody can claim to hold it; treating it as free lets promotion go on.
        return Optional.empty();
      }
    }
  }
}
