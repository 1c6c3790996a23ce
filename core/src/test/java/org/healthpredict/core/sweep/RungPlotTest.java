package org.healthpredict.core.sweep;

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
import javax.imageio.ImageIO;
import org.healthpredict.core.tuning.AshaConfig;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.Job;
import org.healthpredict.core.tuning.SearchSpace;
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
  void writesAPngOfTheExpectedSize(@TempDir Path dir) throws Exception {
    AshaScheduler asha = sweep(Integer.MAX_VALUE);
    Path png = dir.resolve("plots/rungs.png");

    RungPlot.write(asha.trials(), asha.events(), "val_roc_auc", asha.config(), png);

    assertThat(Files.readAllBytes(png)).startsWith(PNG_SIGNATURE);
    BufferedImage read = ImageIO.read(png.toFile());
    assertThat(read.getWidth()).isEqualTo(RungPlot.WIDTH).isEqualTo(1200);
    assertThat(read.getHeight()).isEqualTo(RungPlot.HEIGHT).isEqualTo(700);
    try (var listing = Files.list(png.getParent())) {
      assertThat(listing).containsExactly(png);
    }
  }

  @Test
  void bestCompletedTrialIsDrawnInItsHighlightColour() {
    AshaScheduler asha = sweep(Integer.MAX_VALUE);
    assertThat(asha.best()).isPresent();

    BufferedImage image = RungPlot.render(asha.trials(), asha.events(), "val_roc_auc", asha.config());

    // A thick polyline with big markers over four rungs, plus the label's frame and legend sample.
    assertThat(pixelsOf(image, RungPlot.BEST)).isGreaterThan(1500);
    assertThat(pixelsOf(image, RungPlot.COMPLETED)).isPositive();
  }

  @Test
  void nothingIsHighlightedBeforeAnyTrialCompletes() {
    AshaScheduler asha = sweep(6);
    assertThat(asha.best()).isEmpty();

    BufferedImage image = RungPlot.render(asha.trials(), asha.events(), "val_roc_auc", asha.config());

    assertThat(pixelsOf(image, RungPlot.BEST)).isZero();
    assertThat(pixelsOf(image, RungPlot.STOPPED)).isPositive();
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
    assertThat(pixelsOf(read, Color.WHITE)).isLessThan(1200L * 700);
    assertThat(none.getWidth()).isEqualTo(1200);
    assertThat(pixelsOf(none, RungPlot.BEST)).isZero();
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

    // The legend always shows a stopped sample, so compare with the same trials drawn as stopped.
    assertThat(pixelsOf(image, RungPlot.RUNNING)).isGreaterThan(pixelsOf(stopped, RungPlot.RUNNING));
    assertThat(pixelsOf(image, RungPlot.STOPPED)).isLessThan(pixelsOf(stopped, RungPlot.STOPPED));
  }

  @Test
  void rendersInAHeadlessJvm() {
    RungPlot.render(List.of(), List.of(), "val_pr_auc", AshaConfig.maximize(1));

    assertThat(GraphicsEnvironment.isHeadless()).isTrue();
  }
}
