package org.healthpredict.serving.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The soak over time as a PNG, drawn with XChart as the sweep's rung plot is: p50 and p99 latency
 * per 10-second window on a log scale above, resident memory below; in both, the MLflow outage's
 * start and end as vertical lines and each reload as a marker (green done, red failed).
 */
final class SoakChart {

  static final long WINDOW_NANOS = 10_000_000_000L;
  private static final int WIDTH = 1100;
  private static final int PANEL_HEIGHT = 330;
  private static final double NANOS_PER_MINUTE = 60e9;
  private static final Color P99 = new Color(214, 39, 40);
  private static final Color P50 = new Color(31, 119, 180);
  private static final Color RSS = new Color(44, 160, 44);
  private static final Color RELOAD_OK = new Color(44, 160, 44);
  private static final Color RELOAD_FAILED = new Color(214, 39, 40);

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
    BufferedImage latency = BitmapEncoder.getBufferedImage(latencyChart(run));
    BufferedImage memory = BitmapEncoder.getBufferedImage(memoryChart(run));
    BufferedImage both = new BufferedImage(WIDTH, 2 * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = both.createGraphics();
    try {
      g.drawImage(latency, 0, 0, null);
      g.drawImage(memory, 0, PANEL_HEIGHT, null);
    } finally {
      g.dispose();
    }
    return both;
  }

  private static XYChart latencyChart(SoakRun run) {
    XYChart chart = chart(String.format(Locale.ROOT,
        "Soak: POST /predict at %.0f requests/s, reload every %d s", run.rate(), run.reloadEvery().toSeconds()),
        "latency ms (log), per 10 s");
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setYAxisDecimalPattern("0.##");
    List<Double> minutes = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    long total = run.duration().toNanos();
    for (long from = 0; from < total; from += WINDOW_NANOS) {
      LatencyLog.Window w = run.requests().window(from, Math.min(total, from + WINDOW_NANOS));
      if (!Double.isNaN(w.p99())) {
        minutes.add(Math.min(total, from + WINDOW_NANOS / 2) / NANOS_PER_MINUTE);
        // A log axis cannot show zero; sub-0.01 ms windows sit on its floor.
        p50.add(Math.max(0.01, w.p50()));
        p99.add(Math.max(0.01, w.p99()));
      }
    }
    line(chart, "p99", minutes, p99, P99);
    line(chart, "p50", minutes, p50, P50);
    events(chart, run, p50.stream().mapToDouble(Double::doubleValue).min().orElse(0.01));
    return chart;
  }

  private static XYChart memoryChart(SoakRun run) {
    XYChart chart = chart("Service resident memory (RSS, /proc/<pid>/status)", "MB");
    chart.getStyler().setYAxisMin(0.0);
    List<Double> minutes = new ArrayList<>();
    List<Double> mb = new ArrayList<>();
    for (ResourceSampler.Sample s : run.samples()) {
      minutes.add(Math.min(run.duration().toNanos(), s.atNanos()) / NANOS_PER_MINUTE);
      mb.add(s.rssKb() / 1024.0);
    }
    line(chart, "RSS", minutes, mb, RSS);
    events(chart, run, 0);
    return chart;
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(title)
        .xAxisTitle("minutes since the load started").yAxisTitle(yTitle).build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridVerticalLinesVisible(false);
    chart.getStyler().setXAxisDecimalPattern("0.#");
    chart.getStyler().setAnnotationLineColor(new Color(214, 39, 40, 140));
    chart.getStyler().setAnnotationLineStroke(new BasicStroke(2f));
    return chart;
  }

  private static void line(XYChart chart, String name, List<Double> x, List<Double> y, Color colour) {
    if (x.isEmpty()) {
      return;
    }
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineColor(colour);
  }

  /** The outage's start and end as vertical lines, and a marker per reload at {@code markerY}. */
  private static void events(XYChart chart, SoakRun run, double markerY) {
    if (run.outageStartNanos() >= 0) {
      chart.addAnnotation(new AnnotationLine(run.outageStartNanos() / NANOS_PER_MINUTE, true, false));
      long end = run.outageEndNanos() < 0 ? run.duration().toNanos() : run.outageEndNanos();
      chart.addAnnotation(new AnnotationLine(end / NANOS_PER_MINUTE, true, false));
    }
    reloads(chart, run, true, "reload", RELOAD_OK, markerY);
    reloads(chart, run, false, "failed reload", RELOAD_FAILED, markerY);
  }

  private static void reloads(XYChart chart, SoakRun run, boolean ok, String name, Color colour, double y) {
    List<Double> at = run.reloads().stream().filter(r -> r.ok() == ok)
        .map(r -> r.atNanos() / NANOS_PER_MINUTE).toList();
    if (at.isEmpty()) {
      return;
    }
    XYSeries series = chart.addSeries(name, at, at.stream().map(t -> y).toList());
    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    series.setMarker(SeriesMarkers.TRIANGLE_UP);
    series.setMarkerColor(colour);
  }
}
