package org.healthpredict.core.registry;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;

/**
 * How a {@link Promotion} takes a model's cross-process promotion lease.
 *
 * @param owner who holds the lease, unique per promoter (no ':'), e.g. {@code host/pid/abcd1234}
 * @param ttl how long a taken lease lasts if its holder dies; far longer than one promotion
 * @param settle the pause between writing the lease and reading it back; also the longest a
 *     promoter may take from seeing the lease free to having written it (a slower write is
 *     waited out for one {@code ttl})
 * @param maxWait how long to wait for another holder's lease before giving up with a conflict
 */
public record LeasePolicy(String owner, Duration ttl, Duration settle, Duration maxWait) {

  public LeasePolicy {
    if (owner == null || owner.isBlank() || owner.contains(":")) {
      throw new IllegalArgumentException("a lease owner is a non-empty name without ':', got '"
          + owner + "'");
    }
    if (ttl.compareTo(settle.multipliedBy(4)) < 0) {
      throw new IllegalArgumentException("lease ttl " + ttl + " must be at least 4× settle "
          + settle);
    }
  }

  /**
   * Environment variable: seconds a lease lasts, i.e. how long a promoter that died holding it blocks
   * the others (default 60). A test that kills promoters on purpose shortens it.
   */
  public static final String TTL_ENV = "HP_PROMOTION_LEASE_TTL";

  /** A fresh owner for this process, a 60 s lease ({@value #TTL_ENV}), 500 ms settle, waiting up to 90 s. */
  public static LeasePolicy defaults() {
    String ttl = System.getenv(TTL_ENV);
    return new LeasePolicy(uniqueOwner(),
        ttl == null || ttl.isBlank() ? Duration.ofSeconds(60) : Duration.ofMillis(Math.round(Double.parseDouble(ttl) * 1000)),
        Duration.ofMillis(500), Duration.ofSeconds(90));
  }

  /** {@code <host>/<pid>/<random>}: unique even for two promoters in one JVM. */
  public static String uniqueOwner() {
    // RuntimeMXBean's name is "pid@host" on HotSpot; only used to make the owner readable.
    String process = ManagementFactory.getRuntimeMXBean().getName().replace(':', '_');
    return process.replace('@', '/') + "/" + UUID.randomUUID().toString().substring(0, 8);
  }
}
