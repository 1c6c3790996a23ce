package org.healthpredict.serving.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The scoring service as operators start it: {@code bin/health-predict-serve} in its own process
 * (the launcher's heap and collector flags included), configured by environment variables. Reads the
 * process's own figures from {@code /proc}: what the kernel charges it, not what the JVM reports.
 */
final class ServiceProcess implements AutoCloseable {

  /** One reading of /proc: resident memory, threads, open file descriptors. */
  record ProcStats(long rssKb, int threads, int fds) {}

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private long pid;

  private ServiceProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.pid = process.pid();
  }

  /** Starts {@code <root>/bin/health-predict-serve} on {@code port} with {@code env} added to this environment. */
  static ServiceProcess start(Path root, int port, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(List.of(root.resolve("bin/health-predict-serve").toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(port)))
        .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new ServiceProcess(pb.start(), port, log);
  }

  /** Waits for /health/ready; fails with the log's tail if the process exits or the time runs out. */
  void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service exited with " + process.exitValue() + ":\n" + logTail());
      }
      if (status("/health/ready") == 200) {
        pid = javaPid();
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the service was not ready within " + timeout.toSeconds() + " s:\n" + logTail());
  }

  /**
   * The JVM's pid: the launcher execs java, so normally the launcher's own; a launcher that forked
   * instead would leave the JVM as its child, and the shell's RSS would mean nothing.
   */
  private long javaPid() {
    if (comm(process.pid()).equals("java")) {
      return process.pid();
    }
    return process.descendants().filter(h -> comm(h.pid()).equals("java")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no java process under the launcher " + process.pid()))
        .pid();
  }

  private static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
    } catch (IOException e) {
      return "";
    }
  }

  long pid() {
    return pid;
  }

  int port() {
    return port;
  }

  Path log() {
    return log;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** VmRSS and Threads from /proc/<pid>/status, and the entries of /proc/<pid>/fd. */
  ProcStats stats() {
    long rss = -1;
    int threads = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
        }
      }
      int fds;
      try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
        fds = (int) entries.count();
      }
      return new ProcStats(rss, threads, fds);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc of the service (pid " + pid + ")", e);
    }
  }

  /** GET a path; the status, or -1 when the service does not answer. */
  int status(String path) {
    try {
      return http.send(get(path), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** GET a path's body as text (e.g. /metrics). */
  String body(String path) throws IOException, InterruptedException {
    return body(path, Duration.ofSeconds(10));
  }

  String body(String path, Duration timeout) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(timeout).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
  }

  /** POST a path with headers; the status and body. */
  HttpResponse<String> post(String path, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build();
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ")";
    }
  }

  /** SIGTERM, as Kubernetes stops it; the exit status (143 after a clean drain), or -1 if it had to be killed. */
  int stop() throws InterruptedException {
    process.destroy();
    if (process.waitFor(60, TimeUnit.SECONDS)) {
      return process.exitValue();
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    return -1;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
