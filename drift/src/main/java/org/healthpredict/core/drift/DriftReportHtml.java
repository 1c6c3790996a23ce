package org.healthpredict.core.drift;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) a
 * person opens from disk or from MLflow: the verdict on top, then prediction and performance drift,
 * then every feature ranked by drift with a chart of reference vs current shares.
 *
 * <p>The markup is in the jte templates of {@code src/main/jte/drift} ({@code report.jte}, with
 * {@code test.jte} for a test's cells and {@code chart.jte} for a chart), which escape every value
 * they print; the build turns them into classes of this package. What they print is formatted here.
 */
public final class DriftReportHtml {

  static final String REFERENCE_COLOUR = "#4c72b0";
  static final String CURRENT_COLOUR = "#dd8452";
  /** The performance table's rows: counts, then the metrics. */
  static final List<String> PERFORMANCE_ROWS = List.of("rows", "positives", "roc_auc", "pr_auc", "f1");
  private static final int CHART_WIDTH = 340;
  private static final int CHART_HEIGHT = 120;
  private static final int LABEL_SPACE = 34;
  /** Room for the first labels, which are rotated and so reach left of their bar. */
  private static final int LEFT_SPACE = 40;

  private static final TemplateEngine TEMPLATES = templates();

  private DriftReportHtml() {}

  public static String render(DriftReport r) {
    StringOutput out = new StringOutput(64 * 1024);
    TEMPLATES.render("drift/report.jte", r, out);
    return out.toString();
  }

  /**
   * The precompiled templates. jte finds their classes through the thread's context class loader at
   * creation, which on some threads (a Spark driver's, a pool's) is not the one holding this jar, so
   * it is this class's loader while the engine is made.
   */
  private static TemplateEngine templates() {
    Thread thread = Thread.currentThread();
    ClassLoader saved = thread.getContextClassLoader();
    thread.setContextClassLoader(DriftReportHtml.class.getClassLoader());
    try {
      return TemplateEngine.createPrecompiled(null, ContentType.Html, null, "org.healthpredict.core");
    } finally {
      thread.setContextClassLoader(saved);
    }
  }

  /** A chart's geometry for {@code chart.jte}: its size, the baseline's height and a group of two bars per label. */
  record ChartLayout(int width, int height, int left, String baseline, List<BarGroup> groups) {}

  /** One label's reference and current bars, its shares for the tooltip, and its tick label (null when left out). */
  record BarGroup(String label, String referenceShare, String currentShare, Bar reference, Bar current, Tick tick) {}

  record Bar(String x, String y, String width, String height) {}

  record Tick(String x, String y, String text) {}

  /** Lays out grouped bars, scaled to the largest share; with more than 12 labels only the ends are labelled. */
  static ChartLayout layout(Chart c) {
    int bars = c.labels().size();
    double max = 0;
    for (int i = 0; i < bars; i++) {
      max = Math.max(max, Math.max(c.reference()[i], c.current()[i]));
    }
    double plotHeight = CHART_HEIGHT - LABEL_SPACE;
    double group = (double) (CHART_WIDTH - LEFT_SPACE) / Math.max(1, bars);
    double bar = Math.max(1, group * 0.4);
    List<BarGroup> groups = new ArrayList<>(bars);
    for (int i = 0; i < bars; i++) {
      double x = LEFT_SPACE + i * group + group * 0.1;
      String label = c.labels().get(i);
      Tick tick = bars <= 12 || i == 0 || i == bars - 1
          ? new Tick(decimal(x + bar), decimal(plotHeight + 10), abbreviate(label)) : null;
      groups.add(new BarGroup(label, pct(c.reference()[i]), pct(c.current()[i]),
          bar(x, bar, c.reference()[i], max, plotHeight), bar(x + bar, bar, c.current()[i], max, plotHeight), tick));
    }
    return new ChartLayout(CHART_WIDTH, CHART_HEIGHT, LEFT_SPACE, decimal(plotHeight), groups);
  }

  private static Bar bar(double x, double width, double share, double max, double plotHeight) {
    double height = max == 0 ? 0 : share / max * (plotHeight - 4);
    return new Bar(decimal(x), decimal(plotHeight - height), decimal(width), decimal(height));
  }

  private static String decimal(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String abbreviate(String label) {
    return label.length() <= 12 ? label : label.substring(0, 11) + "…";
  }

  /** A metric of the performance table: counts with thousands separators, the rest as {@link #num}; blank if absent. */
  static String metric(Map<String, Double> values, String key) {
    Double v = values.get(key);
    if (v == null) {
      return "";
    }
    return key.equals("rows") || key.equals("positives") ? count(v.longValue()) : num(v);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** The share of rows with a missing value, or a dash when there are no rows. */
  static String share(long missing, long present) {
    long all = missing + present;
    return all == 0 ? "–" : pct((double) missing / all);
  }

  static String pct(double share) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  static String num(double v) {
    if (Double.isInfinite(v)) {
      return "∞";
    }
    if (v != 0 && Math.abs(v) < 0.001) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
