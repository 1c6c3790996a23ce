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
 * workers jobs, and decides after each rung whether a trial continues, waits, stops or is complete.
 * Pure Java; the sweep driver runs the jobs on Spark.
 *
 * <p><b>Two promotion rules</b> ({@link AshaConfig.Promotion}):
 * <ul>
 *   <li><b>PAPER</b> (the default of {@code tune}), the paper's Algorithm 2. A result below the top
 *   rung never promotes at once: the trial WAITS at its rung and frees its worker. {@link #nextJob}
 *   (the paper's get_job) then looks from the top rung down for a waiting trial in the top ⌊n/η⌋ of
 *   the n results at its rung, and promotes it; only if there is none does it start a new trial.
 *   A trial that waits may be promoted much later, once the rung has grown. When the budget is spent
 *   and nothing runs or can be promoted, the waiting trials are STOPPED.</li>
 *   <li><b>IMMEDIATE</b>, as Ray Tune's ASHAScheduler: a result is judged at once against the rung's
 *   results so far (itself included); at or above the (1 - 1/η) quantile the same worker trains it at
 *   the next rung, below it is STOPPED for good.</li>
 * </ul>
 * Ray decides at once because a paused trial holds a checkpoint that is costly to keep. Here a waiting
 * trial holds nothing (most MLlib families retrain from scratch) or a few GBT trees in memory (the sweep
 * continues GBT trials from their previous rung), so waiting costs nothing, while deciding
 * at once on a near-empty rung promotes early mediocre trials: the upper rungs fill with many more
 * than 1/η of the results below them, and the sweep spends its time on them (docs/benchmarks.md has
 * the figures). Hence PAPER by default.
 *
 * <p><b>A finite trial budget (PAPER).</b> The paper samples trials for ever; with N trials and η = 3,
 * about N, N/3, N/9, ... results reach the rungs, so fewer than η^(rungs - 1) trials may leave the top
 * rung empty. So that every sweep ends with a model trained at R, when the trial budget is spent,
 * nothing runs, and no trial has completed, the best waiting trial at the highest rung is promoted
 * regardless of ⌊n/η⌋ (recorded like any promotion). With 27 trials over 4 rungs it never triggers.
 *
 * <p>In both modes STOPPED trials never trained with the full resource R and COMPLETED ones did.
 *
 * <p><b>Rungs are shared by index across families.</b> Each family climbs its own ladder r, rη, rη²,
 * ..., R ({@link ResourceSpec#milestones}), but a result at rung k competes with every family's results
 * at rung k, so a weak family is cut early instead of being compared only with itself. This is fair
 * when every family has the same number of rungs (the default space does).
 *
 * <p><b>Brackets.</b> With s brackets, trial n joins bracket n mod s (round robin, so no randomness),
 * and bracket b starts its trials at rung b; each bracket keeps its own rungs, as in Ray Tune. PAPER
 * looks for promotions rung by rung from the top, brackets in order within a rung.
 *
 * <p><b>Budget.</b> New trials start while fewer than maxTrials have started and the deadline (read
 * from the injected clock) has not passed. Past the deadline nothing is promoted (IMMEDIATE: promotions
 * become STOP(DEADLINE); PAPER: waiting trials end STOPPED, DEADLINE for those in the top ⌊n/η⌋), so the
 * sweep ends with the trainings in flight. A FAILED trial counts as started.
 *
 * <p>Thread-safe (every public method is synchronized) and deterministic: the same sequence of calls
 * with the same seed gives the same jobs and decisions. Every change of a trial's state is an event,
 * so {@link #restore} rebuilds the scheduler from its history in either mode.
 */
public final class AshaScheduler {

  private final AshaConfig config;
  private final SearchSpace space;
  private final Sampler sampler;
  private final List<TrialConfig> startingPoints;
  private final InstantSource clock;
  private final Map<String, List<Double>> ladders = new TreeMap<>();
  private final List<Bracket> brackets = new ArrayList<>();
  private final List<Trial> trials = new ArrayList<>();
  private final List<TrialEvent> events = new ArrayList<>();

  private static final String CHANGED = "; were eta, mode, promotion or the search space changed?";

  private static final class Trial {
    final int id;
    final TrialConfig config;
    final int bracket;
    TrialState state = TrialState.RUNNING;
    int rung;
    /** The trial's latest result, what the sampler learns from; null until its first. */
    TrialEvent.Result latest;

    Trial(int id, TrialConfig config, int bracket, int rung) {
      this.id = id;
      this.config = config;
      this.bracket = bracket;
      this.rung = rung;
    }
  }

  /**
   * A scheduler whose trials are drawn at random ({@link RandomSampler}), with no starting points.
   *
   * @param seed seeds the sampler that draws each new trial's configuration
   * @param clock read only to compare with the config's deadline
   */
  public AshaScheduler(AshaConfig config, SearchSpace space, long seed, InstantSource clock) {
    this(config, space, new RandomSampler(space, seed), List.of(), clock);
  }

  /**
   * @param sampler draws each new trial's configuration once the starting points are used up
   * @param startingPoints configurations evaluated first, each started directly at its family's top
   *     rung (e.g. each family's defaults, so a sweep never ends below the untuned model on its own
   *     criterion); they count against maxTrials like any trial
   * @param clock read only to compare with the config's deadline
   */
  public AshaScheduler(AshaConfig config, SearchSpace space, Sampler sampler, List<TrialConfig> startingPoints,
      InstantSource clock) {
    if (config.maxTrials() == AshaConfig.UNLIMITED && config.deadline() == null) {
      throw new IllegalArgumentException("an ASHA sweep needs a budget: maxTrials, a deadline, or both");
    }
    this.config = config;
    this.space = space;
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.startingPoints = List.copyOf(startingPoints);
    startingPoints.forEach(p -> space.family(p.family()));
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
   * them out again, at their current rung, before promoting or starting trials. WAITING ones wait on.
   *
   * @throws IllegalStateException if the history does not replay under these settings (another seed,
   *     space, η, mode or promotion rule than the one that wrote it)
   */
  public static AshaScheduler restore(AshaConfig config, SearchSpace space, long seed, InstantSource clock,
      List<TrialEvent> history) {
    return restore(new AshaScheduler(config, space, seed, clock), history);
  }

  /** As {@link #restore(AshaConfig, SearchSpace, long, InstantSource, List)}, with this sampler and starting points. */
  public static AshaScheduler restore(AshaConfig config, SearchSpace space, Sampler sampler,
      List<TrialConfig> startingPoints, InstantSource clock, List<TrialEvent> history) {
    return restore(new AshaScheduler(config, space, sampler, startingPoints, clock), history);
  }

  private static AshaScheduler restore(AshaScheduler scheduler, List<TrialEvent> history) {
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
   * first); else (PAPER) a promotable waiting trial, looked for from the top rung down, at its next
   * rung; else a new trial at its bracket's bottom rung if the budget allows; else empty. With
   * IMMEDIATE there is never a promotable trial here: a promoted trial continues on its own worker.
   * Empty does not mean the sweep is over: under PAPER a result still in flight may make a waiting
   * trial promotable; ask {@link #isFinished}.
   */
  public synchronized Optional<Job> nextJob() {
    if (!deadlinePassed()) {
      for (Trial t : trials) {
        if (t.state == TrialState.PAUSED) {
          t.state = TrialState.RUNNING;
          return Optional.of(job(t));
        }
      }
      Trial promoted = promotion();
      if (promoted != null) {
        apply(new TrialEvent.Decided(promoted.id, promoted.rung, next(promoted)));
        return Optional.of(job(promoted));
      }
      if (trials.size() < config.maxTrials()) {
        return Optional.of(job(start(nextConfig())));
      }
    }
    settle();
    return Optional.empty();
  }

  /**
   * Records a trial's metric at the rung its job named and decides: COMPLETE at the family's top rung;
   * else under PAPER, WAIT (the reported cutoff is then the lowest metric in the rung's top ⌊n/η⌋, NaN
   * while that is empty); else under IMMEDIATE, STOP if the metric is below the rung's (1 - 1/η)
   * quantile, CONTINUE at the next rung if not (STOP with reason DEADLINE if the deadline has passed).
   * In mode MIN the metric is negated first, so the quantile (reported in metric units) is the 1/η
   * one and a trial goes on at or below it. Under PAPER the result may end the sweep's work, and then
   * the waiting trials are stopped ({@link TrialEvent.Decided}).
   *
   * @throws IllegalStateException if the trial is not running at that rung
   * @throws IllegalArgumentException if the metric is NaN or infinite (report a failure instead)
   */
  public synchronized Decision onResult(int trialId, int rung, double metric) {
    return onResult(trialId, rung, RungScore.of(metric));
  }

  /**
   * As {@link #onResult(int, int, double)} with the score's mean as the metric; a degenerate score stops
   * the trial at once (state DEGENERATE, reason DEGENERATE) and is left out of its rung's ranking, so it
   * neither takes a promotion slot nor completes.
   */
  public synchronized Decision onResult(int trialId, int rung, RungScore score) {
    TrialEvent.Result result = decide(running(trialId, rung), score, true);
    apply(result);
    settle();
    return result.decision();
  }

  /**
   * Marks a running trial FAILED: its worker is free, it is never promoted, its earlier results stay.
   * Under PAPER this may end the sweep's work, and then the waiting trials are stopped.
   */
  public synchronized void onFailure(int trialId, String reason) {
    fail(trialId, reason);
    settle();
  }

  /** Whether no new trial may start: maxTrials have started or the deadline has passed. */
  public synchronized boolean budgetExhausted() {
    return trials.size() >= config.maxTrials() || deadlinePassed();
  }

  /** Whether the sweep is over: nothing runs or waits, and nothing can be handed out by {@link #nextJob}. */
  public synchronized boolean isFinished() {
    // After the deadline PAUSED trials are never handed out again, so they do not keep the sweep open.
    // WAITING ones do until nextJob or a result stops them, which it does as soon as nothing runs.
    return !any(TrialState.RUNNING) && !any(TrialState.WAITING)
        && (deadlinePassed() || (!any(TrialState.PAUSED) && trials.size() >= config.maxTrials()));
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

  /** A starting point while any is left, else the sampler's choice given every trial so far. */
  private TrialConfig nextConfig() {
    int id = trials.size();
    return id < startingPoints.size() ? startingPoints.get(id) : sampler.next(id, observations());
  }

  /** Each trial's latest result, or pending; failed trials without a result tell nothing and are left out. */
  private List<Observation> observations() {
    List<Observation> out = new ArrayList<>();
    for (Trial t : trials) {
      if (t.latest != null) {
        Observation.Status status = t.latest.score().degenerate() ? Observation.Status.DEGENERATE
            : Observation.Status.SCORED;
        out.add(new Observation(t.config, t.latest.rung(), score(t.latest.metric()), status));
      } else if (t.state != TrialState.FAILED) {
        out.add(Observation.pending(t.config));
      }
    }
    return out;
  }

  private Trial start(TrialConfig trialConfig) {
    int id = trials.size();
    int bracket = id % config.brackets();
    int top = ladders.get(trialConfig.family()).size() - 1;
    int rung = id < startingPoints.size() ? top : Math.min(bracket, top);
    Trial t = new Trial(id, trialConfig, bracket, rung);
    trials.add(t);
    events.add(new TrialEvent.Started(id, trialConfig));
    return t;
  }

  /** Judges a result; records it in its bracket but leaves the trial's state to {@link #apply}. */
  private TrialEvent.Result decide(Trial t, RungScore rungScore, boolean useClock) {
    double metric = rungScore.mean();
    List<Double> ladder = ladder(t);
    Bracket bracket = brackets.get(t.bracket);
    if (rungScore.degenerate()) {
      return new TrialEvent.Result(t.id, t.config.family(), t.rung, ladder.get(t.rung), metric, Double.NaN,
          new Decision.Stop(Decision.Reason.DEGENERATE), rungScore);
    }
    double quantile = bracket.record(t.rung, t.id, score(metric));
    boolean paper = config.promotion() == AshaConfig.Promotion.PAPER;
    double cutoffScore = paper ? bracket.topCutoff(t.rung) : quantile;
    Decision decision;
    if (t.rung == ladder.size() - 1) {
      decision = new Decision.Complete();
    } else if (paper) {
      decision = new Decision.Wait();
    } else if (score(metric) < cutoffScore) {
      decision = new Decision.Stop(Decision.Reason.BELOW_CUTOFF);
    } else if (useClock && deadlinePassed()) {
      decision = new Decision.Stop(Decision.Reason.DEADLINE);
    } else {
      decision = new Decision.Continue(t.rung + 1, ladder.get(t.rung + 1));
    }
    return new TrialEvent.Result(t.id, t.config.family(), t.rung, ladder.get(t.rung), metric, score(cutoffScore),
        decision, rungScore);
  }

  /** Applies a result's or a later decision to its trial and records the event. */
  private void apply(TrialEvent event) {
    Trial t = trials.get(event.trialId());
    Decision decision = event instanceof TrialEvent.Result r ? r.decision() : ((TrialEvent.Decided) event).decision();
    switch (decision.action()) {
      case CONTINUE -> {
        t.state = TrialState.RUNNING;
        t.rung = ((Decision.Continue) decision).rung();
      }
      case WAIT -> t.state = TrialState.WAITING;
      case STOP -> t.state = ((Decision.Stop) decision).reason() == Decision.Reason.DEGENERATE
          ? TrialState.DEGENERATE : TrialState.STOPPED;
      case COMPLETE -> t.state = TrialState.COMPLETED;
    }
    if (event instanceof TrialEvent.Result r) {
      t.latest = r;
    }
    events.add(event);
  }

  /**
   * PAPER: the waiting trial get_job promotes now, or null. First the best waiting trial in the top
   * ⌊n/η⌋ of its rung, highest rung first; failing that, if the sweep would otherwise end with no trial
   * at R, the best waiting trial at the highest rung (see the class comment). Also used by the replay,
   * to check that a recorded promotion is the one this scheduler would make.
   */
  private Trial promotion() {
    if (config.promotion() != AshaConfig.Promotion.PAPER) {
      return null;
    }
    Trial t = bestWaiting(true);
    boolean wouldEndWithoutR = trials.size() >= config.maxTrials() && !any(TrialState.RUNNING)
        && !any(TrialState.PAUSED) && !any(TrialState.COMPLETED);
    return t == null && wouldEndWithoutR ? bestWaiting(false) : t;
  }

  private Trial bestWaiting(boolean topOnly) {
    int highest = ladders.values().stream().mapToInt(List::size).max().orElse(1) - 1;
    for (int k = highest - 1; k >= 0; k--) {
      for (Bracket b : brackets) {
        for (int id : topOnly ? b.top(k) : b.ranked(k)) {
          Trial t = trials.get(id);
          if (t.state == TrialState.WAITING && t.rung == k) {
            return t;
          }
        }
      }
    }
    return null;
  }

  /**
   * PAPER: once the budget is spent, nothing runs, and nothing is promotable (or the deadline has
   * passed), no waiting trial can ever move again: each is stopped, by id, as an event. DEADLINE for
   * those the deadline kept from a promotion, BELOW_CUTOFF for the rest.
   */
  private void settle() {
    if (config.promotion() != AshaConfig.Promotion.PAPER || !budgetExhausted() || any(TrialState.RUNNING)) {
      return;
    }
    boolean deadline = deadlinePassed();
    if (!deadline && (any(TrialState.PAUSED) || promotion() != null)) {
      return;
    }
    for (Trial t : trials) {
      if (t.state == TrialState.WAITING) {
        boolean inTop = brackets.get(t.bracket).top(t.rung).contains(t.id);
        Decision.Reason reason = deadline && inTop ? Decision.Reason.DEADLINE : Decision.Reason.BELOW_CUTOFF;
        apply(new TrialEvent.Decided(t.id, t.rung, new Decision.Stop(reason)));
      }
    }
  }

  private void fail(int trialId, String reason) {
    Trial t = trial(trialId);
    if (t.state != TrialState.RUNNING) {
      throw new IllegalStateException("trial " + trialId + " is " + t.state + ", not RUNNING; cannot fail it");
    }
    t.state = TrialState.FAILED;
    events.add(new TrialEvent.Failed(trialId, reason));
  }

  private Decision.Continue next(Trial t) {
    return new Decision.Continue(t.rung + 1, ladder(t).get(t.rung + 1));
  }

  private boolean any(TrialState state) {
    for (Trial t : trials) {
      if (t.state == state) {
        return true;
      }
    }
    return false;
  }

  private void replay(int index, TrialEvent event) {
    String at = "cannot resume: history entry " + index + " (" + event + ")";
    if (event instanceof TrialEvent.Started s) {
      TrialConfig drawn = nextConfig();
      if (s.trialId() != trials.size() || !drawn.equals(s.config())) {
        throw new IllegalStateException(at + " does not match this sweep, which would start trial " + trials.size()
            + " with " + drawn.describe() + "; were the seed or the search space changed?");
      }
      start(drawn);
    } else if (event instanceof TrialEvent.Result r) {
      TrialEvent.Result replayed;
      try {
        replayed = decide(running(r.trialId(), r.rung()), r.score(), false);
      } catch (RuntimeException e) {
        throw new IllegalStateException(at + ": " + e.getMessage(), e);
      }
      // The clock is not consulted in a replay, so a stop for the deadline is taken from the record.
      boolean deadlineStop = r.decision().equals(new Decision.Stop(Decision.Reason.DEADLINE))
          && replayed.decision() instanceof Decision.Continue;
      if (deadlineStop) {
        replayed = replayed.withDecision(r.decision());
      }
      if (!replayed.equals(r)) {
        throw new IllegalStateException(at + " replays as " + replayed + CHANGED);
      }
      apply(replayed);
    } else if (event instanceof TrialEvent.Decided d) {
      replayDecided(at, d);
    } else if (event instanceof TrialEvent.Failed f) {
      try {
        // Not onFailure: stops that followed a failure are in the history, and the clock is not consulted.
        fail(f.trialId(), f.reason());
      } catch (RuntimeException e) {
        throw new IllegalStateException(at + ": " + e.getMessage(), e);
      }
    }
  }

  /** A promotion must be the one {@link #promotion} picks now; a stop needs only a trial waiting there. */
  private void replayDecided(String at, TrialEvent.Decided d) {
    Trial t;
    try {
      t = trial(d.trialId());
    } catch (RuntimeException e) {
      throw new IllegalStateException(at + ": " + e.getMessage(), e);
    }
    if (t.state != TrialState.WAITING || t.rung != d.rung()) {
      throw new IllegalStateException(at + ": trial " + t.id + " is " + t.state + " at rung " + t.rung
          + ", not WAITING at rung " + d.rung() + CHANGED);
    }
    if (d.decision() instanceof Decision.Continue) {
      Trial expected = promotion();
      if (expected != t || !next(t).equals(d.decision())) {
        throw new IllegalStateException(at + ": this sweep would promote "
            + (expected == null ? "no trial" : "trial " + expected.id + " to " + next(expected)) + CHANGED);
      }
    } else if (!(d.decision() instanceof Decision.Stop)) {
      throw new IllegalStateException(at + ": a waiting trial is only promoted or stopped");
    }
    apply(d);
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
