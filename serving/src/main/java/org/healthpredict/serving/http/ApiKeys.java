package org.healthpredict.serving.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A set of accepted API keys. Keys are kept only as SHA-256 digests and compared with
 * {@link MessageDigest#isEqual} against every configured key, so neither the comparison's time nor
 * an early exit tells an attacker how much of a guess was right; the keys themselves are never
 * logged or returned.
 */
public final class ApiKeys {

  private final List<byte[]> digests;

  private ApiKeys(List<byte[]> digests) {
    this.digests = digests;
  }

  /** Keys as configured: blanks and surrounding spaces dropped (a trailing comma is not a key). */
  public static ApiKeys of(Collection<String> keys) {
    return new ApiKeys(keys.stream().map(String::strip).filter(k -> !k.isEmpty()).map(ApiKeys::sha256).toList());
  }

  /** A comma-separated list, as in the API_KEYS environment variable. */
  public static ApiKeys parse(String commaSeparated) {
    return of(commaSeparated == null ? List.of() : Arrays.asList(commaSeparated.split(",")));
  }

  public boolean isEmpty() {
    return digests.isEmpty();
  }

  public int size() {
    return digests.size();
  }

  public boolean accepts(String presented) {
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    byte[] candidate = sha256(presented);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, candidate);
    }
    return match;
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
