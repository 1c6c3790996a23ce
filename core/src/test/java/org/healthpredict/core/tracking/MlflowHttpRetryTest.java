package org.healthpredict.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What is retried and what is not, against a real HTTP server on loopback that answers a scripted
 * sequence of status codes (MLflow itself cannot be made to answer 429 or 503 on demand).
 */
class MlflowHttpRetryTest {

  private static final RetryPolicy FAST = new RetryPolicy(Duration.ofSeconds(3),
      Duration.ofSeconds(1), Duration.ofMillis(20), Duration.ofMillis(200));
  private static final String OK = "{\"experiment\": {\"name\": \"x\"}}";

  private HttpServer server;
  private final Deque<Integer> script = new ArrayDeque<>();
  private final AtomicInteger requests = new AtomicInteger();

  /** Starts a server answering the scripted codes in turn, then 200 with {@link #OK}. */
  private String serve(Integer... codes) throws IOException {
    script.addAll(java.util.List.of(codes));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      Integer code;
      synchronized (script) {
        code = script.poll();
      }
      int status = code == null ? 200 : code;
      byte[] body = (status == 200 ? OK : status == 404
          ? "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\"}"
          : "{\"error_code\": \"E" + status + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static MlflowHttp http(String uri, RetryPolicy policy) {
    return new MlflowHttp(uri, Credentials.fromEnvironment(Map.of()), policy,
        InstantSource.system());
  }

  @Test
  void serverErrorsAndRateLimitsAreRetriedUntilAnAnswer() throws IOException {
    MlflowHttp http = http(serve(503, 500, 429, 502), FAST);
    assertThat(http.get("look up x", "experiments/get-by-name", "experiment_name", "x"))
        .get().extracting(a -> a.path("experiment").path("name").asText()).isEqualTo("x");
    assertThat(requests).hasValue(5);
  }

  @Test
  void otherClientErrorsAreFinalAtOnce() throws IOException {
    MlflowHttp http = http(serve(404, 400, 403), FAST);
    assertThat(http.get("look up x", "experiments/get-by-name", "experiment_name", "x")).isEmpty();
    assertThatThrownBy(() -> http.send("log x", "POST", "runs/log-batch", Map.of(),
        MlflowHttp.Repeat.SAFE)).hasMessageContaining("HTTP 400");
    assertThatThrownBy(() -> http.send("log x", "POST", "runs/log-batch", Map.of(),
        MlflowHttp.Repeat.SAFE)).hasMessageContaining("HTTP 403").hasMessageNotContaining("retried");
    assertThat(requests).hasValue(3);
  }

  @Test
  void aCreateIsRepeatedOnlyWhenTheServerCannotHaveActedOnIt() throws IOException {
    MlflowHttp http = http(serve(429, 503, 500), FAST);
    assertThatThrownBy(() -> http.send("start run r", "POST", "runs/create", Map.of(),
        MlflowHttp.Repeat.CREATES)).hasMessageContaining("refused to start run r: HTTP 500");
    assertThat(requests).as("429 and 503 retried, 500 final: the run may exist").hasValue(3);
  }

  /**
   * A server whose first answer is lost: it closes the connection without a status line, having
   * acted on the request ({@code actsFirst}) or not.
   */
  private String serveLosingFirstAnswer(boolean actsFirst, AtomicInteger made) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      boolean first = requests.incrementAndGet() == 1;
      if (!first || actsFirst) {
        made.incrementAndGet();
      }
      if (first) {
        exchange.close();
        return;
      }
      byte[] body = "{\"run\": {\"info\": {\"run_id\": \"sent\"}}}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void aCreateWhoseAnswerIsLostIsFoundByItsProbeNotMadeTwice() throws IOException {
    AtomicInteger made = new AtomicInteger();
    MlflowHttp http = http(serveLosingFirstAnswer(true, made), FAST);
    var created = http.create("start run r", "runs/create", Map.of(), () -> made.get() == 1
        ? Optional.of(Json.MAPPER.createObjectNode().put("run_id", "probed")) : Optional.empty());
    assertThat(created).get().extracting(a -> a.path("run_id").asText()).isEqualTo("probed");
    assertThat(made).hasValue(1);
    assertThat(requests).hasValue(1);
  }

  @Test
  void aCreateWhoseAnswerIsLostAndThatMadeNothingIsSentAgain() throws IOException {
    AtomicInteger made = new AtomicInteger();
    MlflowHttp http = http(serveLosingFirstAnswer(false, made), FAST);
    var created = http.create("start run r", "runs/create", Map.of(), Optional::empty);
    assertThat(created).get().extracting(a -> a.path("run").path("info").path("run_id").asText())
        .isEqualTo("sent");
    assertThat(made).hasValue(1);
    assertThat(requests).hasValue(2);
  }

  @Test
  void aServerThatNeverAnsweredIsWaitedForOnlyTheFirstContactBudget() throws IOException {
    String uri;
    try (var socket = new java.net.ServerSocket(0)) {
      uri = "http://127.0.0.1:" + socket.getLocalPort();
    }
    long start = System.nanoTime();
    MlflowHttp http = http(uri, FAST);
    assertThatThrownBy(() -> http.get("look up x", "experiments/get-by-name"))
        .hasMessageContaining("cannot reach the MLflow tracking server at " + uri)
        .hasMessageContaining("retried for 1 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @Test
  void anOutageIsRiddenOutAndItsBudgetIsSharedByLaterCalls() throws Exception {
    String uri = serve();
    int port = server.getAddress().getPort();
    MlflowHttp http = http(uri, FAST);
    assertThat(http.get("look up x", "experiments/get-by-name")).isPresent();

    // Down for 1 s of a 3 s budget: the call waits and then succeeds.
    server.stop(0);
    Thread restart = new Thread(() -> {
      sleep(1000);
      server = restartOn(port);
    });
    restart.start();
    assertThat(http.get("look up x", "experiments/get-by-name")).isPresent();
    restart.join();

    // Down for good: the first call spends the budget, the next fails at once.
    server.stop(0);
    long start = System.nanoTime();
    assertThatThrownBy(() -> http.get("look up x", "experiments/get-by-name"))
        .hasMessageContaining("retried for 3 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(2900));
    start = System.nanoTime();
    assertThatThrownBy(() -> http.send("log x", "POST", "runs/log-batch", Map.of(),
        MlflowHttp.Repeat.SAFE)).hasMessageContaining("cannot reach");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    server = null;
  }

  @Test
  void noRetryPolicyMakesOneAttempt() throws IOException {
    MlflowHttp http = http(serve(503), RetryPolicy.none());
    assertThatThrownBy(() -> http.get("look up x", "experiments/get-by-name"))
        .hasMessageContaining("HTTP 503");
    assertThat(requests).hasValue(1);
  }

  @Test
  void theBudgetComesFromTheEnvironment() {
    assertThat(RetryPolicy.fromEnvironment(Map.of()).outageBudget()).isEqualTo(Duration.ofMinutes(5));
    assertThat(RetryPolicy.fromEnvironment(Map.of(RetryPolicy.BUDGET_ENV, "42")).outageBudget())
        .isEqualTo(Duration.ofSeconds(42));
    assertThat(RetryPolicy.fromEnvironment(Map.of(RetryPolicy.BUDGET_ENV, "42")).firstContactBudget())
        .isEqualTo(Duration.ofSeconds(20));
    assertThatThrownBy(() -> RetryPolicy.fromEnvironment(Map.of(RetryPolicy.BUDGET_ENV, "5m")))
        .hasMessageContaining(RetryPolicy.BUDGET_ENV).hasMessageContaining("'5m'");
  }

  @Test
  void waitsDoubleUpToTheCapWithJitter() {
    RetryPolicy p = RetryPolicy.riding(Duration.ofMinutes(5));
    assertThat(p.delay(0, () -> 0.5)).isEqualTo(Duration.ofMillis(500));
    assertThat(p.delay(3, () -> 0.5)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.delay(10, () -> 0.5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.delay(10, () -> 0.0)).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.delay(10, () -> 1.0)).isEqualTo(Duration.ofSeconds(12));
  }

  private HttpServer restartOn(int port) {
    try {
      HttpServer again = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
      again.createContext("/", exchange -> {
        byte[] body = OK.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      again.start();
      return again;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
