package org.healthpredict.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The statistics against known values: textbook examples, hand computations, and the figures scipy
 * 1.17.1 gives for the same inputs (scipy is what Evidently calls), quoted in each test.
 */
class DriftStatisticsTest {

  @Test
  void ksOfTwoDisjointSamplesIsOneWithTheExactPValue() {
    // scipy.stats.ks_2samp([1..5], [6..10]): statistic 1.0, pvalue 2 / C(10, 5) = 0.007936507936507936
    DriftStatistics.Outcome ks = DriftStatistics.kolmogorovSmirnov(
        NumericCounts.ofSample(1, 2, 3, 4, 5), NumericCounts.ofSample(6, 7, 8, 9, 10));
    assertThat(ks.statistic()).isEqualTo(1.0);
    assertThat(ks.pValue()).isCloseTo(2.0 / 252, within(1e-12));
  }

  @Test
  void ksPValuesAreScipysExactOnesUpToTenThousandRowsAndItsAsymptoticOnesBeyond() {
    // scipy 1.17 ks_2samp(method="auto") for a statistic d and sizes n1, n2 (the p-value depends on nothing else):
    // _attempt_exact_2kssamp while max(n1, n2) <= 10,000, else kstwo.sf(d, round(n1·n2 / (n1 + n2))).
    double[][] cases = {
        {681, 3926, 0.05, 0.10573621122042126},
        {681, 3926, 0.021, 0.9546173136901858},
        {500, 500, 0.07, 0.1725563396262406},
        {3413, 4000, 0.03, 0.07076668774699607},
        {20000, 15000, 0.012, 0.16798018023058237},
        {30000, 12000, 0.02, 0.002075777528008902},
        {681, 12000, 0.06, 0.01857749225792636}};
    for (double[] c : cases) {
      // Beyond 10,000 rows Commons Math's one-sample distribution stands in for scipy's kstwo: within 1e-7.
      double tolerance = Math.max(c[0], c[1]) <= SmirnovPValue.MAX_EXACT_SIZE ? 1e-12 : 1e-7;
      assertThat(SmirnovPValue.twoSided(c[2], (int) c[0], (int) c[1])).as("n1 %s n2 %s d %s", c[0], c[1], c[2])
          .isCloseTo(c[3], within(tolerance));
    }
  }

  @Test
  void ksCountsTiesAsScipyDoes() {
    // ks_2samp([1,1,2,2,2,3,3,4,5,5], [2,3,3,4,4,4,5,5,6,6]): statistic 0.4, pvalue 0.41752365281777043
    DriftStatistics.Outcome ks = DriftStatistics.kolmogorovSmirnov(
        NumericCounts.ofSample(1, 1, 2, 2, 2, 3, 3, 4, 5, 5), NumericCounts.ofSample(2, 3, 3, 4, 4, 4, 5, 5, 6, 6));
    assertThat(ks.statistic()).isCloseTo(0.4, within(1e-12));
    assertThat(ks.pValue()).isCloseTo(0.41752365281777043, within(1e-9));
  }

  private static final double SCIPY_EXACT_100 = 0.21117008625127576;

  @Test
  void ksOfTiedSamplesOfAHundredIsScipysExactPValue() {
    // n = m = 100: D = 0.15; scipy's ks_2samp p-value (exact: both samples at most 10,000 rows)
    DriftStatistics.Outcome ks = DriftStatistics.kolmogorovSmirnov(
        counts(new double[] {0, 1, 2, 3, 4, 5, 6, 7}, new long[] {30, 25, 20, 10, 5, 5, 3, 2}),
        counts(new double[] {0, 1, 2, 3, 4, 5, 6, 7}, new long[] {20, 20, 20, 15, 10, 8, 4, 3}));
    assertThat(ks.statistic()).isCloseTo(0.15, within(1e-12));
    assertThat(ks.pValue()).isCloseTo(SCIPY_EXACT_100, within(1e-12));
  }

  @Test
  void chiSquareTestsCurrentCountsAgainstReferenceProportions() {
    // scipy.stats.chisquare([10, 20, 30], [20, 20, 20]): statistic 10.0, pvalue e^-5 = 0.006737946999085468.
    // The reference has twice the rows: Evidently scales expected counts by current / reference rows.
    DriftStatistics.Outcome chi = DriftStatistics.chiSquare(
        new CategoryCounts(Map.of("a", 40L, "b", 40L, "c", 40L)), new CategoryCounts(Map.of("a", 10L, "b", 20L, "c", 30L)));
    assertThat(chi.statistic()).isCloseTo(10.0, within(1e-9));
    assertThat(chi.pValue()).isCloseTo(0.006737946999085468, within(1e-12));
  }

