package org.healthpredict.serving;

import java.time.Duration;
import org.healthpredict.serving.http.ApiKeys;
import org.healthpredict.serving.input.UnknownFields;
import org.healthpredict.serving.model.ScorerKind;
import org.healthpredict.serving.traffic.AbMode;

/**
 * Everything the service is configured with. {@link ServingMain} fills it from flags whose
 * defaults are the environment variables documented in the README (MODEL_URI, PORT, ...).
 *
 * @param challengerUri a second model to route a share of traffic to, or null
 * @param reloadPoll how often to ask the registry whether the alias moved; zero turns polling off
 * @param shutdownDelay how long to stay up but unready after SIGTERM, so load balancers stop sending
 * @param drainTimeout how long to wait for requests in flight before stopping anyway
 */
public record ServingConfig(
    String host,
    int port,
    String trackingUri,
    String modelUri,
    String challengerUri,
    double challengerShare,
    AbMode abMode,
    Duration reloadPoll,
    int maxBatchRecords,
    long maxBodyBytes,
    UnknownFields unknownFields,
    ApiKeys apiKeys,
    ApiKeys adminKeys,
    ScorerKind scorer,
    Duration shutdownDelay,
    Duration drainTimeout) {

  public ServingConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    if (maxBatchRecords < 1) {
      throw new IllegalArgumentException("max batch records must be at least 1, got " + maxBatchRecords);
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("max body bytes must be at least 1024, got " + maxBodyBytes);
    }
    if (!(challengerShare >= 0 && challengerShare <= 1)) {
      throw new IllegalArgumentException("challenger share must be in [0, 1], got " + challengerShare);
    }
    if (modelUri == null || modelUri.isBlank()) {
      throw new IllegalArgumentException("a model URI is required (MODEL_URI or --model-uri)");
    }
  }

  /** A configuration for tests and embedding: loopback, any free port, no keys, no challenger. */
  public static ServingConfig local(String modelUri) {
    return new ServingConfig("127.0.0.1", 0, "http://127.0.0.1:5000", modelUri, null, 0.0, AbMode.SPLIT,
        Duration.ZERO, 1000, 8L << 20, UnknownFields.REJECT, ApiKeys.of(java.util.List.of()),
        ApiKeys.of(java.util.List.of()), ScorerKind.ROW, Duration.ZERO, Duration.ofSeconds(30));
  }

  public ServingConfig withChallenger(String uri, double share, AbMode mode) {
    return new ServingConfig(host, port, trackingUri, modelUri, uri, share, mode, reloadPoll, maxBatchRecords,
        maxBodyBytes, unknownFields, apiKeys, adminKeys, scorer, shutdownDelay, drainTimeout);
  }

  public ServingConfig withKeys(ApiKeys api, ApiKeys admin) {
    return new ServingConfig(host, port, trackingUri, modelUri, challengerUri, challengerShare, abMode, reloadPoll,
        maxBatchRecords, maxBodyBytes, unknownFields, api, admin, scorer, shutdownDelay, drainTimeout);
  }

  public ServingConfig withLimits(int batchRecords, long bodyBytes, UnknownFields unknown) {
    return new ServingConfig(host, port, trackingUri, modelUri, challengerUri, challengerShare, abMode, reloadPoll,
        batchRecords, bodyBytes, unknown, apiKeys, adminKeys, scorer, shutdownDelay, drainTimeout);
  }
}
