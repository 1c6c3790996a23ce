package org.healthpredict.core.sweep;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The classic ASHA picture of a sweep as a PNG, drawn with XChart: each trial a line of its
 * validation metric over the rungs it reached, coloured by how it ended, the latest promotion cutoff
 * at each rung as a dashed tick, and the best completed trial highlighted, its metric and
 * configuration in the legend.
 *
 * <p>The x axis is the rung index, because ASHA compares all families at the same index; under each
 * rung the plot also lists every family's resource there, since families climb different ladders,
 * and how many results the rung holds. Rendered on a {@link BufferedImage}, so it needs no display
 * (see the static initialiser).
 */
public final class RungPlot {

  static {
    // Sweeps run on servers and Kubernetes pods with no display. AWT reads this once, when its first class
    // initialises (java.awt.Color does), so it is set before any field below; a caller's explicit setting wins.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  public static final int WIDTH = 1200;
  public static final int HEIGHT = 700;

  // Package-private so tests can look for each kind of trial's pixels.
  static final Color BEST = new Color(255, 127, 14);
  static final Color COMPLETED = new Color(31, 119, 180);
  static final Color STOPPED = new Color(170, 170, 170);
  static final Color FAILED = new Color(214, 39, 40);
  /** Degenerate trials (constant predictions): brown, so they stand out from trials stopped on merit. */
  static final Color DEGENERATE = new Color(140, 86, 75);
  static final Color RUNNING = new Color(148, 103, 189);
  static final Color CUTOFF = new Color(30, 30, 30);
  private static final Color GRID = new Color(232, 232, 232);
  private static final Color TEXT = new Color(40, 40, 40);
  private static final Color MUTED = new Color(110, 110, 110);

  /** Markers: a trial's results, the best trial's, and the cross where a failed trial broke off. */
  private static final int MARKER = 7;
  private static final int BEST_MARKER = 12;
  private static final int CROSS = 12;
  /** Each line of the notes under a rung's tick label. */
  private static final int NOTE_LINE = 15;

  private RungPlot() {}

  /** What the events say: every trial's metric per rung, the rungs' resources and results, cutoffs, the best. */
  private record Sweep(Map<Integer, TreeMap<Integer, Double>> metrics, TreeMap<Integer, Map<String, Double>> resources,
      Map<Integer, TreeMap<Integer, Double>> cutoffs, Map<Integer, Integer> resultsAtRung, TrialEvent.Result best) {

    static Sweep of(List<TrialStatus> trials, List<TrialEvent> events, AshaConfig config) {
      Map<Integer, TreeMap<Integer, Double>> metrics = new HashMap<>();
      // Rung -> family -> resource (families in name order), for the notes under each rung.
      TreeMap<Integer, Map<String, Double>> resources = new TreeMap<>();
      // Bracket -> rung -> the cutoff of the latest decision there: the bar a new result must clear now.
      Map<Integer, TreeMap<Integer, Double>> cutoffs = new TreeMap<>();
      Map<Integer, Integer> bracketOf = new HashMap<>();
      trials.forEach(t -> bracketOf.put(t.id(), t.bracket()));
      Map<Integer, Integer> resultsAtRung = new TreeMap<>();
      TrialEvent.Result best = null;
      boolean max = config.mode() == AshaConfig.Mode.MAX;
      for (TrialEvent event : events) {
        if (!(event instanceof TrialEvent.Result r)) {
          continue;
        }
        metrics.computeIfAbsent(r.trialId(), id -> new TreeMap<>()).put(r.rung(), r.metric());
        resources.computeIfAbsent(r.rung(), k -> new TreeMap<>()).put(r.family(), r.resource());
        resultsAtRung.merge(r.rung(), 1, Integer::sum);
        // A top-rung result completes whatever its cutoff, so only lower rungs show a bar that decided something.
        // Under the paper's rule the bar is NaN until the rung holds η results: nothing to draw yet.
        if (!(r.decision() instanceof Decision.Complete) && Double.isFinite(r.cutoff())) {
          cutoffs.computeIfAbsent(bracketOf.getOrDefault(r.trialId(), 0), b -> new TreeMap<>()).put(r.rung(), r.cutoff());
        }
        // The earliest of equals wins, as in AshaScheduler.best().
        if (r.decision() instanceof Decision.Complete
            && (best == null || (max ? r.metric() > best.metric() : r.metric() < best.metric()))) {
          best = r;
        }
      }
      for (TrialStatus t : trials) {
        resources.computeIfAbsent(t.rung(), k -> new TreeMap<>()).putIfAbsent(t.config().family(), t.resource());
      }
      return new Sweep(metrics, resources, cutoffs, resultsAtRung, best);
    }
  }

  /**
   * Renders the plot. With no results yet it renders the title and a "no results yet" notice, so a
   * sweep can be plotted at any moment.
   *
   * @param trials the scheduler's {@code trials()}
   * @param events the scheduler's {@code events()}
   * @param metricName the validation metric's name for the title and y axis, e.g. {@code val_pr_auc}
   * @param config the sweep's settings: η for the title, the mode to pick the best trial
   */
  public static BufferedImage render(List<TrialStatus> trials, List<TrialEvent> events, String metricName,
      AshaConfig config) {
    Sweep sweep = Sweep.of(trials, events, config);
    Map<TrialState, Integer> counts = new TreeMap<>();
    trials.forEach(t -> counts.merge(t.state(), 1, Integer::sum));
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title(metricName, config, trials.size()))
        .xAxisTitle("rung (resource per family)").yAxisTitle(metricName).build();
    style(chart.getStyler());
    if (sweep.metrics().isEmpty()) {
      empty(chart, trials.size());
    } else {
      plot(chart, sweep, trials, counts);
    }
    return BitmapEncoder.getBufferedImage(chart);
  }

