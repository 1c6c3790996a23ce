package org.healthpredict.core.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialStatus;

/**
 * A sweep's trials as one CSV table, a row per trial, for reading a finished (or running) sweep in a
 * spreadsheet or pandas without replaying the scheduler's history.
 *
 * <p>Columns: {@code trial_id, family, bracket, state, last_rung, last_resource}, then
 * {@code rung_0..rung_k} (the metric the trial reported at each rung index, k being the highest rung
 * any trial reached; empty where the trial did not report), {@code best_metric}, then one column per
 * sampled parameter (the union over all families, in name order; empty where a trial's family lacks
 * it), and {@code failure_reason}. Spark ML parameters are camelCase, so they cannot clash with the
 * snake_case columns.
 *
 * <p>Fields are quoted as in RFC 4180 (comma, quote, CR or LF inside); lines end with LF. Numbers are
 * written plainly and exactly ({@code 0.0001}, not {@code 1.0E-4}) so a reader round-trips them.
 */
public final class TrialsTable {

  private TrialsTable() {}

  /**
   * The table as CSV text, header first, trials by id.
   *
   * @param trials the scheduler's {@code trials()}
   * @param events the scheduler's {@code events()}: results give the rung metrics, failures the reasons
   * @param mode which way the metric improves, for {@code best_metric}
   */
  public static String csv(List<TrialStatus> trials, List<TrialEvent> events, AshaConfig.Mode mode) {
    Map<Integer, Map<Integer, Double>> metrics = new HashMap<>();
    Map<Integer, String> failures = new HashMap<>();
    int topRung = -1;
    for (TrialEvent event : events) {
      if (event instanceof TrialEvent.Result r) {
        metrics.computeIfAbsent(r.trialId(), id -> new TreeMap<>()).put(r.rung(), r.metric());
        topRung = Math.max(topRung, r.rung());
      } else if (event instanceof TrialEvent.Failed f) {
        failures.put(f.trialId(), f.reason());
      }
    }
    SortedSet<String> params = new TreeSet<>();
    for (TrialStatus t : trials) {
      params.addAll(t.config().params().keySet());
    }

    List<String> header = new ArrayList<>(List.of("trial_id", "family", "bracket", "state", "last_rung",
        "last_resource"));
    for (int k = 0; k <= topRung; k++) {
      header.add("rung_" + k);
    }
    header.add("best_metric");
    header.addAll(params);
    header.add("failure_reason");

    StringBuilder out = new StringBuilder();
    line(out, header);
    List<TrialStatus> byId = trials.stream().sorted(Comparator.comparingInt(TrialStatus::id)).toList();
    for (TrialStatus t : byId) {
      Map<Integer, Double> reported = metrics.getOrDefault(t.id(), Map.of());
      List<String> row = new ArrayList<>(header.size());
      row.add(Integer.toString(t.id()));
      row.add(t.config().family());
      row.add(Integer.toString(t.bracket()));
      row.add(t.state().name());
      row.add(Integer.toString(t.rung()));
      row.add(number(t.resource()));
      for (int k = 0; k <= topRung; k++) {
        Double m = reported.get(k);
        row.add(m == null ? "" : number(m));
      }
      row.add(reported.values().stream()
          .reduce((a, b) -> mode == AshaConfig.Mode.MAX ? Math.max(a, b) : Math.min(a, b))
          .map(TrialsTable::number).orElse(""));
      for (String p : params) {
        Object v = t.config().params().get(p);
        row.add(v == null ? "" : v instanceof Double d ? number(d) : v.toString());
      }
      row.add(failures.getOrDefault(t.id(), ""));
      line(out, row);
    }
    return out.toString();
  }

  /**
   * Writes {@link #csv} to a local file (e.g. to log as an MLflow artifact), via a temporary sibling
   * and a rename so a reader never sees half a table.
   */
  public static void write(List<TrialStatus> trials, List<TrialEvent> events, AshaConfig.Mode mode, Path csvFile) {
    String text = csv(trials, events, mode);
    Path target = csvFile.toAbsolutePath();
    try {
      Files.createDirectories(target.getParent());
      Path staging = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".incomplete");
      try {
        Files.writeString(staging, text, StandardCharsets.UTF_8);
        Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(staging);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the trials table to " + target, e);
    }
  }

  private static void line(StringBuilder out, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(field(fields.get(i)));
    }
    out.append('\n');
  }

  /** RFC 4180: failure reasons may hold commas, quotes and whole stack traces with line breaks. */
  static String field(String value) {
    boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
        || value.indexOf('\r') >= 0;
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }

  /** Shortest exact plain form: 5 for 5.0, 0.0001 for 1.0E-4. */
  static String number(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    return v == 0 ? "0" : BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
