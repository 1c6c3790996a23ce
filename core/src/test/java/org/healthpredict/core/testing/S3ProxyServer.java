package org.healthpredict.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * A real S3 API on loopback for tests: S3Proxy (from Maven Central, copied to core/target/test-servers
 * by the build) in its own JVM, storing buckets as folders of a temporary directory. {@link #stop()}
 * kills it like an outage would and {@link #restart()} brings it back on the same port and data.
 */
public final class S3ProxyServer implements AutoCloseable {

  public static final String ACCESS_KEY = "health-predict-test";
  public static final String SECRET_KEY = "health-predict-test-secret";

  private final int port;
  private final Path storage;
  private final Path properties;
  private final Path log;
  private volatile Process process;

  private S3ProxyServer(int port, Path storage, Path properties, Path log) {
    this.port = port;
    this.storage = storage;
    this.properties = properties;
    this.log = log;
  }

  /** Starts S3Proxy on a free loopback port; fails with the log tail if it does not answer in 60 s. */
  public static S3ProxyServer start() {
    Path jar = jar();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("S3Proxy jar missing at " + jar + "; build core with Maven (process-test-resources copies it)");
    }
    try {
      int port = LoopbackPorts.free();
      Path dir = Files.createTempDirectory("s3proxy-");
      Path storage = Files.createDirectories(dir.resolve("buckets"));
      Path properties = dir.resolve("s3proxy.properties");
      Files.write(properties, List.of(
          "s3proxy.endpoint=http://127.0.0.1:" + port,
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + ACCESS_KEY,
          "s3proxy.credential=" + SECRET_KEY,
          "jclouds.provider=filesystem",
          "jclouds.identity=" + ACCESS_KEY,
          "jclouds.credential=" + SECRET_KEY,
          "jclouds.filesystem.basedir=" + storage));
      S3ProxyServer server = new S3ProxyServer(port, storage, properties, dir.resolve("s3proxy.log"));
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      server.launch();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start S3Proxy", e);
    }
  }

  /**
   * Kills the server at once (SIGKILL), as a crash or network cut would: requests in flight are cut
   * off and new connections are refused. The stored objects stay for {@link #restart()}.
   */
  public void stop() {
    process.destroyForcibly();
    awaitExit();
  }

  /** Starts the server again on the same port and storage, after {@link #stop()}. */
  public void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("S3Proxy on " + endpoint() + " is still running");
    }
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart S3Proxy", e);
    }
  }

  /** The directory holding the buckets: what S3Proxy has stored, readable while it is down. */
  public Path storage() {
    return storage;
  }

  private void launch() throws IOException {
    // Appended: a restarted server's log follows the first one's. C1 only and the serial collector: the
    // start-up dominates a test server's life, and they halve it on a busy machine (9 s to 4.5 s measured).
    process = new ProcessBuilder(javaBinary(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-jar", jar().toString(),
        "--properties", properties.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    awaitReady(Duration.ofSeconds(60));
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Creates a bucket. With S3Proxy's filesystem store a bucket is a folder of its storage directory. */
  public void createBucket(String name) {
    try {
      Files.createDirectories(storage.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create bucket " + name, e);
    }
  }

  /** Points a Hadoop configuration's s3a:// file system at this server (path-style, no TLS). */
  public void configure(Configuration hadoop) {
    hadoop.set("fs.s3a.endpoint", endpoint());
    hadoop.set("fs.s3a.endpoint.region", "us-east-1");
    hadoop.set("fs.s3a.path.style.access", "true");
    hadoop.set("fs.s3a.connection.ssl.enabled", "false");
    hadoop.set("fs.s3a.access.key", ACCESS_KEY);
    hadoop.set("fs.s3a.secret.key", SECRET_KEY);
    hadoop.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    // Each test server has a new port: never reuse a cached file system bound to an old one.
    hadoop.set("fs.s3a.impl.disable.cache", "true");
  }

  @Override
  public void close() {
    process.destroy();
    awaitExit();
  }

  private void awaitExit() {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ": " + logTail());
      }
      try {
        // Any HTTP answer (403 for an unsigned request) means the S3 API is up.
        http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/")).build(), HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException e) {
        sleep();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for S3Proxy", e);
      }
    }
    close();
    throw new IllegalStateException("S3Proxy did not answer on " + endpoint() + " within " + timeout + ": " + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Path jar() {
    return ProjectFiles.root().resolve("core/target/test-servers/s3proxy.jar");
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