  /**
   * Renders the plot and writes it as a PNG to a local file (e.g. to log as an MLflow artifact), via
   * a temporary sibling and a rename so a reader never sees half an image.
   */
  public static void write(List<TrialStatus> trials, List<TrialEvent> events, String metricName, AshaConfig config,
      Path pngFile) {
    BufferedImage image = render(trials, events, metricName, config);
    Path target = pngFile.toAbsolutePath();
    try {
      Files.createDirectories(target.getParent());
      Path staging = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".incomplete");
      try {
        if (!ImageIO.write(image, "png", staging.toFile())) {
          throw new IOException("no PNG writer in this JDK");
        }
        Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(staging);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rung plot to " + target, e);
    }
  }

  private static String title(String metricName, AshaConfig config, int trialCount) {
    String direction = config.mode() == AshaConfig.Mode.MAX ? "higher is better" : "lower is better";
    String brackets = config.brackets() > 1 ? ", " + config.brackets() + " brackets" : "";
    return "ASHA sweep: " + metricName + " by rung  (" + trialCount + (trialCount == 1 ? " trial" : " trials")
        + ", η = " + TrialsTable.number(config.eta()) + brackets + ", " + direction + ")";
  }

  private static void style(XYStyler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderColor(TEXT);
    s.setPlotGridLinesColor(GRID);
    s.setPlotGridLinesStroke(new BasicStroke(1f));
    s.setChartTitleBoxVisible(false);
    s.setChartTitleFont(font(Font.BOLD, 20));
    s.setChartFontColor(TEXT);
    s.setAxisTitleFont(font(Font.PLAIN, 14));
    s.setAxisTickLabelsFont(font(Font.PLAIN, 13));
    s.setAxisTickLabelsColor(TEXT);
    s.setAxisTickMarksColor(TEXT);
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setLegendBorderColor(Color.WHITE);
    s.setLegendBackgroundColor(Color.WHITE);
    s.setLegendFont(font(Font.PLAIN, 13));
    s.setLegendSeriesLineLength(42);
    s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setMarkerSize(MARKER);
    s.setToolTipsEnabled(false);
    s.setYAxisTickMarkSpacingHint(55);
    // Room around the outer rungs and the extreme metrics, for the markers and the cutoffs.
    s.setPlotContentSize(0.84);
    s.setAnnotationTextFont(font(Font.PLAIN, 18));
    s.setAnnotationTextFontColor(MUTED);
  }

