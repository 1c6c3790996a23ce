package org.healthpredict.core.drift;

/** Decides drift for one feature from its two distributions, with Evidently's rules or an override. */
public final class FeatureDriftCalculator {

  private final DriftOptions options;

  public FeatureDriftCalculator(DriftOptions options) {
    this.options = options;
  }

  public FeatureDrift evaluate(MonitoredFeature feature, FeatureDistribution d) {
    if (d.reference().isEmpty() || d.current().isEmpty()) {
      return FeatureDrift.untested(feature, d, "no values in the " + (d.reference().isEmpty() ? "reference" : "current")
          + " data (all missing)");
    }
    TestChoice choice = options.choose(feature.name(), feature.kind(), d.reference().total(), d.distinctValues());
    DriftTest test = choice.test();
    DriftStatistics.Outcome outcome = run(feature, test, d);
    double score = test.isPValue() ? outcome.pValue() : outcome.statistic();
    double threshold = choice.thresholdOrDefault();
    return new FeatureDrift(feature, test, outcome.statistic(), outcome.pValue(), score, threshold,
        test.drifted(score, threshold), psi(d), d.reference().total(), d.current().total(), d.referenceMissing(),
        d.currentMissing(), d.distinctValues(), Chart.of(d), null);
  }

  private static DriftStatistics.Outcome run(MonitoredFeature feature, DriftTest test, FeatureDistribution d) {
    return switch (test) {
      case KS -> DriftStatistics.kolmogorovSmirnov((NumericCounts) d.reference(), (NumericCounts) d.current());
      case CHI_SQUARE -> DriftStatistics.chiSquare(d.referenceCategories(), d.currentCategories());
      case Z -> {
        if (d.distinctValues() > 2) {
          throw new IllegalArgumentException("feature '" + feature.name() + "' has " + d.distinctValues()
              + " distinct values; the z test compares two");
        }
        yield DriftStatistics.twoProportionZ(d.referenceCategories(), d.currentCategories());
      }
      case WASSERSTEIN -> distance(DriftStatistics.wassersteinNormalised((NumericCounts) d.reference(),
          (NumericCounts) d.current()));
      case JENSEN_SHANNON -> {
        Binning.Shares s = Binning.evidently(d.reference(), d.current());
        yield distance(DriftStatistics.jensenShannon(s.reference(), s.current()));
      }
      case PSI -> distance(psi(d));
    };
  }

  /** Evidently's PSI: its bins, empty ones filled. */
  private static double psi(FeatureDistribution d) {
    Binning.Shares s = Binning.withEmptyBinsFilled(Binning.evidently(d.reference(), d.current()));
    return DriftStatistics.psi(s.reference(), s.current());
  }

  private static DriftStatistics.Outcome distance(double value) {
    return new DriftStatistics.Outcome(value, Double.NaN);
  }
}
