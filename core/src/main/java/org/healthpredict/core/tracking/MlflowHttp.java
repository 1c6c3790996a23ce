package org.healthpredict.core.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP layer between this project and an MLflow server: REST calls under
 * {@code /api/2.0/mlflow/} and artifact transfers through its proxy, with credentials, a timeout and
 * one retry policy ({@link RetryPolicy}).
 *
 * <p>Connection failures, 429 and 5xx answers are retried; any other answer, 4xx included, is
 * final. Requests that create something (a run, a model version) are retried only when the server
 * cannot have acted on them (the connection was refused, or it answered 429 or 503), or, through
 * {@link #create}, after checking that a lost answer's request made nothing. An outage is logged
 * once when it starts and once when it ends, not per attempt.
 */
final class MlflowHttp {

  private static final Logger LOG = LoggerFactory.getLogger(MlflowHttp.class);
  private static final String API = "/api/2.0/mlflow/";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /** Whether sending a request twice has the same effect as sending it once. */
  enum Repeat { SAFE, CREATES }

  /** How often a create whose answer was lost is sent again after its probe found nothing. */
  private static final int MAX_RESENDS = 3;

  /** A create request went out, but no answer came back: it may or may not have been acted on. */
  private static final class AnswerLost extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final TrackingException failure;

    AnswerLost(TrackingException failure) {
      super(failure.getMessage(), failure, false, false);
      this.failure = failure;
    }
  }

  private final String trackingUri;
  private final Credentials credentials;
  private final RetryPolicy policy;
  private final InstantSource clock;
  private final HttpClient http;

  /** Guards the outage state below, shared by every thread calling through this connection. */
  private final Object outage = new Object();
  private Instant outageStart;
  private boolean outageLogged;
  private boolean everAnswered;
  private int retriedCalls;

  MlflowHttp(String trackingUri, Credentials credentials, RetryPolicy policy, InstantSource clock) {
    this.trackingUri = trackingUri;
    this.credentials = credentials;
    this.policy = policy;
    this.clock = clock;
    // uvicorn speaks HTTP/1.1 only; the JDK's default h2c upgrade attempt is wasted on it.
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30))
        .build();
  }

  String trackingUri() {
    return trackingUri;
  }

  RetryPolicy policy() {
    return policy;
  }

  /** GETs a REST endpoint; empty when the server answers that the resource does not exist. */
  Optional<JsonNode> get(String what, String endpoint, String... queryNamesAndValues) {
    if (queryNamesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("query parameters come in name/value pairs");
    }
    StringBuilder uri = new StringBuilder(trackingUri).append(API).append(endpoint);
    for (int i = 0; i < queryNamesAndValues.length; i += 2) {
      uri.append(i == 0 ? '?' : '&').append(queryNamesAndValues[i]).append('=')
          .append(URLEncoder.encode(queryNamesAndValues[i + 1], StandardCharsets.UTF_8));
    }
    return json(what, HttpRequest.newBuilder(URI.create(uri.toString())).GET(), Repeat.SAFE);
  }

  /**
   * Sends a JSON body with {@code method} to a REST endpoint; empty when the server answers that
   * the resource does not exist. Any other refusal throws, naming the server and {@code what}.
   */
  Optional<JsonNode> send(String what, String method, String endpoint, Object body, Repeat repeat) {
    try {
      return sendOnce(what, method, endpoint, body, repeat);
    } catch (AnswerLost lost) {
      throw lost.failure;
    }
  }

  private Optional<JsonNode> sendOnce(String what, String method, String endpoint, Object body,
      Repeat repeat) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(trackingUri + API + endpoint))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    return json(what, request, repeat);
  }

  /**
   * Sends a request that creates something, so that an answer lost on the way (the connection
   * dropped after the request went out, e.g. a pooled connection to a server that has just
   * restarted) makes neither a duplicate nor a failure: {@code probe} looks for what the lost
   * request may have made, and only when it finds nothing is the request sent again.
   *
   * @param probe finds the created resource, shaped like the create's answer; empty if not made
   */
  Optional<JsonNode> create(String what, String endpoint, Object body,
      Supplier<Optional<JsonNode>> probe) {
    for (int resend = 0; ; resend++) {
      try {
        return sendOnce(what, "POST", endpoint, body, Repeat.CREATES);
      } catch (AnswerLost lost) {
        Optional<JsonNode> made = probe.get();
        if (made.isPresent()) {
          return made;
        }
        if (resend == MAX_RESENDS) {
          throw lost.failure;
        }
      }
    }
  }

  private Optional<JsonNode> json(String what, HttpRequest.Builder request, Repeat repeat) {
    HttpResponse<byte[]> response = exchange(what, request, repeat);
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() == 404 && body.contains("RESOURCE_DOES_NOT_EXIST")) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw refused(what, response.statusCode(), body);
    }
    try {
      return Optional.of(Json.MAPPER.readTree(body));
    } catch (IOException e) {
      throw new TrackingException("the server at " + trackingUri + " answered a request to " + what
          + " with something that is not JSON: " + abbreviate(body), e);
    }
  }

  /**
   * Sends a request, retrying as the policy allows, and returns the server's answer: a final one,
   * or the last 429/5xx once the outage budget is spent.
   *
   * @throws TrackingException if the server could not be reached within the budget
   */
  HttpResponse<byte[]> exchange(String what, HttpRequest.Builder request, Repeat repeat) {
    request.timeout(REQUEST_TIMEOUT);
    credentials.authorization().ifPresent(value -> request.header("Authorization", value));
    HttpRequest built = request.build();
    for (int retry = 0; ; retry++) {
      HttpResponse<byte[]> response;
      try {
        response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        boolean unsent = e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
        if (!unsent && repeat == Repeat.CREATES) {
          throw new AnswerLost(unreachable(what, e));
        }
        Optional<Duration> wait = nextWait(what, String.valueOf(e), retry);
        if (wait.isEmpty()) {
          throw unreachable(what, e);
        }
        sleep(wait.get(), what);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TrackingException("interrupted while trying to " + what, e);
      }
      int status = response.statusCode();
      boolean transientAnswer = status == 429 || status >= 500;
      boolean retryable = status == 429 || status == 503 || (repeat == Repeat.SAFE && status >= 500);
      if (retryable) {
        Optional<Duration> wait = nextWait(what, "HTTP " + status, retry);
        if (wait.isPresent()) {
          sleep(longerOf(wait.get(), retryAfter(response)), what);
          continue;
        }
      }
      if (!transientAnswer) {
        answered();
      }
      return response;
    }
  }

  /** The wait before the next attempt, or empty if the outage has outlasted its budget. */
  private Optional<Duration> nextWait(String what, String reason, int retry) {
    synchronized (outage) {
      Instant now = clock.instant();
      if (outageStart == null) {
        outageStart = now;
      }
      Duration budget = everAnswered ? policy.outageBudget() : policy.firstContactBudget();
      Duration left = budget.minus(Duration.between(outageStart, now));
      if (left.isNegative() || left.isZero()) {
        return Optional.empty();
      }
      if (!outageLogged) {
        outageLogged = true;
        LOG.warn("the MLflow tracking server at {} cannot be used right now ({} while trying to {});"
            + " retrying with backoff for up to {} s ({})", trackingUri, reason, what,
            budget.toSeconds(), RetryPolicy.BUDGET_ENV);
      }
      if (retry == 0) {
        retriedCalls++;
      }
      Duration wait = policy.delay(retry, ThreadLocalRandom.current()::nextDouble);
      return Optional.of(wait.compareTo(left) < 0 ? wait : left);
    }
  }

  private void answered() {
    synchronized (outage) {
      everAnswered = true;
      if (outageStart != null && outageLogged) {
        LOG.info("the MLflow tracking server at {} answers again after {} s; {} call(s) waited for it",
            trackingUri, Duration.between(outageStart, clock.instant()).toSeconds(), retriedCalls);
      }
      outageStart = null;
      outageLogged = false;
      retriedCalls = 0;
    }
  }

  /** The seconds of a Retry-After header, which a rate-limiting proxy may send with 429 or 503. */
  private static Duration retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After")
        .filter(v -> v.matches("\\d{1,5}"))
        .map(v -> Duration.ofSeconds(Long.parseLong(v)))
        .orElse(Duration.ZERO);
  }

  private static Duration longerOf(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static void sleep(Duration wait, String what) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrackingException("interrupted while waiting for the MLflow tracking server to "
          + what, e);
    }
  }

  TrackingException unreachable(String what, Exception e) {
    return new TrackingException("cannot reach the MLflow tracking server at " + trackingUri
        + " to " + what + " (" + e + ")" + retried() + ". Is the server running? The URI comes"
        + " from the command line or " + Tracking.TRACKING_URI_ENV + ".", e);
  }

  TrackingException refused(String what, int status, String body) {
    return new TrackingException("the MLflow tracking server at " + trackingUri + " refused to "
        + what + ": HTTP " + status + " " + abbreviate(body)
        + (status == 429 || status >= 500 ? retried() : ""));
  }

  /** How long the current outage has lasted, for messages of calls that gave up on it. */
  private String retried() {
    synchronized (outage) {
      if (outageStart == null || policy.outageBudget().isZero()) {
        return "";
      }
      return "; retried for " + Duration.between(outageStart, clock.instant()).toSeconds()
          + " s (set " + RetryPolicy.BUDGET_ENV + " or --tracking-retry to wait longer)";
    }
  }

  /** Error bodies of proxies in front of MLflow can be whole HTML pages. */
  static String abbreviate(String body) {
    String flat = String.valueOf(body).strip().replaceAll("\\s+", " ");
    return flat.length() <= 500 ? flat : flat.substring(0, 500) + "…";
  }
}
