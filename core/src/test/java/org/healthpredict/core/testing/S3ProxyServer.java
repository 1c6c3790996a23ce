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
 * by the build) in its own JVM, storing buckets as folders of a temporary directory.
 */
public final class S3ProxyServer implements AutoCloseable {

  public static final String ACCESS_KEY = "health-predict-test";
  public static final String SECRET_KEY = "health-predict-test-secret";

  private final Process process;
  private final int port;
  private final Path storage;
  private final Path log;

  private S3ProxyServer(Process process, int port, Path storage, Path log) {
    this.process = process;
    this.port = port;
    this.storage = storage;
    this.log = log;
  }

  /** Starts S3Proxy on a free loopback port; fails with the log tail if it does not answer in 60 s. */
  public static S3ProxyServer start() {
    Path jar = ProjectFiles.root().resolve("core/target/test-servers/s3proxy.jar");
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
      Path log = dir.resolve("s3proxy.log");
      Process process = new ProcessBuilder(javaBinary(), "-Xmx512m", "-jar", jar.toString(),
          "--properties", properties.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      S3ProxyServer server = new S3ProxyServer(process, port, storage, log);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      server.awaitReady(Duration.ofSeconds(60));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start S3Proxy", e);
    }
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

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
