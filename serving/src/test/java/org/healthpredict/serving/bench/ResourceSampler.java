package org.healthpredict.serving.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Samples the service's resources on a fixed period: resident memory, threads and file descriptors
 * from /proc, what its temporary directory holds (every reload of a registry model downloads the
 * model there, so files left behind would grow with the reloads), and from /metrics the JVM's
 * garbage-collection time so far (collections that grow longer or more frequent show a heap filling
 * up) and the service's own /predict latency histogram.
 */
final class ResourceSampler implements AutoCloseable {

  /**
   * One sample; {@code atNanos} is since the soak's start. {@code gcSeconds} and {@code handlerBuckets}
   * (the service's cumulative /predict latency histogram) are NaN and empty when /metrics did not answer.
   */
  record Sample(long atNanos, long rssKb, int threads, int fds, long tmpBytes, int tmpEntries, double gcSeconds,
      NavigableMap<Double, Double> handlerBuckets) {}

  /** Short, so a service too busy to answer /metrics delays the next /proc reading by little. */
  private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(2);

  private final ServiceProcess service;
  private final Path serviceTmp;
  private final List<Sample> samples = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "soak-sampler");
    t.setDaemon(true);
    return t;
  });

  ResourceSampler(ServiceProcess service, Path serviceTmp) {
    this.service = service;
    this.serviceTmp = serviceTmp;
  }

  void start(long startNanos, Duration period) {
    timer.scheduleAtFixedRate(() -> sample(startNanos), 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sample(long startNanos) {
    if (!service.alive()) {
      return;
    }
    ServiceProcess.ProcStats s = service.stats();
    long at = System.nanoTime() - startNanos;
    long[] tmp = tmpUsage();
    String metrics = metrics();
    Sample sample = new Sample(at, s.rssKb(), s.threads(), s.fds(), tmp[0], (int) tmp[1],
        metrics == null ? Double.NaN : ServiceCounters.gcSeconds(metrics),
        metrics == null ? new TreeMap<>() : ServiceCounters.predictBuckets(metrics));
    synchronized (this) {
      samples.add(sample);
    }
  }

  private String metrics() {
    try {
      return service.body("/metrics", METRICS_TIMEOUT);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Bytes under the service's temporary directory, and its top-level entries. */
  private long[] tmpUsage() {
    try (Stream<Path> all = Files.walk(serviceTmp); Stream<Path> top = Files.list(serviceTmp)) {
      long bytes = all.filter(Files::isRegularFile).mapToLong(ResourceSampler::size).sum();
      return new long[] {bytes, top.count()};
    } catch (IOException | UncheckedIOException e) {
      // The service may delete a file between listing and sizing; the next sample will see the rest.
      return new long[] {-1, -1};
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The last sample taken before {@code atNanos}, or null. */
  synchronized Sample lastBefore(long atNanos) {
    Sample last = null;
    for (Sample s : samples) {
      if (s.atNanos() < atNanos) {
        last = s;
      }
    }
    return last;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
