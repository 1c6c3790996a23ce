package org.healthpredict.serving.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import javax.imageio.ImageIO;

/**
 * The soak over time as a PNG, drawn with Java2D as the sweep's rung plot is (no chart library):
 * p50 and p99 latency per 10-second window on a log scale above, resident memory below, the MLflow
 * outage shaded and each reload marked (green done, red failed) in both panels.
 */
final class SoakChart {

  static final long WINDOW_NANOS = 10_000_000_000L;
  private static final int WIDTH = 1100;
  private static final int HEIGHT = 640;
  private static final int LEFT = 80;
  private static final int RIGHT = WIDTH - 30;
  private static final int LAT_TOP = 60;
  private static final int LAT_BOTTOM = 330;
  private static final int RSS_TOP = 380;
  private static final int RSS_BOTTOM = 590;
  private static final Color P99 = new Color(214, 39, 40);
  private static final Color P50 = new Color(31, 119, 180);
  private static final Color RSS = new Color(44, 160, 44);
  private static final Color OUTAGE = new Color(255, 228, 228);
  private static final Color GRID = new Color(232, 232, 232);
  private static final Color TEXT = new Color(40, 40, 40);

  static {
    // The soak runs on servers with no display; AWT reads this once, before its first class loads.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private SoakChart() {}

  static void write(SoakRun run, Path png) throws IOException {
    if (!ImageIO.write(render(run), "png", png.toFile())) {
      throw new IOException("no PNG writer in this JDK");
    }
  }

  static BufferedImage render(SoakRun run) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      long total = run.duration().toNanos();
      DoubleUnaryOperator x = nanos -> LEFT + nanos / (double) total * (RIGHT - LEFT);
      g.setColor(TEXT);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
      g.drawString(String.format(Locale.ROOT, "Soak: POST /predict at %.0f requests/s, reload every %d s%s", run.rate(),
          run.reloadEvery().toSeconds(), run.outageStartNanos() >= 0 ? ", MLflow outage shaded" : ""), LEFT, 30);
      latencyPanel(g, run, x, total);
      rssPanel(g, run, x, total);
      timeAxis(g, x, total);
      return image;
    } finally {
      g.dispose();
    }
  }

  private static void latencyPanel(Graphics2D g, SoakRun run, DoubleUnaryOperator x, long total) {
    double hi = 1;
    for (long from = 0; from < total; from += WINDOW_NANOS) {
      LatencyLog.Window w = run.requests().window(from, Math.min(total, from + WINDOW_NANOS));
      if (!Double.isNaN(w.p99())) {
        hi = Math.max(hi, w.p99());
      }
    }
    double lo = 0.1;
    double top = Math.pow(10, Math.ceil(Math.log10(hi)));
    DoubleUnaryOperator y = ms -> LAT_BOTTOM - (Math.log10(Math.max(lo, ms)) - Math.log10(lo))
        / (Math.log10(top) - Math.log10(lo)) * (LAT_BOTTOM - LAT_TOP);
    background(g, run, x, LAT_TOP, LAT_BOTTOM);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (double t = lo; t <= top * 1.0001; t *= 10) {
      int yy = (int) y.applyAsDouble(t);
      g.setColor(GRID);
      g.drawLine(LEFT, yy, RIGHT, yy);
      g.setColor(TEXT);
      String label = t < 1 ? String.format(Locale.ROOT, "%.1f", t) : String.format(Locale.ROOT, "%.0f", t);
      g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), yy + 4);
    }
    series(g, run, x, y, total, P50, false);
    series(g, run, x, y, total, P99, true);
    label(g, "latency ms (log), per 10 s:", LAT_TOP - 8);
    g.setColor(P99);
    g.drawString("p99", LEFT + 180, LAT_TOP - 8);
    g.setColor(P50);
    g.drawString("p50", LEFT + 215, LAT_TOP - 8);
    frame(g, LAT_TOP, LAT_BOTTOM);
  }

  private static void series(Graphics2D g, SoakRun run, DoubleUnaryOperator x, DoubleUnaryOperator y, long total,
      Color colour, boolean p99) {
    Path2D.Double path = new Path2D.Double();
    boolean started = false;
    for (long from = 0; from < total; from += WINDOW_NANOS) {
      LatencyLog.Window w = run.requests().window(from, Math.min(total, from + WINDOW_NANOS));
      double v = p99 ? w.p99() : w.p50();
      if (Double.isNaN(v)) {
        continue;
      }
      double px = x.applyAsDouble(Math.min(total, from + WINDOW_NANOS / 2));
      double py = y.applyAsDouble(v);
      if (started) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        started = true;
      }
    }
    g.setColor(colour);
    g.setStroke(new BasicStroke(2f));
    g.draw(path);
    g.setStroke(new BasicStroke(1f));
  }

  private static void rssPanel(Graphics2D g, SoakRun run, DoubleUnaryOperator x, long total) {
    double hi = run.samples().stream().mapToDouble(s -> s.rssKb() / 1024.0).max().orElse(100);
    double step = hi > 1000 ? 200 : hi > 400 ? 100 : 50;
    double top = Math.ceil(hi * 1.1 / step) * step;
    DoubleUnaryOperator y = mb -> RSS_BOTTOM - mb / top * (RSS_BOTTOM - RSS_TOP);
    background(g, run, x, RSS_TOP, RSS_BOTTOM);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (double t = 0; t <= top; t += step) {
      int yy = (int) y.applyAsDouble(t);
      g.setColor(GRID);
      g.drawLine(LEFT, yy, RIGHT, yy);
      g.setColor(TEXT);
      String label = String.format(Locale.ROOT, "%.0f", t);
      g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), yy + 4);
    }
    Path2D.Double path = new Path2D.Double();
    boolean started = false;
    for (ResourceSampler.Sample s : run.samples()) {
      double px = x.applyAsDouble(Math.min(total, s.atNanos()));
      double py = y.applyAsDouble(s.rssKb() / 1024.0);
      if (started) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        started = true;
      }
    }
    g.setColor(RSS);
    g.setStroke(new BasicStroke(2f));
    g.draw(path);
    g.setStroke(new BasicStroke(1f));
    label(g, "service resident memory (RSS, /proc/<pid>/status), MB", RSS_TOP - 8);
    frame(g, RSS_TOP, RSS_BOTTOM);
  }

  /** The outage's shading and a tick per reload, under the data. */
  private static void background(Graphics2D g, SoakRun run, DoubleUnaryOperator x, int top, int bottom) {
    if (run.outageStartNanos() >= 0) {
      long end = run.outageEndNanos() < 0 ? run.duration().toNanos() : run.outageEndNanos();
      int x0 = (int) x.applyAsDouble(run.outageStartNanos());
      g.setColor(OUTAGE);
      g.fillRect(x0, top, (int) x.applyAsDouble(end) - x0, bottom - top);
    }
    for (SoakScenario.Reload r : run.reloads()) {
      int xx = (int) x.applyAsDouble(r.atNanos());
      g.setColor(r.ok() ? new Color(44, 160, 44, 110) : new Color(214, 39, 40, 160));
      g.drawLine(xx, top, xx, bottom);
    }
  }

  private static void timeAxis(Graphics2D g, DoubleUnaryOperator x, long total) {
    g.setColor(TEXT);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    long minutes = Math.max(1, total / 60_000_000_000L);
    long step = minutes > 20 ? 5 : 1;
    for (long m = 0; m * 60_000_000_000L <= total; m += step) {
      int xx = (int) x.applyAsDouble(m * 60_000_000_000L);
      String label = Long.toString(m);
      g.drawString(label, xx - g.getFontMetrics().stringWidth(label) / 2, RSS_BOTTOM + 18);
      g.drawLine(xx, RSS_BOTTOM, xx, RSS_BOTTOM + 4);
    }
    g.drawString("minutes since the load started (green lines: reloads; red: failed reloads)", LEFT, RSS_BOTTOM + 40);
  }

  private static void label(Graphics2D g, String text, int baseline) {
    g.setColor(TEXT);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString(text, LEFT, baseline);
  }

  private static void frame(Graphics2D g, int top, int bottom) {
    g.setColor(new Color(160, 160, 160));
    g.drawRect(LEFT, top, RIGHT - LEFT, bottom - top);
  }
}
