package org.healthpredict.core.sweep;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;

/**
 * Draws the classic ASHA picture of a sweep as a PNG: each trial a polyline of its validation metric
 * over the rungs it reached, coloured by how it ended, the latest promotion cutoff at each rung as a
 * dashed tick, and the best completed trial highlighted and labelled with its configuration.
 *
 * <p>The x axis is the rung index, because ASHA compares all families at the same index; each tick
 * also lists every family's resource at that rung, since families climb different ladders. Pure
 * Java2D on a {@link BufferedImage}, so it needs no display (see the static initialiser).
 */
public final class RungPlot {

  public static final int WIDTH = 1200;
  public static final int HEIGHT = 700;

  // Package-private so tests can look for the highlighted trial's pixels.
  static final Color BEST = new Color(255, 127, 14);
  static final Color COMPLETED = new Color(31, 119, 180);
  static final Color STOPPED = new Color(170, 170, 170);
  static final Color FAILED = new Color(214, 39, 40);
  /** Degenerate trials (constant predictions): orange, so they stand out from trials stopped on merit. */
  static final Color DEGENERATE = new Color(255, 127, 14);
  static final Color RUNNING = new Color(148, 103, 189);
  private static final Color CUTOFF = new Color(30, 30, 30);
  private static final Color GRID = new Color(232, 232, 232);
  private static final Color TEXT = new Color(40, 40, 40);

  private static final int LEFT = 90;
  private static final int TOP = 78;
  private static final int RIGHT = WIDTH - 250;
  private static final int BOTTOM = HEIGHT - 120;

  static {
    // Sweeps run on servers and Kubernetes pods with no display; AWT reads this once, at first use,
    // so it must be set before any AWT class below loads. An explicit setting by the caller wins.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private RungPlot() {}

  /** One trial's line: its rung metrics in rung order and how it ended. */
  private record Line(TrialStatus status, TreeMap<Integer, Double> metrics) {}

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
    Map<Integer, TreeMap<Integer, Double>> metrics = new HashMap<>();
    // Rung -> family -> resource (families in name order), for the tick labels.
    TreeMap<Integer, Map<String, Double>> resources = new TreeMap<>();
    // (bracket, rung) -> the cutoff of the latest decision there: the bar a new result must clear now.
    Map<List<Integer>, Double> cutoffs = new TreeMap<>(Comparator.comparing((List<Integer> k) -> k.get(0))
        .thenComparing(k -> k.get(1)));
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
        cutoffs.put(List.of(bracketOf.getOrDefault(r.trialId(), 0), r.rung()), r.cutoff());
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

    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);

      Map<TrialState, Integer> counts = new TreeMap<>();
      trials.forEach(t -> counts.merge(t.state(), 1, Integer::sum));
      drawTitle(g, metricName, config, trials.size(), counts);
      if (metrics.isEmpty()) {
        drawEmpty(g, trials.size());
        return image;
      }

      List<Line> lines = new ArrayList<>();
      for (TrialStatus t : trials.stream().sorted(Comparator.comparingInt(TrialStatus::id)).toList()) {
        lines.add(new Line(t, metrics.getOrDefault(t.id(), new TreeMap<>())));
      }
      int topRung = resources.lastKey();
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (TreeMap<Integer, Double> m : metrics.values()) {
        for (double v : m.values()) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      for (double c : cutoffs.values()) {
        lo = Math.min(lo, c);
        hi = Math.max(hi, c);
      }
      Axes axes = Axes.of(topRung, lo, hi);
      drawAxes(g, axes, metricName, resources, resultsAtRung);

      // Least interesting first, so stopped trials never hide the ones that went on.
      for (TrialState state : List.of(TrialState.STOPPED, TrialState.DEGENERATE, TrialState.FAILED, TrialState.PAUSED, TrialState.WAITING,
          TrialState.RUNNING, TrialState.COMPLETED)) {
        for (Line line : lines) {
          if (line.status().state() == state && (best == null || line.status().id() != best.trialId())) {
            drawLine(g, axes, line, colour(state), state == TrialState.COMPLETED ? 2.2f : 1.6f, 3.5);
          }
        }
      }
      drawCutoffs(g, axes, cutoffs);
      if (best != null) {
        int bestId = best.trialId();
        Line line = lines.stream().filter(l -> l.status().id() == bestId).findFirst().orElseThrow();
        drawLine(g, axes, line, BEST, 4.5f, 6);
        drawBestLabel(g, axes, lines, line, best);
      }
      drawLegend(g, counts, best != null, !cutoffs.isEmpty());
      return image;
    } finally {
      g.dispose();
    }
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