  private static void empty(XYChart chart, int trialCount) {
    XYStyler s = chart.getStyler();
    s.setLegendVisible(false);
    s.setAxisTicksVisible(false);
    s.setXAxisTitleVisible(false);
    s.setYAxisTitleVisible(false);
    s.setPlotGridLinesVisible(false);
    s.setXAxisMin(0.0);
    s.setXAxisMax(1.0);
    s.setYAxisMin(0.0);
    s.setYAxisMax(1.0);
    // Nothing to draw but the frame and the notice; XChart wants a series to lay out the axes.
    hidden(chart.addSeries("frame", new double[] {0, 1}, new double[] {Double.NaN, Double.NaN}));
    String detail = trialCount == 0 ? "no trial has started"
        : trialCount + (trialCount == 1 ? " trial has" : " trials have") + " started; none has reported a metric";
    chart.addAnnotation(new AnnotationText("no results yet", 0.5, 0.56, false));
    chart.addAnnotation(new AnnotationText(detail, 0.5, 0.46, false));
  }

  private static void plot(XYChart chart, Sweep sweep, List<TrialStatus> trials, Map<TrialState, Integer> counts) {
    int topRung = sweep.resources().lastKey();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (TreeMap<Integer, Double> m : sweep.metrics().values()) {
      for (double v : m.values()) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    for (TreeMap<Integer, Double> c : sweep.cutoffs().values()) {
      for (double v : c.values()) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    double pad = hi > lo ? 0 : Math.max(Math.abs(hi) * 0.05, 0.01);
    XYStyler s = chart.getStyler();
    s.setXAxisMin(0.0);
    s.setXAxisMax((double) topRung);
    s.setYAxisMin(lo - pad);
    s.setYAxisMax(hi + pad);
    // As many decimals as a fifth of the range needs (XChart's ticks are finer), the same on every tick.
    int decimals = Math.max(0, (int) -Math.floor(Math.log10((hi - lo + 2 * pad) / 5)));
    s.setYAxisDecimalPattern(decimals == 0 ? "0" : "0." + "0".repeat(decimals));
    s.setxAxisTickLabelsFormattingFunction(x -> "rung " + Math.round(x));
    int noteLines = 1 + sweep.resources().values().stream()
        .mapToInt(r -> (int) r.values().stream().distinct().count()).max().orElse(0);
    s.setAxisTitlePadding(8 + NOTE_LINE * noteLines);

    // The first series holds every rung index and nothing to draw: XChart then puts one tick at each rung.
    hidden(chart.addSeries("rungs", IntStream.rangeClosed(0, topRung).asDoubleStream().toArray(),
        IntStream.rangeClosed(0, topRung).mapToDouble(i -> Double.NaN).toArray()));
    List<TrialStatus> byId = trials.stream().sorted(Comparator.comparingInt(TrialStatus::id)).toList();
    Integer bestId = sweep.best() == null ? null : sweep.best().trialId();
    legend(chart, sweep, bestTrial(byId, bestId), counts);
    // Least interesting first, so stopped trials never hide the ones that went on.
    for (TrialState state : List.of(TrialState.STOPPED, TrialState.DEGENERATE, TrialState.FAILED, TrialState.PAUSED,
        TrialState.WAITING, TrialState.RUNNING, TrialState.COMPLETED)) {
      for (TrialStatus t : byId) {
        TreeMap<Integer, Double> metrics = sweep.metrics().get(t.id());
        if (t.state() == state && metrics != null && (bestId == null || t.id() != bestId)) {
          trial(chart, t, metrics, state == TrialState.COMPLETED ? 2.2f : 1.6f, colour(state), null);
        }
      }
    }
    // A rung's share of the plot's width, roughly: the chart's less the y axis and the legend.
    double slot = (WIDTH - 420.0) / (topRung + 1);
    sweep.cutoffs().forEach((bracket, byRung) -> {
      XYSeries cutoffs = chart.addSeries("cutoffs of bracket " + bracket,
          byRung.keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
          byRung.values().stream().mapToDouble(Double::doubleValue).toArray());
      hidden(cutoffs).setMarker(new CutoffTick(Math.min(slot * 0.18, 60))).setMarkerColor(CUTOFF);
    });
    if (bestId != null) {
      TrialStatus best = bestTrial(byId, bestId);
      trial(chart, best, sweep.metrics().get(bestId), 4.5f, BEST, new Dot(BEST_MARKER));
    }
    chart.addAnnotation(new RungNotes(sweep));
  }

  private static TrialStatus bestTrial(List<TrialStatus> trials, Integer bestId) {
    return bestId == null ? null : trials.stream().filter(t -> t.id() == bestId).findFirst().orElseThrow();
  }

  /** One trial's line; a failed one also gets a dotted step to the rung it failed at, ended by a cross. */
  private static void trial(XYChart chart, TrialStatus t, TreeMap<Integer, Double> metrics, float width, Color colour,
      Marker marker) {
    boolean live = t.state() == TrialState.RUNNING || t.state() == TrialState.PAUSED || t.state() == TrialState.WAITING;
    XYSeries line = chart.addSeries("trial " + t.id(),
        metrics.keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
        metrics.values().stream().mapToDouble(Double::doubleValue).toArray());
    line.setShowInLegend(false);
    line.setLineColor(colour).setLineStyle(live ? dashed(width, 7f, 4f) : solid(width));
    line.setMarker(marker != null ? marker : SeriesMarkers.CIRCLE).setMarkerColor(colour);
    if (t.state() == TrialState.FAILED) {
      Map.Entry<Integer, Double> last = metrics.lastEntry();
      double failedAt = Math.max(last.getKey(), t.rung());
      XYSeries step = chart.addSeries("trial " + t.id() + " failing", new double[] {last.getKey(), failedAt},
          new double[] {last.getValue(), last.getValue()});
      hidden(step).setLineStyle(dashed(1.6f, 2f, 4f)).setLineColor(FAILED);
      XYSeries cross = chart.addSeries("trial " + t.id() + " failed", new double[] {failedAt},
          new double[] {last.getValue()});
      hidden(cross).setMarker(new CrossMark()).setMarkerColor(FAILED);
    }
  }

  /** The legend's entries: series with a line style and a name but no point to draw. */
  private static void legend(XYChart chart, Sweep sweep, TrialStatus best, Map<TrialState, Integer> counts) {
    int live = counts.getOrDefault(TrialState.RUNNING, 0) + counts.getOrDefault(TrialState.PAUSED, 0)
        + counts.getOrDefault(TrialState.WAITING, 0);
    if (best != null) {
      legendEntry(chart, "best: trial " + best.id() + ", " + TrialsTable.number(round4(sweep.best().metric())), BEST,
          solid(4.5f), SeriesMarkers.NONE);
      // Its configuration under it, a few parameters a line, where it hides no result.
      legendEntry(chart, wrap(best.config().describe(), 30), TEXT, SeriesLines.NONE, SeriesMarkers.NONE);
    }
    legendEntry(chart, "completed (" + counts.getOrDefault(TrialState.COMPLETED, 0) + ")", COMPLETED, solid(2.2f),
        SeriesMarkers.NONE);
    legendEntry(chart, "stopped (" + counts.getOrDefault(TrialState.STOPPED, 0) + ")", STOPPED, solid(1.6f),
        SeriesMarkers.NONE);
    legendEntry(chart, "degenerate (" + counts.getOrDefault(TrialState.DEGENERATE, 0) + ")", DEGENERATE,
        solid(1.6f), SeriesMarkers.NONE);
    legendEntry(chart, "failed (" + counts.getOrDefault(TrialState.FAILED, 0) + ")", FAILED, solid(1.6f),
        new CrossMark());
    if (live > 0) {
      legendEntry(chart, "running / waiting (" + live + ")", RUNNING, dashed(1.6f, 7f, 4f), SeriesMarkers.NONE);
    }
    if (!sweep.cutoffs().isEmpty()) {
      legendEntry(chart, "promotion cutoff\nlatest at each rung", CUTOFF, dashed(2.2f, 6f, 4f), SeriesMarkers.NONE);
    }
  }

  private static void legendEntry(XYChart chart, String name, Color colour, BasicStroke stroke, Marker marker) {
    XYSeries entry = chart.addSeries(name, new double[] {0}, new double[] {Double.NaN});
    entry.setLineColor(colour).setLineStyle(stroke);
    entry.setMarker(marker).setMarkerColor(colour);
  }

  /** A series that is not in the legend and, unless given a line style or marker later, draws nothing. */
  private static XYSeries hidden(XYSeries series) {
    series.setShowInLegend(false);
    series.setLineStyle(SeriesLines.NONE);
    series.setMarker(SeriesMarkers.NONE);
    return series;
  }

  /** Words joined into lines of at most {@code width} characters (a longer word gets a line of its own). */
  private static String wrap(String words, int width) {
    StringBuilder out = new StringBuilder();
    int line = 0;
    for (String word : words.split(" ")) {
      if (line > 0 && line + 1 + word.length() > width) {
        out.append('\n');
        line = 0;
      } else if (line > 0) {
        out.append(' ');
        line++;
      }
      out.append(word);
      line += word.length();
    }
    return out.toString();
  }

  private static Color colour(TrialState state) {
    return switch (state) {
      case COMPLETED -> COMPLETED;
      case STOPPED -> STOPPED;
      case DEGENERATE -> DEGENERATE;
      case FAILED -> new Color(FAILED.getRed(), FAILED.getGreen(), FAILED.getBlue(), 110);
      case RUNNING, PAUSED, WAITING -> RUNNING;
    };
  }

  private static BasicStroke solid(float width) {
    return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
  }

  private static BasicStroke dashed(float width, float on, float off) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {on, off}, 0f);
  }

