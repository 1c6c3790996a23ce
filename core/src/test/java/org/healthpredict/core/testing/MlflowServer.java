package org.healthpredict.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real MLflow tracking server on loopback, run from the project's Python venv, for tests that
 * must see what MLflow itself stored.
 *
 * <p>Most tests use {@link #shared()}: one server per JVM (starting one costs several seconds),
 * stopped by a shutdown hook. A test that needs its own configuration starts a private one with
 * {@link #start()} or {@link #startWithoutArtifactProxy(String)} and closes it. A server that cannot
 * start throws {@link IllegalStateException} with the reason and the tail of its log: tests fail,
 * they never skip.
 */
public final class MlflowServer implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final int START_ATTEMPTS = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static MlflowServer shared;

  private volatile Process process;
  private final List<String> command;
  private final int port;
  private final Path workDir;
  private volatile Path logFile;
  private final Optional<String> directArtifactRoot;
  private final HttpClient http;

  private MlflowServer(Process process, List<String> command, int port, Path workDir, Path logFile,
      Optional<String> directArtifactRoot, HttpClient http) {
    this.process = process;
    this.command = List.copyOf(command);
    this.port = port;
    this.workDir = workDir;
    this.logFile = logFile;
    this.directArtifactRoot = directArtifactRoot;
    this.http = http;
  }

  /** The server every test in this JVM shares; it proxies artifacts and stops when the JVM exits. */
  public static synchronized MlflowServer shared() {
    if (shared == null) {
      MlflowServer server = start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mlflow-server-stop"));
      shared = server;
    }
    return shared;
  }

  /** A private server that proxies artifacts ({@code mlflow-artifacts:/} run artifact URIs). */
  public static MlflowServer start() {
    return start(defaultExecutable(), Optional.empty());
  }

  /**
   * A private server that does not proxy artifacts: runs get artifact URIs under the given root
   * (e.g. {@code file:///tmp/x}) and clients write there directly.
   */
  public static MlflowServer startWithoutArtifactProxy(String defaultArtifactRoot) {
    return start(defaultExecutable(), Optional.of(defaultArtifactRoot));
  }

  /** Starts a server from the given {@code mlflow} executable; the general form of the others. */
  public static MlflowServer start(Path mlflowExecutable, Optional<String> directArtifactRoot) {
    if (!Files.isExecutable(mlflowExecutable)) {
      throw new IllegalStateException("cannot start the MLflow test server: " + mlflowExecutable
          + " is missing or not executable. Create the venv: python3 -m venv .venv && "
          + ".venv/bin/pip install mlflow==3.17.2 (in the project root)");
    }
    Path workDir;
    try {
      workDir = Files.createTempDirectory("mlflow-server-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory for the MLflow server", e);
    }
    // A free port can be taken between probing and binding; a few attempts make that race harmless.
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return launch(mlflowExecutable, directArtifactRoot, workDir, attempt);
      } catch (PortTakenException e) {
        last = e;
      }
    }
    throw last;
  }

  private static MlflowServer launch(Path executable, Optional<String> directArtifactRoot,
      Path workDir, int attempt) {
    int port = LoopbackPorts.free();
    Path logFile = workDir.resolve("server-" + attempt + ".log");
    List<String> command = new ArrayList<>(List.of(executable.toString(), "server",
        "--backend-store-uri", "sqlite:///" + workDir.resolve("mlflow.db"),
        "--host", "127.0.0.1", "--port", Integer.toString(port), "--workers", "1"));
    if (directArtifactRoot.isPresent()) {
      command.addAll(List.of("--no-serve-artifacts",
          "--default-artifact-root", directArtifactRoot.get()));
    } else {
      command.addAll(List.of("--serve-artifacts",
          "--artifacts-destination", workDir.resolve("artifacts").toString()));
    }
    Process process = spawn(command, workDir, logFile);
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    MlflowServer server =
        new MlflowServer(process, command, port, workDir, logFile, directArtifactRoot, http);
    server.awaitHealthy(command);
    return server;
  }

  private static Process spawn(List<String> command, Path workDir, Path logFile) {
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    // The job runner (prompt optimisation etc.) starts four extra Python processes we never use.
    builder.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
    builder.environment().remove("MLFLOW_TRACKING_URI");
    try {
      return builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0), e);
    }
  }

  /** Stops the server as an outage would: its database and artifacts stay for {@link #restart()}. */
  public void stop() {
    stopProcess();
  }

  /** Starts a {@link #stop() stopped} server again on the same port, with the same database and artifacts. */
  public void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("the MLflow test server on port " + port + " is still running");
    }
    logFile = workDir.resolve("server-restart-" + System.nanoTime() + ".log");
    process = spawn(command, workDir, logFile);
    awaitHealthy(command);
  }

  private void awaitHealthy(List<String> command) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    HttpRequest health = HttpRequest.newBuilder(URI.create(trackingUri() + "/health"))
        .timeout(Duration.ofSeconds(5)).GET().build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String tail = logTail();
        if (tail.contains("Address already in use") || tail.contains("address already in use")) {
          throw new PortTakenException(port);
        }
        throw new IllegalStateException("the MLflow test server exited with code "
            + process.exitValue() + " before answering /health.\ncommand: "
            + String.join(" ", command) + "\nlog " + logFile + ":\n" + tail);
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // expected until uvicorn binds the port
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopProcess();
        throw new IllegalStateException("interrupted while starting the MLflow test server", e);
      }
      sleep(Duration.ofMillis(250));
    }
    stopProcess();
    throw new IllegalStateException("the MLflow test server did not answer " + trackingUri()
        + "/health within " + START_TIMEOUT.toSeconds() + " s.\ncommand: "
        + String.join(" ", command) + "\nlog " + logFile + ":\n" + logTail());
  }

  /** The server's URI, e.g. {@code http://127.0.0.1:53127}. */
  public String trackingUri() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Holds the SQLite store, the proxied artifacts and the server log. */
  public Path workDir() {
    return workDir;
  }

  public Path logFile() {
    return logFile;
  }

  /** Where a proxying server keeps artifacts on disk; empty when it does not proxy. */
  public Optional<Path> proxiedArtifactsDir() {
    return directArtifactRoot.isPresent()
        ? Optional.empty() : Optional.of(workDir.resolve("artifacts"));
  }

  /**
   * GETs a REST path (e.g. {@code /api/2.0/mlflow/runs/get}) with query parameters given as
   * alternating names and values, and returns the JSON answer. Anything but 200 throws.
   */
  public JsonNode get(String path, String... queryNamesAndValues) {
    return parse(path, send(HttpRequest.newBuilder(uri(path, queryNamesAndValues)).GET().build()));
  }

  /** POSTs a JSON body to a REST path and returns the JSON answer. Anything but 200 throws. */
  public JsonNode post(String path, String jsonBody) {
    HttpRequest request = HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody))
        .build();
    return parse(path, send(request));
  }

  /** GETs raw bytes, e.g. an artifact from {@code /api/2.0/mlflow-artifacts/artifacts/<path>}. */
  public byte[] getBytes(String path, String... queryNamesAndValues) {
    return send(HttpRequest.newBuilder(uri(path, queryNamesAndValues)).GET().build());
  }

  private URI uri(String path, String... queryNamesAndValues) {
    if (queryNamesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("query parameters come in name/value pairs");
    }
    StringBuilder uri = new StringBuilder(trackingUri()).append(path);
    for (int i = 0; i < queryNamesAndValues.length; i += 2) {
      uri.append(i == 0 ? '?' : '&')
          .append(URLEncoder.encode(queryNamesAndValues[i], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(queryNamesAndValues[i + 1], StandardCharsets.UTF_8));
    }
    return URI.create(uri.toString());
  }

  private byte[] send(HttpRequest request) {
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(request.method() + " " + request.uri() + " answered "
            + response.statusCode() + ": " + new String(response.body(), StandardCharsets.UTF_8));
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + request.uri(), e);
    }
  }

  private static JsonNode parse(String path, byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("the answer of " + path + " is not JSON", e);
    }
  }

  /** Stops the server and its worker processes and deletes its work directory. */
  @Override
  public void close() {
    stopProcess();
    deleteRecursively(workDir);
  }

  private void stopProcess() {
    // uvicorn runs as a child of the mlflow CLI; collect it first so none outlives a killed parent.
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  private static Path defaultExecutable() {
    return ProjectFiles.root().resolve(".venv/bin/mlflow");
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless; failing a passing test over it is not
    }
  }

  private static final class PortTakenException extends IllegalStateException {
    PortTakenException(int port) {
      super("port " + port + " was taken before the MLflow test server could bind it");
    }
  }
}
