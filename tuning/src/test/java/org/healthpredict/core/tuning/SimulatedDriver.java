package org.healthpredict.core.tuning;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * A sweep driver without Spark for the tests: a fixed number of workers, served round robin, each
 * reporting a metric computed from its job, so interleavings are deterministic.
 */
final class SimulatedDriver {

  private final AshaScheduler scheduler;
  private final int workers;
  private final ToDoubleFunction<Job> metric;
  private final Deque<Job> inFlight = new ArrayDeque<>();

  SimulatedDriver(AshaScheduler scheduler, int workers, ToDoubleFunction<Job> metric) {
    this.scheduler = scheduler;
    this.workers = workers;
    this.metric = metric;
  }

  /** Reports up to {@code maxReports} results, fewer if the sweep ends; returns how many. */
  int run(int maxReports) {
    int reports = 0;
    while (reports < maxReports) {
      while (inFlight.size() < workers) {
        Optional<Job> next = scheduler.nextJob();
        if (next.isEmpty()) {
          break;
        }
        inFlight.addLast(next.get());
      }
      Job job = inFlight.pollFirst();
      if (job == null) {
        return reports;
      }
      Decision decision = scheduler.onResult(job.trialId(), job.rung(), metric.applyAsDouble(job));
      reports++;
      if (decision instanceof Decision.Continue next) {
        inFlight.addLast(job.continueAt(next));
      }
    }
    return reports;
  }

  void runToEnd() {
    run(Integer.MAX_VALUE);
  }

  /** The jobs workers hold now, by trial id. */
  List<Job> inFlight() {
    return inFlight.stream().sorted(Comparator.comparingInt(Job::trialId)).toList();
  }

  /** Gives the workers these jobs, as if they had taken them from the scheduler. */
  void hold(List<Job> jobs) {
    inFlight.addAll(jobs);
  }

  /** Re-queues the jobs in flight in trial-id order, the order a resumed scheduler hands them out. */
  void sortInFlightById() {
    List<Job> sorted = inFlight();
    inFlight.clear();
    inFlight.addAll(sorted);
  }

  /** A metric that depends on the configuration and grows with the resource, like a real learning curve. */
  static double learningCurve(Job job) {
    double quality = (job.config().describe().hashCode() & 0xffff) / 65536.0;
    return quality * (1 - 1 / (1 + job.resource()));
  }
}
