package org.healthpredict.core.tuning;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Asynchronous successive halving (ASHA; Li et al., MLSys 2020) over a search space: hands free
 * workers jobs, and decides after each rung whether a trial continues, stops or is complete. Pure
 * Java; the sweep driver runs the jobs on Spark.
 *
 * <p><b>Decisions are immediate, as in Ray Tune's ASHAScheduler</b>, not paused as in the paper's
 * Algorithm 2. A result at a rung is judged at once against the rung's results so far (itself
 * included): at or above the (1 - 1/η) quantile it is promoted and the same worker trains it at the
 * next rung; below, it is STOPPED for good. The paper instead pauses the trial and may promote it
 * later as the rung grows. We follow Ray because MLlib has no warm start, so a paused trial keeps
 * nothing worth resuming, and because a final decision per result lets each trial's tracking run end
 * when its worker is done. The price: an early, mediocre result may be promoted and a later one of
 * the same quality stopped. Consequently STOPPED trials never trained with the full resource R and
 * COMPLETED ones did.
 *
 * <p><b>Rungs are shared by index across families.</b> Each family climbs its own ladder r, rη, rη²,
 * ..., R ({@link ResourceSpec#milestones}), but a result at rung k competes with every family's results
 * at rung k, so a weak family is cut early instead of being compared only with itself. This is fair
 * when every family has the same number of rungs (the default space does).
 *
 * <p><b>Brackets.</b> With s brackets, trial n joins bracket n mod s (round robin, so no randomness),
 * and bracket b starts its trials at rung b; each bracket keeps its own rungs, as in Ray Tune.
 *
 * <p><b>Budget.</b> New trials start while fewer than maxTrials have started and the deadline (read
 * from the injected clock) has not passed. Past the deadline, promotions become STOP(DEADLINE), so
 * the sweep ends with the trainings in flight. A FAILED trial counts as started.
 *
 * <p>Thread-safe (every public method is synchronized) and deterministic: the same sequence of calls
 * with the same seed gives the same jobs and decisions.
 */
public final class AshaScheduler {

  private final AshaConfig config;
  private final SearchSpace space;
  private final Sampler sampler;
  private final InstantSource clock;
  private final Map<String, List<Double>> ladders = new TreeMap<>();
  private final List<Bracket> brackets = new ArrayList<>();
  private final List<Trial> trials = new ArrayList<>();
  private final List<TrialEvent> events = new ArrayList<>();

  private static final class Trial {
    final int id;
    final TrialConfig config;
    final int bracket;
    TrialState state = TrialState.RUNNING;
    int rung;

    Trial(int id, TrialConfig config, int bracket, int rung) {
      this.id = id;
      this.config = config;
      this.bracket = bracket;
      this.rung = rung;
    }
  }

  /**
   * @param seed seeds the {@link Sampler} that draws each new trial's configuration
   * @param clock read only to compare with the config's deadline
   */
  public AshaScheduler(AshaConfig config, SearchSpace space, long seed, InstantSource clock) {
    if (config.maxTrials() == AshaConfig.UNLIMITED && config.deadline() == null) {
      throw new IllegalArgumentException("an ASHA sweep needs a budget: maxTrials, a deadline, or both");
    }
    this.config = config;
    this.space = space;
    this.sampler = new Sampler(space, seed);
    this.clock = Objects.requireNonNull(clock, "clock");
    space.families().forEach((name, family) -> ladders.put(name, family.resource().milestones(config.eta())));
    for (int b = 0; b < config.brackets(); b++) {
      brackets.add(new Bracket(config.eta()));
    }
  }

  /**
   * Rebuilds a scheduler from its history, e.g. after the driver crashed. Replaying the events in their
   * original order gives the same rungs, trials and decisions; the sampler resumes where it stopped.
   * Trials that were RUNNING lost their worker, so they come back PAUSED and {@link #nextJob} hands
   * them out again, at their current rung, before starting new trials.
   *
   * @throws IllegalStateException if the history does not replay under these settings (another seed,
   *     space, η or mode than the one that wrote it)
   */
  public static AshaScheduler restore(AshaConfig config, SearchSpace space, long seed, InstantSource clock,
      List<TrialEvent> history) {
    AshaScheduler scheduler = new AshaScheduler(config, space, seed, clock);
    synchronized (scheduler) {
      for (int i = 0; i < history.size(); i++) {
        scheduler.replay(i, history.get(i));
      }
      for (Trial t : scheduler.trials) {
        if (t.state == TrialState.RUNNING) {
          t.state = TrialState.PAUSED;
        }
      }
    }
    return scheduler;
  }

  /**
   * The paper's get_job, for a worker that just became free: a PAUSED trial if there is one (lowest id
   * first), else a new trial at its bracket's bottom rung if the budget allows, else empty. With
   * immediate decisions there is never a promotable trial waiting here: a promoted trial already
   * continues on its own worker.
   */
  public synchronized Optional<Job> nextJob() {
    if (deadlinePassed()) {
      return Optional.empty();
    }
    for (Trial t : trials) {
      if (t.state == TrialState.PAUSED) {
        t.state = TrialState.RUNNING;
        return Optional.of(job(t));
      }
    }
    if (trials.size() >= config.maxTrials()) {
      return Optional.empty();
    }
    return Optional.of(job(start(sampler.next())));
  }

  /**
   * Records a trial's metric at the rung its job named and decides: COMPLETE at the family's top rung;
   * else STOP if the metric is below the rung's cutoff; else CONTINUE at the next rung (STOP with
   * reason DEADLINE if the deadline has passed). In mode MIN the metric is negated first, so the cutoff
   * (reported in metric units) is the 1/η quantile and a trial goes on at or below it.
   *
   * @throws IllegalStateException if the trial is not running at that rung
   * @throws IllegalArgumentException if the metric is NaN or infinite (report a failure instead)
   */
  public synchronized Decision onResult(int trialId, int rung, double metric) {
    TrialEvent.Result result = decide(running(trialId, rung), metric, true);
    apply(result);
    return result.decision();
  }

  /** Marks a running trial FAILED: its worker is free, it is never promoted, its earlier results stay. */
  public synchronized void onFailure(int trialId, String reason) {
    Trial t = trial(trialId);
    if (t.state != TrialState.RUNNING) {
      throw new IllegalStateException("trial " + trialId + " is " + t.state + ", not RUNNING; cannot fail it");
    }
    t.state = TrialState.FAILED;
    events.add(new TrialEvent.Failed(trialId, reason));
  }

  /** Whether no new trial may start: maxTrials have started or the deadline has passed. */
  public synchronized boolean budgetExhausted() {
    return trials.size() >= config.maxTrials() || deadlinePassed();
  }

  /** Whether the sweep is over: nothing runs, and nothing can be handed out by {@link #nextJob}. */
  public synchronized boolean isFinished() {
    boolean running = trials.stream().anyMatch(t -> t.state == TrialState.RUNNING);
    boolean paused = trials.stream().anyMatch(t -> t.state == TrialState.PAUSED);
    // After the deadline PAUSED trials are never handed out again, so they do not keep the sweep open.
    return !running && (deadlinePassed() || (!paused && trials.size() >= config.maxTrials()));
  }

  /** Every trial so far, by id. */
  public synchronized List<TrialStatus> trials() {
    return trials.stream().map(t -> new TrialStatus(t.id, t.config, t.bracket, t.state, t.rung,
        ladder(t).get(t.rung))).toList();
  }

  /** The full history in order: what {@link #restore} replays. */
  public synchronized List<TrialEvent> events() {
    return List.copyOf(events);
  }

  /** Every recorded (trial, rung, resource, metric), in the order they arrived. */
  public synchronized List<TrialEvent.Result> results() {
    return events.stream().filter(TrialEvent.Result.class::isInstance).map(TrialEvent.Result.class::cast).toList();
  }

  /** The best result at a top rung (the earliest of equals), if any trial completed. */
  public synchronized Optional<TrialEvent.Result> best() {
    TrialEvent.Result best = null;
    for (TrialEvent.Result r : results()) {
      if (r.decision() instanceof Decision.Complete && (best == null || score(r.metric()) > score(best.metric()))) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /** A family's rung resources, rung 0 first. */
  public List<Double> milestones(String family) {
    space.family(family);
    return ladders.get(family);
  }

  public AshaConfig config() {
    return config;
  }

  private Trial start(TrialConfig trialConfig) {
    int id = trials.size();
    int bracket = id % config.brackets();
    int top = ladders.get(trialConfig.family()).size() - 1;
    Trial t = new Trial(id, trialConfig, bracket, Math.min(bracket, top));
    trials.add(t);
    events.add(new TrialEvent.Started(id, trialConfig));
    return t;
  }

  /** Judges a result; records it in its bracket but leaves the trial's state to {@link #apply}. */
  private TrialEvent.Result decide(Trial t, double metric, boolean useClock) {
    if (!Double.isFinite(metric)) {
      throw new IllegalArgumentException("trial " + t.id + " reported metric " + metric + " at rung " + t.rung
          + "; report a failure instead");
    }
    List<Double> ladder = ladder(t);
    double cutoffScore = brackets.get(t.bracket).record(t.rung, score(metric));
    Decision decision;
    if (t.rung == ladder.size() - 1) {
      decision = new Decision.Complete();
    } else if (score(metric) < cutoffScore) {
      decision = new Decision.Stop(Decision.Reason.BELOW_CUTOFF);
    } else if (useClock && deadlinePassed()) {
      decision = new Decision.Stop(Decision.Reason.DEADLINE);
    } else {
      decision = new Decision.Continue(t.rung + 1, ladder.get(t.rung + 1));
    }
    return new TrialEvent.Result(t.id, t.config.family(), t.rung, ladder.get(t.rung), metric, score(cutoffScore),
        decision);
  }

  private void apply(TrialEvent.Result result) {
    Trial t = trials.get(result.trialId());
    switch (result.decision().action()) {
      case CONTINUE -> t.rung = ((Decision.Continue) result.decision()).rung();
      case STOP -> t.state = TrialState.STOPPED;
      case COMPLETE -> t.state = TrialState.COMPLETED;
    }
    events.add(result);
  }

  private void replay(int index, TrialEvent event) {
    String at = "cannot resume: history entry " + index + " (" + event + ")";
    if (event instanceof TrialEvent.Started s) {
      TrialConfig drawn = sampler.next();
      if (s.trialId() != trials.size() || !drawn.equals(s.config())) {
        throw new IllegalStateException(at + " does not match this sweep, which would start trial " + trials.size()
            + " with " + drawn.describe() + "; were the seed or the search space changed?");
      }
      start(drawn);
    } else if (event instanceof TrialEvent.Result r) {
      TrialEvent.Result replayed;
      try {
        replayed = decide(running(r.trialId(), r.rung()), r.metric(), false);
      } catch (RuntimeException e) {
        throw new IllegalStateException(at + ": " + e.getMessage(), e);
      }
      // The clock is not consulted in a replay, so a stop for the deadline is taken from the record.
      boolean deadlineStop = r.decision().equals(new Decision.Stop(Decision.Reason.DEADLINE))
          && replayed.decision() instanceof Decision.Continue;
      if (deadlineStop) {
        replayed = new TrialEvent.Result(replayed.trialId(), replayed.family(), replayed.rung(), replayed.resource(),
            replayed.metric(), replayed.cutoff(), r.decision());
      }
      if (!replayed.equals(r)) {
        throw new IllegalStateException(at + " replays as " + replayed + "; were eta, mode or the search space changed?");
      }
      apply(replayed);
    } else if (event instanceof TrialEvent.Failed f) {
      try {
        onFailure(f.trialId(), f.reason());
      } catch (RuntimeException e) {
        throw new IllegalStateException(at + ": " + e.getMessage(), e);
      }
    }
  }

  private Trial running(int trialId, int rung) {
    Trial t = trial(trialId);
    if (t.state != TrialState.RUNNING) {
      throw new IllegalStateException("trial " + trialId + " is " + t.state + "; only a RUNNING trial reports results");
    }
    if (t.rung != rung) {
      throw new IllegalStateException("trial " + trialId + " runs at rung " + t.rung + ", but reported rung " + rung);
    }
    return t;
  }

  private Trial trial(int trialId) {
    if (trialId < 0 || trialId >= trials.size()) {
      throw new IllegalArgumentException("no trial " + trialId + "; " + trials.size() + " have started");
    }
    return trials.get(trialId);
  }

  private Job job(Trial t) {
    return new Job(t.id, t.config, t.rung, ladder(t).get(t.rung), space.family(t.config.family()).resource());
  }

  private List<Double> ladder(Trial t) {
    return ladders.get(t.config.family());
  }

  /** Larger is better inside the brackets; negation is its own inverse, so it also maps scores back. */
  private double score(double metric) {
    return config.mode() == AshaConfig.Mode.MAX ? metric : -metric;
  }

  private boolean deadlinePassed() {
    return config.deadline() != null && !clock.instant().isBefore(config.deadline());
  }
}