  @Test
  void chiSquareWithACategoryTheReferenceNeverSawIsCertainDrift() {
    DriftStatistics.Outcome chi = DriftStatistics.chiSquare(CategoryCounts.ofSample("a", "b", "c"),
        CategoryCounts.ofSample("a", "b", "c", "new"));
    assertThat(chi.statistic()).isInfinite();
    assertThat(chi.pValue()).isZero();
  }

  @Test
  void twoProportionZTestMatchesTheTextbookFormula() {
    // p1 = 0.5, p2 = 0.7, n = 100 each: pooled 0.6, z = -0.2 / √(0.24 · 0.02) = -2.886751345948128,
    // two-sided p = 2(1 - Φ(|z|)) = 0.0038924171227785465
    DriftStatistics.Outcome z = DriftStatistics.twoProportionZ(new CategoryCounts(Map.of("No", 50L, "Yes", 50L)),
        new CategoryCounts(Map.of("No", 30L, "Yes", 70L)));
    assertThat(Math.abs(z.statistic())).isCloseTo(2.886751345948128, within(1e-12));
    assertThat(z.pValue()).isCloseTo(0.0038924171227785465, within(1e-12));
  }

  @Test
  void zTestOfOneAndTheSameValueOnBothSidesIsNoDrift() {
    DriftStatistics.Outcome z = DriftStatistics.twoProportionZ(CategoryCounts.ofSample("No", "No"),
        CategoryCounts.ofSample("No"));
    assertThat(z.pValue()).isEqualTo(1.0);
  }

