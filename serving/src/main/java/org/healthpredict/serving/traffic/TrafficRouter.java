package org.healthpredict.serving.traffic;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the variant that answers a request. The choice is a pure function of the request key (the
 * patient number), so a patient always sees the same model while the share stays the same, and
 * clients, logs and replays can all recompute it. Requests without a key are assigned at random.
 */
public final class TrafficRouter {

  private final AbMode mode;
  private final double challengerShare;

  public TrafficRouter(AbMode mode, double challengerShare) {
    if (!(challengerShare >= 0.0 && challengerShare <= 1.0)) {
      throw new IllegalArgumentException("challenger share must be in [0, 1], got " + challengerShare);
    }
    this.mode = mode;
    this.challengerShare = challengerShare;
  }

  public AbMode mode() {
    return mode;
  }

  public double challengerShare() {
    return challengerShare;
  }

  /** The answering variant for a key when a challenger is loaded. */
  public Variant answering(Long key) {
    if (mode == AbMode.SHADOW) {
      return Variant.CHAMPION;
    }
    double u = key == null ? ThreadLocalRandom.current().nextDouble() : unitInterval(key);
    return u < challengerShare ? Variant.CHALLENGER : Variant.CHAMPION;
  }

  /**
   * A uniform number in [0, 1) from a key: SplitMix64's finaliser, which spreads consecutive
   * patient numbers evenly (the raw numbers are far from uniform), then the top 53 bits.
   */
  static double unitInterval(long key) {
    long z = key + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }
}
