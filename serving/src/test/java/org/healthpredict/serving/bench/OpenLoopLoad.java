package org.healthpredict.serving.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate, open-loop {@code POST /predict} over a fixed number of keep-alive connections, as wrk2
 * does it: request i is due at start + i / rate whether or not earlier answers came back, the next
 * free connection sends it (at once when it is already late), and its latency is measured from its
 * due time. A closed loop (wait for the answer, then send the next) would send less while the
 * service stalls and so hide the stall from the percentiles (coordinated omission); here a stall
 * shows in the latency of every request due during it.
 *
 * <p>The connections are fixed because a client that opened one more per late request would answer a
 * stall with thousands of new connections, and then measure its own connection storm: on a busy
 * 2-core machine the kernel's accept queue overflowed and the client itself ran out of time. A load
 * balancer or a client pool in front of the service keeps a bounded set of connections too.
 */
final class OpenLoopLoad implements AutoCloseable {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final URI predict;
  private final List<byte[]> bodies;
  private final long periodNanos;
  private final int connections;
  private final LatencyLog log;
  private final AtomicLong next = new AtomicLong();
  private final List<Thread> senders = new ArrayList<>();
  private volatile boolean running = true;
  private long dueCount;

  OpenLoopLoad(URI predict, List<byte[]> bodies, double ratePerSecond, int connections, LatencyLog log) {
    this.predict = predict;
    this.bodies = List.copyOf(bodies);
    this.periodNanos = Math.round(1e9 / ratePerSecond);
    this.connections = connections;
    this.log = log;
  }

  /** Sends from {@code startNanos} (a {@link System#nanoTime()} value) until {@code endNanos} or {@link #close()}. */
  void start(long startNanos, long endNanos) {
    dueCount = (endNanos - startNanos + periodNanos - 1) / periodNanos;
    for (int c = 0; c < connections; c++) {
      Thread t = new Thread(() -> send(startNanos, endNanos), "soak-connection-" + c);
      t.setDaemon(true);
      senders.add(t);
      t.start();
    }
  }

  /** One connection: takes the next due request, waits for its time if it is early, sends, records. */
  private void send(long startNanos, long endNanos) {
    while (running) {
      long i = next.getAndIncrement();
      long due = startNanos + i * periodNanos;
      if (due - endNanos >= 0) {
        return;
      }
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      HttpRequest request = HttpRequest.newBuilder(predict).timeout(REQUEST_TIMEOUT)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get((int) (i % bodies.size())))).build();
      String outcome;
      try {
        outcome = Integer.toString(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
      } catch (IOException e) {
        outcome = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        return;
      }
      log.add(due - startNanos, System.nanoTime() - due, outcome);
    }
  }

  /** Waits until every request due before the end has been answered (or has failed), at most {@code timeout}. */
  void awaitDone(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : senders) {
      // join(0) would wait forever: at least 1 ms.
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
  }

  /** Requests due before the end with no answer (nor failure) logged yet. */
  int unanswered() {
    return (int) Math.max(0, dueCount - log.size());
  }

  @Override
  public void close() {
    running = false;
  }
}
