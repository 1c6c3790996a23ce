package org.healthpredict.core.data.synthetic;

/**
 * Well-mixed 64-bit seeds for one (seed, stream, index): each synthetic row draws from its own
 * generators, so a row depends only on the seed and its index, never on which Spark task makes it.
 */
final class SeedMix {

  private SeedMix() {}

  /** SplitMix64's finaliser, applied in turn to the seed, the stream and the index. */
  static long mix(long seed, long stream, long index) {
    return mix64(mix64(mix64(seed) ^ stream) + index);
  }

  private static long mix64(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
