package org.healthpredict.core.sweep;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.SearchSpace;
import org.healthpredict.core.tuning.TrialEvent;
import org.healthpredict.core.tuning.TrialState;
import org.healthpredict.core.tuning.TrialStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RungPlotTest {

  private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2025-01-01T00:00:00Z"));
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /**
   * A sweep over the default space (lr, rf, gbt) with three workers served round robin, stopped after
   * {@code reports} results so some trials are still running; the 2nd and 5th trainings at rung 1
   * fail. Metrics look like validation ROC AUC: a per-configuration quality, a learning curve that
   * flattens with the rung, and a little noise.
   */
  static AshaScheduler sweep(int reports) {
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(40).withPromotion(AshaConfig.Promotion.IMMEDIATE),
        SearchSpace.defaultSpace(), 42, CLOCK);
    Set<Integer> failing = Set.of(2, 5);
    int rungOneJobs = 0;
    Deque<Job> inFlight = new ArrayDeque<>();
    for (int done = 0; done < reports; done++) {
      while (inFlight.size() < 3) {
        Optional<Job> next = asha.nextJob();
        if (next.isEmpty()) {
          break;
        }
        inFlight.addLast(next.get());
      }
      Job job = inFlight.pollFirst();
      if (job == null) {
        break;
      }
      if (job.rung() == 1 && failing.contains(++rungOneJobs)) {
        asha.onFailure(job.trialId(), "executor lost while fitting " + job.config().family());
        continue;
      }
      Decision decision = asha.onResult(job.trialId(), job.rung(), rocAuc(job));
      if (decision instanceof Decision.Continue next) {
        inFlight.addLast(job.continueAt(next));
      }
    }
    return asha;
  }

  private static double rocAuc(Job job) {
    double quality = 0.60 + 0.07 * ((job.config().describe().hashCode() & 0xffff) / 65536.0);
    double noise = 0.004 * ((((job.trialId() * 31 + job.rung()) * 2654435761L) & 0xff) / 255.0 - 0.5);
    return quality - 0.05 * Math.pow(0.45, job.rung()) + noise;
  }

  private static long pixelsOf(BufferedImage image, Color colour) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == (colour.getRGB() & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void writesAPngOfTheExpectedSizeShowingEveryKindOfTrial(@TempDir Path dir) throws Exception {
    AshaScheduler asha = sweep(Integer.MAX_VALUE);
    assertThat(asha.trials()).extracting(TrialStatus::state)
        .contains(TrialState.COMPLETED, TrialState.STOPPED, TrialState.FAILED);
    Path png = dir.resolve("plots/rungs.png");

    RungPlot.write(asha.trials(), asha.events(), "val_roc_auc", asha.config(), png);

    assertThat(Files.readAllBytes(png)).startsWith(PNG_SIGNATURE);
    BufferedImage read = ImageIO.read(png.toFile());
    assertThat(read.getWidth()).isEqualTo(RungPlot.WIDTH).isEqualTo(1200);
    assertThat(read.getHeight()).isEqualTo(RungPlot.HEIGHT).isEqualTo(700);
    // The decoded file, not just the image in memory, holds each series' colour: the best trial, the other
    // completed and the stopped ones, the failed ones' crosses and the promotion cutoffs.
    assertThat(pixelsOf(read, RungPlot.BEST)).isGreaterThan(1500);
    // (The legend's sample of a kind has some 40 pixels of its colour; grey text a few of the stopped grey.)
    assertThat(pixelsOf(read, RungPlot.COMPLETED)).isGreaterThan(1000);
    assertThat(pixelsOf(read, RungPlot.STOPPED)).isGreaterThan(1000);
    assertThat(pixelsOf(read, RungPlot.FAILED)).isGreaterThan(120);
    assertThat(pixelsOf(read, RungPlot.CUTOFF)).isGreaterThan(60);
    // No degenerate trial in this sweep: its colour only in the legend.
    assertThat(pixelsOf(read, RungPlot.DEGENERATE)).isLessThan(100);
    try (var listing = Files.list(png.getParent())) {
      assertThat(listing).containsExactly(png);
    }
  }

  @Test
  void bestCompletedTrialIsDrawnInItsHighlightColour() {
    AshaScheduler asha = sweep(Integer.MAX_VALUE);
    assertThat(asha.best()).isPresent();
    List<TrialStatus> noneCompleted = asha.trials().stream().map(t -> t.state() == TrialState.COMPLETED
        ? new TrialStatus(t.id(), t.config(), t.bracket(), TrialState.STOPPED, t.rung(), t.resource()) : t).toList();

    BufferedImage image = RungPlot.render(asha.trials(), asha.events(), "val_roc_auc", asha.config());
    // The same results, but no trial counts as completed and so none as the best.
    BufferedImage without = RungPlot.render(noneCompleted, asha.events().stream()
        .filter(e -> !(e instanceof TrialEvent.Result r && r.decision() instanceof Decision.Complete)).toList(),
        "val_roc_auc", asha.config());

    // A thick polyline with big markers over four rungs, plus the legend's sample.
    assertThat(pixelsOf(image, RungPlot.BEST)).isGreaterThan(1500);
    assertThat(pixelsOf(without, RungPlot.BEST)).isZero();
    assertThat(pixelsOf(image, RungPlot.COMPLETED)).isGreaterThan(pixelsOf(without, RungPlot.COMPLETED));
  }

  @Test
  void nothingIsHighlightedBeforeAnyTrialCompletes() {
    AshaScheduler asha = sweep(6);
    assertThat(asha.best()).isEmpty();
    assertThat(asha.trials()).extracting(TrialStatus::state).contains(TrialState.RUNNING, TrialState.FAILED);

    BufferedImage image = RungPlot.render(asha.trials(), asha.events(), "val_roc_auc", asha.config());

    assertThat(pixelsOf(image, RungPlot.BEST)).isZero();
    // The running trials' dashed lines and markers, and the cross of the one that failed.
    assertThat(pixelsOf(image, RungPlot.RUNNING)).isGreaterThan(150);
    assertThat(pixelsOf(image, RungPlot.FAILED)).isGreaterThan(100);
  }

  @Test
  void degenerateTrialsHaveTheirOwnColour() {
    AshaScheduler asha = sweep(Integer.MAX_VALUE);
    List<TrialStatus> degenerate = asha.trials().stream().map(t -> t.state() == TrialState.STOPPED
        ? new TrialStatus(t.id(), t.config(), t.bracket(), TrialState.DEGENERATE, t.rung(), t.resource()) : t).toList();

    BufferedImage image = RungPlot.render(degenerate, asha.events(), "val_roc_auc", asha.config());
    BufferedImage stopped = RungPlot.render(asha.trials(), asha.events(), "val_roc_auc", asha.config());

    assertThat(RungPlot.DEGENERATE).isNotEqualTo(RungPlot.BEST).isNotEqualTo(RungPlot.STOPPED);
    assertThat(pixelsOf(image, RungPlot.DEGENERATE)).isGreaterThan(pixelsOf(stopped, RungPlot.DEGENERATE) + 1000);
    assertThat(pixelsOf(image, RungPlot.STOPPED)).isLessThan(pixelsOf(stopped, RungPlot.STOPPED) / 10);
  }

  @Test
  void sweepWithoutResultsRendersANoResultsYetImageInsteadOfFailing(@TempDir Path dir) throws Exception {
    AshaScheduler started = new AshaScheduler(AshaConfig.maximize(5), SearchSpace.defaultSpace(), 1, CLOCK);
    started.nextJob().orElseThrow();
    started.nextJob().orElseThrow();
    Path png = dir.resolve("empty.png");

    RungPlot.write(started.trials(), started.events(), "val_pr_auc", started.config(), png);
    BufferedImage none = RungPlot.render(List.of(), List.of(), "val_pr_auc", started.config());

    BufferedImage read = ImageIO.read(png.toFile());
    assertThat(read.getWidth()).isEqualTo(1200);
    assertThat(read.getHeight()).isEqualTo(700);
    // The notice in the middle of the plot: dark pixels there, where a plot with results has its lines.
    assertThat(darkPixelsIn(read, 400, 300, 400, 100)).isGreaterThan(300);
    assertThat(none.getWidth()).isEqualTo(1200);
    assertThat(darkPixelsIn(none, 400, 300, 400, 100)).isGreaterThan(300);
    // (Not the stopped grey: antialiased grey text has some pixels of every grey.)
    for (Color series : List.of(RungPlot.BEST, RungPlot.COMPLETED, RungPlot.FAILED, RungPlot.RUNNING)) {
      assertThat(pixelsOf(read, series)).isZero();
    }
  }

  @Test
  void waitingTrialsOfThePapersRuleAreDrawnAsLiveAndARungWithoutCutoffYetIsFine() {
    AshaScheduler asha = new AshaScheduler(AshaConfig.maximize(40), SearchSpace.defaultSpace(), 42, CLOCK);
    for (int i = 0; i < 2; i++) {
      Job job = asha.nextJob().orElseThrow();
      asha.onResult(job.trialId(), job.rung(), rocAuc(job));
    }
    // Two results at rung 0: both wait, and with fewer than η results the rung has no cutoff (NaN).
    assertThat(asha.trials()).extracting(TrialStatus::state).containsOnly(TrialState.WAITING);
    assertThat(asha.results()).allMatch(r -> Double.isNaN(r.cutoff()));

    BufferedImage image = RungPlot.render(asha.trials(), asha.events(), "val_roc_auc", asha.config());
    List<TrialStatus> ifStopped = asha.trials().stream().map(t -> new TrialStatus(t.id(), t.config(), t.bracket(),
        TrialState.STOPPED, t.rung(), t.resource())).toList();
    BufferedImage stopped = RungPlot.render(ifStopped, asha.events(), "val_roc_auc", asha.config());

    // Each trial is a single marker at rung 0: some 30 pixels of its colour, moved from grey to purple.
    assertThat(pixelsOf(image, RungPlot.RUNNING)).isGreaterThan(pixelsOf(stopped, RungPlot.RUNNING) + 40);
    assertThat(pixelsOf(image, RungPlot.STOPPED) + 20).isLessThan(pixelsOf(stopped, RungPlot.STOPPED));
    assertThat(pixelsOf(image, RungPlot.CUTOFF)).isZero();
  }

  /**
   * A sweep's driver is a fresh JVM on a machine without a display. Here DISPLAY names an X server that
   * does not exist, so AWT, left to itself, would not run headless: it would try that server and fail.
   * RungPlot must put AWT in headless mode before AWT starts.
   */
  @Test
  void rendersHeadlessInAFreshJvmWhoseDisplayDoesNotExist(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("rung_plot.png");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", classpath, HeadlessProbe.class.getName(), png.toString());
    probe.environment().put("DISPLAY", ":8571");
    probe.redirectErrorStream(true);

    Process process = probe.start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("java.awt.headless=true", "isHeadless=true");
    BufferedImage read = ImageIO.read(png.toFile());
    assertThat(read.getWidth()).isEqualTo(1200);
    assertThat(pixelsOf(read, RungPlot.BEST)).isGreaterThan(1500);
  }

  /** What {@link #rendersHeadlessInAFreshJvmWhoseDisplayDoesNotExist} runs: no AWT class is touched before RungPlot. */
  public static final class HeadlessProbe {
    public static void main(String[] args) {
      AshaScheduler asha = sweep(Integer.MAX_VALUE);
      RungPlot.write(asha.trials(), asha.events(), "val_roc_auc", asha.config(), Path.of(args[0]));
      System.out.println("java.awt.headless=" + System.getProperty("java.awt.headless"));
      System.out.println("isHeadless=" + GraphicsEnvironment.isHeadless());
    }
  }

  private static long darkPixelsIn(BufferedImage image, int x0, int y0, int width, int height) {
    long n = 0;
    for (int y = y0; y < y0 + height; y++) {
      for (int x = x0; x < x0 + width; x++) {
        Color c = new Color(image.getRGB(x, y));
        if (c.getRed() + c.getGreen() + c.getBlue() < 3 * 160) {
          n++;
        }
      }
    }
    return n;
  }
}
