package org.healthpredict.core.tracking;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The credentials MLflow's clients read from the environment ({@code MLFLOW_TRACKING_TOKEN}, or
 * {@code MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD}), sent with every request.
 */
record Credentials(String username, String password, String token) {

  static Credentials fromEnvironment(Map<String, String> env) {
    return new Credentials(blankToNull(env.get("MLFLOW_TRACKING_USERNAME")),
        blankToNull(env.get("MLFLOW_TRACKING_PASSWORD")),
        blankToNull(env.get("MLFLOW_TRACKING_TOKEN")));
  }

  /** The Authorization header value, as MLflow's clients send it. */
  Optional<String> authorization() {
    if (username != null && password != null) {
      String pair = username + ":" + password;
      return Optional.of("Basic "
          + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    if (token != null) {
      return Optional.of("Bearer " + token);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "Credentials[" + (username != null ? "basic" : token != null ? "token" : "none") + "]";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