  private static Font font(int style, int size) {
    return new Font(Font.SANS_SERIF, style, size);
  }

  private static double round4(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  /** A filled circle of its own size (XChart's markers share one size per chart). */
  private static final class Dot extends Marker {
    private final int size;

    Dot(int size) {
      this.size = size;
    }

    @Override
    public void paint(Graphics2D g, double x, double y, int markerSize) {
      SeriesMarkers.CIRCLE.paint(g, x, y, size);
    }
  }

  /** A bold cross: where a failed trial broke off. */
  private static final class CrossMark extends Marker {
    @Override
    public void paint(Graphics2D g, double x, double y, int markerSize) {
      double half = CROSS / 2.0;
      g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.draw(new Line2D.Double(x - half, y - half, x + half, y + half));
      g.draw(new Line2D.Double(x - half, y + half, x + half, y - half));
    }
  }

  /** A promotion cutoff: a short dashed horizontal bar centred on its rung. */
  private static final class CutoffTick extends Marker {
    private final double half;

    CutoffTick(double half) {
      this.half = half;
    }

    @Override
    public void paint(Graphics2D g, double x, double y, int markerSize) {
      g.setStroke(dashed(2.2f, 6f, 4f));
      g.draw(new Line2D.Double(x - half, y, x + half, y));
    }
  }

  /**
   * Under each rung's tick label, each family's resource there (families sharing a resource share a
   * line: "gbt, lr: 15") and how many results the rung holds; the x axis title's padding leaves the room.
   */
  private static final class RungNotes extends Annotation {
    private final Sweep sweep;

    RungNotes(Sweep sweep) {
      super(false);
      this.sweep = sweep;
    }

    @Override
    public void paint(Graphics2D g) {
      XYStyler s = (XYStyler) styler;
      // Where XChart's tick labels end: below the plot, its tick marks, their padding and one line of labels.
      double tickLabels = getYAxisScreenValueForMax() + s.getAxisTickMarkLength() + s.getAxisTickPadding()
          + g.getFontMetrics(s.getAxisTickLabelsFont()).getHeight();
      Font plain = font(Font.PLAIN, 12);
      for (int k = 0; k <= sweep.resources().lastKey(); k++) {
        // With rung 0 alone XChart centres everything, but its screen value for x then leaves out the plot's offset.
        double x = k == 0 && sweep.resources().lastKey() == 0
            ? (getXAxisScreenValueForMin() + getXAxisScreenValueForMax()) / 2.0 : getXAxisScreenValue(k);
        Map<String, String> byResource = new LinkedHashMap<>();
        sweep.resources().getOrDefault(k, Map.of()).forEach((family, r) ->
            byResource.merge(TrialsTable.number(r), family, (a, b) -> a + ", " + b));
        double baseline = tickLabels + NOTE_LINE;
        g.setFont(plain);
        g.setColor(TEXT);
        for (Map.Entry<String, String> e : byResource.entrySet()) {
          centre(g, e.getValue() + ": " + e.getKey(), x, baseline);
          baseline += NOTE_LINE;
        }
        int n = sweep.resultsAtRung().getOrDefault(k, 0);
        g.setColor(MUTED);
        centre(g, n + (n == 1 ? " result" : " results"), x, baseline);
      }
      bounds = new Rectangle2D.Double();
    }
  }

  private static void centre(Graphics2D g, String text, double x, double baseline) {
    g.drawString(text, (float) (x - g.getFontMetrics().stringWidth(text) / 2.0), (float) baseline);
  }
}