  /** Maps rung indices and metric values to pixels, with "nice" y ticks. */
  private record Axes(int topRung, double lo, double hi, double step) {

    static Axes of(int topRung, double min, double max) {
      double pad = max > min ? (max - min) * 0.08 : Math.max(Math.abs(max) * 0.05, 0.01);
      double lo = min - pad;
      double hi = max + pad;
      double rough = (hi - lo) / 6;
      double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
      double norm = rough / magnitude;
      double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
      return new Axes(topRung, lo, hi, step);
    }

    double slot() {
      return (double) (RIGHT - LEFT) / (topRung + 1);
    }

    double x(int rung) {
      return LEFT + (rung + 0.5) * slot();
    }

    double y(double metric) {
      return BOTTOM - (metric - lo) / (hi - lo) * (BOTTOM - TOP);
    }

    String tick(double v) {
      int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
      return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
  }

  private static void drawTitle(Graphics2D g, String metricName, AshaConfig config, int trialCount,
      Map<TrialState, Integer> counts) {
    g.setColor(TEXT);
    g.setFont(font(Font.BOLD, 20));
    String direction = config.mode() == AshaConfig.Mode.MAX ? "higher is better" : "lower is better";
    String brackets = config.brackets() > 1 ? ", " + config.brackets() + " brackets" : "";
    g.drawString("ASHA sweep: " + metricName + " by rung  (η = " + TrialsTable.number(config.eta()) + brackets
        + ", " + direction + ")", LEFT, 34);
    g.setFont(font(Font.PLAIN, 14));
    StringBuilder subtitle = new StringBuilder(trialCount + (trialCount == 1 ? " trial" : " trials"));
    counts.forEach((state, n) -> subtitle.append("  ·  ").append(n).append(' ').append(state.name().toLowerCase(Locale.ROOT)));
    g.setColor(new Color(100, 100, 100));
    g.drawString(subtitle.toString(), LEFT, 56);
  }

  private static void drawEmpty(Graphics2D g, int trialCount) {
    g.setColor(new Color(200, 200, 200));
    g.setStroke(new BasicStroke(1f));
    g.drawRect(LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP);
    g.setColor(new Color(120, 120, 120));
    g.setFont(font(Font.BOLD, 28));
    centre(g, "no results yet", (LEFT + RIGHT) / 2.0, (TOP + BOTTOM) / 2.0);
    g.setFont(font(Font.PLAIN, 15));
    String detail = trialCount == 0 ? "no trial has started"
        : trialCount + (trialCount == 1 ? " trial has" : " trials have") + " started; none has reported a metric";
    centre(g, detail, (LEFT + RIGHT) / 2.0, (TOP + BOTTOM) / 2.0 + 32);
  }

  private static void drawAxes(Graphics2D g, Axes axes, String metricName, Map<Integer, Map<String, Double>> resources,
      Map<Integer, Integer> resultsAtRung) {
    g.setFont(font(Font.PLAIN, 13));
    FontMetrics fm = g.getFontMetrics();
    g.setStroke(new BasicStroke(1f));
    for (double v = Math.ceil(axes.lo() / axes.step()) * axes.step(); v <= axes.hi(); v += axes.step()) {
      double y = axes.y(v);
      g.setColor(GRID);
      g.draw(new Line2D.Double(LEFT, y, RIGHT, y));
      g.setColor(TEXT);
      String label = axes.tick(v);
      g.drawString(label, LEFT - 8 - fm.stringWidth(label), (float) (y + fm.getAscent() / 2.0 - 2));
    }
    for (int k = 0; k <= axes.topRung(); k++) {
      double x = axes.x(k);
      g.setColor(GRID);
      g.draw(new Line2D.Double(x, TOP, x, BOTTOM));
      g.setColor(TEXT);
      g.setFont(font(Font.BOLD, 13));
      centre(g, "rung " + k, x, BOTTOM + 20);
      g.setFont(font(Font.PLAIN, 12));
      int row = 0;
      // Families sharing a resource at this rung share a line: "gbt, lr: 15".
      Map<String, String> byResource = new LinkedHashMap<>();
      resources.getOrDefault(k, Map.of()).forEach((family, r) ->
          byResource.merge(TrialsTable.number(r), family, (a, b) -> a + ", " + b));
      for (Map.Entry<String, String> e : byResource.entrySet()) {
        centre(g, e.getValue() + ": " + e.getKey(), x, BOTTOM + 37 + 15 * row++);
      }
      int n = resultsAtRung.getOrDefault(k, 0);
      g.setColor(new Color(110, 110, 110));
      centre(g, n + (n == 1 ? " result" : " results"), x, BOTTOM + 37 + 15 * row);
    }
    g.setColor(TEXT);
    g.setStroke(new BasicStroke(1.2f));
    g.drawRect(LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP);
    g.setFont(font(Font.PLAIN, 14));
    centre(g, "rung (resource per family)", (LEFT + RIGHT) / 2.0, HEIGHT - 14);
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    centre(g, metricName, -(TOP + BOTTOM) / 2.0, 24);
    g.setTransform(saved);
  }