  @Test
  void wassersteinIsTheAreaBetweenTheCdfs() {
    // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0; divided by np.std([0, 1, 3]) = 4.0089186286863665
    NumericCounts reference = NumericCounts.ofSample(0, 1, 3);
    NumericCounts current = NumericCounts.ofSample(5, 6, 8);
    assertThat(DriftStatistics.wasserstein(reference, current)).isCloseTo(5.0, within(1e-12));
    assertThat(DriftStatistics.wassersteinNormalised(reference, current)).isCloseTo(4.0089186286863665, within(1e-12));
    // Weighted: wasserstein_distance([0, 1], [0, 1], [3, 1], [2, 2]) = 0.25 (scipy's documented example).
    assertThat(DriftStatistics.wasserstein(counts(new double[] {0, 1}, new long[] {3, 1}),
        counts(new double[] {0, 1}, new long[] {2, 2}))).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void wassersteinOfAConstantReferenceIsNormalisedByTheFloor() {
    double normed = DriftStatistics.wassersteinNormalised(NumericCounts.ofSample(2, 2, 2), NumericCounts.ofSample(2, 2, 3));
    assertThat(normed).isCloseTo((1.0 / 3) / DriftStatistics.MIN_NORMALISING_STD, within(1e-9));
  }

  @Test
  void jensenShannonMatchesScipy() {
    // scipy.spatial.distance.jensenshannon([1, 0], [0.5, 0.5]) = 0.464501404022459 (natural log)
    assertThat(DriftStatistics.jensenShannon(new double[] {1, 0}, new double[] {0.5, 0.5}))
        .isCloseTo(0.464501404022459, within(1e-12));
    // Disjoint supports: √ln 2, the maximum with natural logarithms; unnormalised weights are normalised.
    assertThat(DriftStatistics.jensenShannon(new double[] {2, 0, 0}, new double[] {0, 5, 0}))
        .isCloseTo(Math.sqrt(Math.log(2)), within(1e-12));
    assertThat(DriftStatistics.jensenShannon(new double[] {0.2, 0.8}, new double[] {0.2, 0.8})).isZero();
  }

  @Test
  void jensenShannonOfCategoriesLeavesEmptyBinsEmptyAsEvidentlyDoes() {
    // Evidently's get_binned_data(..., feel_zeroes=False): shares of the union's categories, an empty one 0:
    // scipy.spatial.distance.jensenshannon([0.5, 0.5, 0], [0.5, 0.4, 0.1]) = 0.1934964620120408
    Binning.Shares s = Binning.evidently(new CategoryCounts(Map.of("a", 50L, "b", 50L)),
        new CategoryCounts(Map.of("a", 50L, "b", 40L, "c", 10L)));
    assertThat(s.reference()).containsExactly(0.5, 0.5, 0.0);
    assertThat(DriftStatistics.jensenShannon(s.reference(), s.current())).isCloseTo(0.1934964620120408, within(1e-12));
  }

  @Test
  void fewValuedNumbersGetOneBinPerValue() {
    // At most 20 distinct reference values: one bin per value of either side. ref 0×5 1×3 2×2, cur 0×2 1×3 3×5:
    // jensenshannon([.5, .3, .2, 0], [.2, .3, 0, .5]) = 0.5251748950465185; PSI with empty bins at 0.0001
    // = 6.052052497613686
    Binning.Shares s = Binning.evidently(counts(new double[] {0, 1, 2}, new long[] {5, 3, 2}),
        counts(new double[] {0, 1, 3}, new long[] {2, 3, 5}));
    assertThat(s.reference()).containsExactly(0.5, 0.3, 0.2, 0.0);
    assertThat(DriftStatistics.jensenShannon(s.reference(), s.current())).isCloseTo(0.5251748950465185, within(1e-12));
    Binning.Shares filled = Binning.withEmptyBinsFilled(s);
    assertThat(DriftStatistics.psi(filled.reference(), filled.current())).isCloseTo(6.052052497613686, within(1e-12));
  }

  @Test
  void manyValuedNumbersGetNumpysSturgesBins() {
    // ref = 0..29 and ten more 5s (30 distinct), cur = 10, 10.5, ... 29.5: numpy.histogram_bin_edges(ref + cur,
    // "sturges") gives 8 bins from 0 to 29.5 (edges 0, 3.6875, 7.375 ...); jensenshannon of the histograms
    // = 0.44675905305325964, PSI with empty bins filled = 3.9027023312585754
    double[] ref = new double[40];
    for (int i = 0; i < 30; i++) {
      ref[i] = i;
    }
    java.util.Arrays.fill(ref, 30, 40, 5);
    double[] cur = new double[40];
    for (int i = 0; i < 40; i++) {
      cur[i] = 10 + 0.5 * i;
    }
    NumericCounts r = NumericCounts.ofSample(ref);
    NumericCounts c = NumericCounts.ofSample(cur);
    double[] edges = Binning.sturgesEdges(r, c);
    assertThat(edges).hasSize(9);
    assertThat(edges[1]).isEqualTo(3.6875);
    assertThat(edges[8]).isEqualTo(29.5);
    Binning.Shares s = Binning.evidently(r, c);
    assertThat(DriftStatistics.jensenShannon(s.reference(), s.current())).isCloseTo(0.44675905305325964, within(1e-12));
    Binning.Shares filled = Binning.withEmptyBinsFilled(s);
    assertThat(DriftStatistics.psi(filled.reference(), filled.current())).isCloseTo(3.9027023312585754, within(1e-12));
  }

  @Test
  void emptyBinsAreFilledBelowTheSmallestShareWhenItIsTiny() {
    // Evidently: zero → min(non-zero) / 1e6 when that minimum is at most 0.0001, else 0.0001.
    Binning.Shares s = Binning.withEmptyBinsFilled(new Binning.Shares(new double[] {5e-6, 0, 0.999995},
        new double[] {0.5, 0.5, 0}));
    assertThat(s.reference()[1]).isCloseTo(5e-12, within(1e-24));
    assertThat(s.current()[2]).isEqualTo(0.0001);
  }

  @Test
  void psiSumsShareDifferencesTimesTheirLogRatio() {
    // By hand: (0.5 - 0.25)·ln 2 + (0.5 - 0.75)·ln(0.5 / 0.75) = 0.2746530721670274
    assertThat(DriftStatistics.psi(new double[] {0.5, 0.5}, new double[] {0.25, 0.75}))
        .isCloseTo(0.2746530721670274, within(1e-12));
    assertThat(DriftStatistics.psi(new double[] {0.3, 0.7}, new double[] {0.3, 0.7})).isZero();
    assertThatThrownBy(() -> DriftStatistics.psi(new double[] {0.5, 0.5}, new double[] {1, 0}))
        .hasMessageContaining("bin 1");
  }

  @Test
  void testsRefuseEmptySides() {
    assertThatThrownBy(() -> DriftStatistics.kolmogorovSmirnov(NumericCounts.ofSample(1), NumericCounts.ofSample()))
        .hasMessageContaining("values on both sides");
  }

  private static NumericCounts counts(double[] values, long[] counts) {
    TreeMap<Double, Long> m = new TreeMap<>();
    for (int i = 0; i < values.length; i++) {
      m.put(values[i], counts[i]);
    }
    return NumericCounts.of(m);
  }
}
