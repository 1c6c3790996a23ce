package org.healthpredict.core.sweep;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.healthpredict.core.tracking.TrackedRun;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tuning.TrialEvent;

/**
 * The ordered history of a sweep, stored as JSON lines in the sweep run's artifact
 * {@value #ARTIFACT_PATH}, so that a sweep whose driver died can be rebuilt with
 * {@code AshaScheduler.restore(..., journal.events())} and keep logging into the same trial runs
 * ({@link #childRunIds()}).
 *
 * <p>Every append uploads the whole file again: a journal is a few hundred short lines, and a
 * complete file after each event is what makes the stored journal trustworthy after a crash, where
 * an append-only upload scheme would need a store that supports appends (S3 does not).
 *
 * <p>A journal from {@link #create} or {@link #resume} appends; one from {@link #load} is a
 * read-only snapshot.
 */
public final class SweepJournal {

  /** Where in the sweep run's artifacts the journal lives. */
  public static final String ARTIFACT_PATH = "sweep/journal.jsonl";

  private final String runId;
  /** Null for a read-only snapshot. */
  private final TrackedRun run;
  private final List<TrialEvent> events = new ArrayList<>();
  private final Map<Integer, String> childRunIds = new TreeMap<>();
  private final Set<Integer> startedTrials = new HashSet<>();
  private final StringBuilder text = new StringBuilder();

  private SweepJournal(String runId, TrackedRun run) {
    this.runId = runId;
    this.run = run;
  }

  /**
   * Starts an empty journal for a new sweep run and stores it at once, so even a sweep that dies
   * before its first event can be resumed.
   *
   * @throws IllegalStateException if the run already has a journal: overwriting it would lose the
   *     history a resume needs; use {@link #resume} for that run
   */
  public static SweepJournal create(TrackedRun parent) {
    if (parent.readArtifact(ARTIFACT_PATH).isPresent()) {
      throw new IllegalStateException("run " + parent.runId() + " already has a sweep journal ("
          + ARTIFACT_PATH + "); resume it with SweepJournal.resume instead of starting it anew");
    }
    SweepJournal journal = new SweepJournal(parent.runId(), parent);
    journal.store();
    return journal;
  }

  /**
   * The stored journal of a sweep run, typically one reopened with {@link Tracking#reopenRun},
   * which further appends extend.
   *
   * @throws IllegalArgumentException if the run has no journal
   * @throws IllegalStateException if the journal cannot be parsed
   */
  public static SweepJournal resume(TrackedRun parent) {
    SweepJournal journal = new SweepJournal(parent.runId(), parent);
    journal.parse(parent.readArtifact(ARTIFACT_PATH).orElseThrow(() -> missing(parent.runId())));
    return journal;
  }

  /**
   * A read-only snapshot of a sweep run's stored journal.
   *
   * @throws IllegalArgumentException if the run has no journal
   * @throws IllegalStateException if the journal cannot be parsed
   * @throws org.healthpredict.core.tracking.TrackingException if there is no such run
   */
  public static SweepJournal load(Tracking tracking, String parentRunId) {
    SweepJournal journal = new SweepJournal(parentRunId, null);
    journal.parse(tracking.readArtifact(parentRunId, ARTIFACT_PATH)
        .orElseThrow(() -> missing(parentRunId)));
    return journal;
  }

  private static IllegalArgumentException missing(String runId) {
    return new IllegalArgumentException("run " + runId + " has no sweep journal (artifact "
        + ARTIFACT_PATH + "); only a sweep run started with a journal can be resumed");
  }

  /** The sweep run whose artifact this journal is. */
  public String runId() {
    return runId;
  }

  /**
   * Records an event and stores the journal. If storing fails the event stays recorded here and the
   * exception propagates; the next successful append stores it too, so the stored journal is always
   * an unbroken prefix of the history.
   */
  public synchronized void append(TrialEvent event) {
    add(event, null);
  }

  /** Records a trial's start together with the MLflow run its training logs into. */
  public synchronized void appendStarted(TrialEvent.Started event, String childRunId) {
    if (childRunId == null || childRunId.isBlank()) {
      throw new IllegalArgumentException("trial " + event.trialId() + " needs its child run id");
    }
    add(event, childRunId);
  }

  private void add(TrialEvent event, String childRunId) {
    if (run == null) {
      throw new IllegalStateException("the journal of run " + runId + " was loaded read-only;"
          + " reopen the run and use SweepJournal.resume to append to it");
    }
    String line = JournalLines.write(event, childRunId);
    record(event, childRunId);
    text.append(line).append('\n');
    store();
  }

  private void record(TrialEvent event, String childRunId) {
    if (event instanceof TrialEvent.Started started && !startedTrials.add(started.trialId())) {
      // A second start would make childRunIds ambiguous, and restore rejects it anyway.
      throw new IllegalArgumentException("trial " + started.trialId()
          + " was already started in the journal of run " + runId);
    }
    events.add(event);
    if (childRunId != null) {
      childRunIds.put(event.trialId(), childRunId);
    }
  }

  private void store() {
    run.logText(text.toString(), ARTIFACT_PATH);
  }

  private void parse(byte[] stored) {
    String content = new String(stored, StandardCharsets.UTF_8);
    String[] lines = content.split("\n", -1);
    // The file ends with a newline, leaving one empty string after the last line.
    int count = lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
    for (int i = 0; i < count; i++) {
      JournalLines.Entry entry;
      try {
        entry = JournalLines.read(lines[i]);
        record(entry.event(), entry.childRunId());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("line " + (i + 1) + " of the sweep journal ("
            + ARTIFACT_PATH + ") of run " + runId + " is not a valid entry: " + e.getMessage()
            + "\n  " + lines[i], e);
      }
    }
    text.append(content);
    if (count == lines.length && !content.isEmpty()) {
      text.append('\n');
    }
  }

  /** The events in the order they happened: what {@code AshaScheduler.restore} replays. */
  public synchronized List<TrialEvent> events() {
    return List.copyOf(events);
  }

  /** Trial id to the MLflow run id of that trial, for the trials started with one. */
  public synchronized Map<Integer, String> childRunIds() {
    return Collections.unmodifiableMap(new TreeMap<>(childRunIds));
  }

  /** The MLflow run of one trial, if its start was recorded with one. */
  public synchronized Optional<String> childRunId(int trialId) {
    return Optional.ofNullable(childRunIds.get(trialId));
  }

  @Override
  public String toString() {
    return "SweepJournal[run " + runId + ", " + events.size() + " events]";
  }
}