  private static void drawLine(Graphics2D g, Axes axes, Line line, Color colour, float width, double marker) {
    if (line.metrics().isEmpty()) {
      return;
    }
    Path2D.Double path = new Path2D.Double();
    line.metrics().forEach((rung, metric) -> {
      if (path.getCurrentPoint() == null) {
        path.moveTo(axes.x(rung), axes.y(metric));
      } else {
        path.lineTo(axes.x(rung), axes.y(metric));
      }
    });
    TrialState state = line.status().state();
    boolean live = state == TrialState.RUNNING || state == TrialState.PAUSED || state == TrialState.WAITING;
    g.setColor(colour);
    g.setStroke(live ? dashed(width, 7f, 4f) : new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(path);
    line.metrics().forEach((rung, metric) -> g.fill(new Ellipse2D.Double(axes.x(rung) - marker,
        axes.y(metric) - marker, 2 * marker, 2 * marker)));
    if (state == TrialState.FAILED) {
      // It failed while training the rung after its last result: a dotted step there, ended by a cross.
      Map.Entry<Integer, Double> last = line.metrics().lastEntry();
      double y = axes.y(last.getValue());
      double x = axes.x(Math.max(last.getKey(), line.status().rung()));
      g.setColor(FAILED);
      g.setStroke(dashed(1.6f, 2f, 4f));
      g.draw(new Line2D.Double(axes.x(last.getKey()), y, x, y));
      g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.draw(new Line2D.Double(x - 6, y - 6, x + 6, y + 6));
      g.draw(new Line2D.Double(x - 6, y + 6, x + 6, y - 6));
    }
  }

  private static void drawCutoffs(Graphics2D g, Axes axes, Map<List<Integer>, Double> cutoffs) {
    g.setColor(CUTOFF);
    g.setStroke(dashed(2.2f, 6f, 4f));
    double half = Math.min(axes.slot() * 0.18, 60);
    cutoffs.forEach((bracketRung, cutoff) -> {
      double x = axes.x(bracketRung.get(1));
      double y = axes.y(cutoff);
      g.draw(new Line2D.Double(x - half, y, x + half, y));
    });
  }

  private static void drawBestLabel(Graphics2D g, Axes axes, List<Line> lines, Line line, TrialEvent.Result best) {
    String head = "best: trial " + best.trialId() + ", " + TrialsTable.number(round4(best.metric()));
    String config = line.status().config().describe();
    g.setFont(font(Font.BOLD, 13));
    FontMetrics bold = g.getFontMetrics();
    g.setFont(font(Font.PLAIN, 13));
    FontMetrics plain = g.getFontMetrics();
    double width = Math.min(Math.max(bold.stringWidth(head), plain.stringWidth(config)) + 16, RIGHT - LEFT - 20);
    double height = 2 * plain.getHeight() + 10;
    Rectangle2D box = freestCorner(axes, lines, width, height);
    double px = axes.x(best.rung());
    double py = axes.y(best.metric());
    // A leader line from the box's nearest edge, so the box can sit where it hides no data.
    g.setColor(BEST);
    g.setStroke(new BasicStroke(1.5f));
    g.draw(new Line2D.Double(Math.max(box.getMinX(), Math.min(px, box.getMaxX())),
        Math.max(box.getMinY(), Math.min(py, box.getMaxY())), px, py));
    RoundRectangle2D frame = new RoundRectangle2D.Double(box.getX(), box.getY(), width, height, 8, 8);
    g.setColor(new Color(255, 255, 255, 235));
    g.fill(frame);
    g.setColor(BEST);
    g.draw(frame);
    Shape clip = g.getClip();
    g.clip(box);
    g.setColor(TEXT);
    g.setFont(font(Font.BOLD, 13));
    g.drawString(head, (float) (box.getX() + 8), (float) (box.getY() + 5 + plain.getAscent()));
    g.setFont(font(Font.PLAIN, 13));
    g.drawString(config, (float) (box.getX() + 8), (float) (box.getY() + 5 + plain.getHeight() + plain.getAscent()));
    g.setClip(clip);
  }

  /**
   * Of the plot's corners (and the middle of its bottom and top edges), the box position that covers
   * the fewest trial points and line segments. Which one is free depends on the sweep: with "higher is
   * better" the lower right is usually empty (late rungs hold only promoted trials), with a loss the
   * upper right.
   */
  private static Rectangle2D freestCorner(Axes axes, List<Line> lines, double width, double height) {
    double inset = 10;
    double[][] corners = {
        {RIGHT - inset - width, BOTTOM - inset - height}, {RIGHT - inset - width, TOP + inset},
        {(LEFT + RIGHT - width) / 2, BOTTOM - inset - height}, {(LEFT + RIGHT - width) / 2, TOP + inset},
        {LEFT + inset, BOTTOM - inset - height}, {LEFT + inset, TOP + inset}};
    Rectangle2D freest = null;
    int fewest = Integer.MAX_VALUE;
    for (double[] c : corners) {
      Rectangle2D box = new Rectangle2D.Double(Math.max(LEFT + inset, c[0]), c[1], width, height);
      int covered = 0;
      for (Line l : lines) {
        Map.Entry<Integer, Double> previous = null;
        for (Map.Entry<Integer, Double> point : l.metrics().entrySet()) {
          double x = axes.x(point.getKey());
          double y = axes.y(point.getValue());
          if (box.contains(x, y)) {
            covered += 3;
          }
          if (previous != null && box.intersectsLine(axes.x(previous.getKey()), axes.y(previous.getValue()), x, y)) {
            covered++;
          }
          previous = point;
        }
      }
      if (covered < fewest) {
        fewest = covered;
        freest = box;
      }
    }
    return freest;
  }

  private static void drawLegend(Graphics2D g, Map<TrialState, Integer> counts, boolean best, boolean cutoffs) {
    int x = RIGHT + 28;
    int y = TOP + 8;
    g.setFont(font(Font.BOLD, 14));
    g.setColor(TEXT);
    g.drawString("Trials", x, y + 4);
    y += 28;
    g.setFont(font(Font.PLAIN, 13));
    if (best) {
      legendEntry(g, x, y, BEST, new BasicStroke(4.5f), "best completed");
      y += 24;
    }
    int live = counts.getOrDefault(TrialState.RUNNING, 0) + counts.getOrDefault(TrialState.PAUSED, 0)
        + counts.getOrDefault(TrialState.WAITING, 0);
    legendEntry(g, x, y, COMPLETED, new BasicStroke(2.2f), "completed (" + counts.getOrDefault(TrialState.COMPLETED, 0) + ")");
    y += 24;
    legendEntry(g, x, y, STOPPED, new BasicStroke(1.6f), "stopped (" + counts.getOrDefault(TrialState.STOPPED, 0) + ")");
    y += 24;
    legendEntry(g, x, y, DEGENERATE, new BasicStroke(1.6f),
        "degenerate (" + counts.getOrDefault(TrialState.DEGENERATE, 0) + ")");
    y += 24;
    legendEntry(g, x, y, FAILED, new BasicStroke(1.6f), "failed (" + counts.getOrDefault(TrialState.FAILED, 0) + ")");
    g.setStroke(new BasicStroke(2.5f));
    g.draw(new Line2D.Double(x + 15, y - 10, x + 27, y + 2));
    g.draw(new Line2D.Double(x + 15, y + 2, x + 27, y - 10));
    y += 24;
    if (live > 0) {
      legendEntry(g, x, y, RUNNING, dashed(1.6f, 7f, 4f), "running / waiting (" + live + ")");
      y += 24;
    }
    if (cutoffs) {
      y += 8;
      legendEntry(g, x, y, CUTOFF, dashed(2.2f, 6f, 4f), "promotion cutoff");
      g.setColor(new Color(110, 110, 110));
      g.setFont(font(Font.PLAIN, 12));
      g.drawString("latest at each rung", x + 52, y + 16);
    }
  }

  private static void legendEntry(Graphics2D g, int x, int y, Color colour, Stroke stroke, String text) {
    g.setColor(colour);
    g.setStroke(stroke);
    g.draw(new Line2D.Double(x, y - 4, x + 42, y - 4));
    g.setColor(TEXT);
    g.drawString(text, x + 52, y + 1);
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

  private static BasicStroke dashed(float width, float on, float off) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {on, off}, 0f);
  }

  private static Font font(int style, int size) {
    return new Font(Font.SANS_SERIF, style, size);
  }

  private static void centre(Graphics2D g, String text, double x, double baseline) {
    g.drawString(text, (float) (x - g.getFontMetrics().stringWidth(text) / 2.0), (float) baseline);
  }

  private static double round4(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
