package org.healthpredict.core.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** report.html from reports built by hand: every section, and values from the data always escaped. */
class DriftReportHtmlTest {

  static final String SCRIPT = "<script>alert(1)</script>";
  static final String SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";

  /**
   * A report with a numeric feature over 20 bins, a categorical one whose categories include markup, a
   * column whose name does, an untested feature, a distance of infinity, and (with a model) prediction
   * and performance drift.
   */
  static DriftReport report(boolean withModel) {
    List<FeatureDrift> features = new ArrayList<>();
    List<String> bins = IntStream.range(0, 20).mapToObj(i -> i + "–" + (i + 1)).toList();
    double[] even = IntStream.range(0, 20).mapToDouble(i -> 0.05).toArray();
    double[] skewed = IntStream.range(0, 20).mapToDouble(i -> i < 10 ? 0.08 : 0.02).toArray();
    features.add(drift(new MonitoredFeature("age_years", FeatureKind.NUMERICAL, MonitoredFeature.ENGINEERED),
        DriftTest.WASSERSTEIN, 0.31, 0.1, true, 0.42, new Chart(bins, even, skewed)));
    features.add(drift(new MonitoredFeature("race", FeatureKind.CATEGORICAL, MonitoredFeature.RAW),
        DriftTest.CHI_SQUARE, 3.2e-7, 0.05, true, 0.12,
        new Chart(List.of("Caucasian", SCRIPT, "Hispanic & \"Other\"", "other (3)"),
            new double[] {0.7, 0.1, 0.15, 0.05}, new double[] {0.5, 0.3, 0.1, 0.1})));
    features.add(drift(new MonitoredFeature("x<y & 'z'", FeatureKind.CATEGORICAL, MonitoredFeature.RAW),
        DriftTest.JENSEN_SHANNON, Double.POSITIVE_INFINITY, 0.1, true, Double.NaN,
        new Chart(List.of("a"), new double[] {1}, new double[] {1})));
    features.add(drift(new MonitoredFeature("num_procedures", FeatureKind.NUMERICAL, MonitoredFeature.RAW),
        DriftTest.KS, 0.64, 0.05, false, 0.01, new Chart(List.of("0", "1", "2"),
            new double[] {0.5, 0.3, 0.2}, new double[] {0.48, 0.32, 0.2})));
    features.add(new FeatureDrift(new MonitoredFeature("payer_code", FeatureKind.CATEGORICAL, MonitoredFeature.RAW),
        null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false, Double.NaN, 0, 40, 60, 20, 3, null,
        "no values in the reference <" + "i>at all</i>"));
    FeatureDrift prediction = null;
    PerformanceDrift performance = null;
    DriftReport.Model model = null;
    List<String> notes = new ArrayList<>(List.of("reference sampled: 1 of 2 rows & more"));
    if (withModel) {
      prediction = drift(MonitoredFeature.prediction(), DriftTest.WASSERSTEIN, 0.04, 0.1, false, 0.02,
          new Chart(List.of("0.0–0.5", "0.5–1.0"), new double[] {0.9, 0.1}, new double[] {0.85, 0.15}));
      Map<String, Double> before = metrics(1200, 130, 0.68, 0.21, 0.27);
      Map<String, Double> now = metrics(800, 95, 0.61, 0.18, 0.0004);
      performance = new PerformanceDrift(before, now, "roc_auc", 0.07, 0.05, true);
      model = new DriftReport.Model("models:/m@champion", "readmission<v2>", "3");
      notes.add("performance baseline measured on the reference");
    }
    return new DriftReport("2025-01-01T00:00:00Z", new DriftReport.Data("file:/data/reference?a=1&b=2", 1200),
        new DriftReport.Data("file:/data/batch-\"00001\"", 1234567), model, DriftOptions.EVIDENTLY_DEFAULTS,
        features, prediction, performance, notes);
  }

  private static FeatureDrift drift(MonitoredFeature feature, DriftTest test, double score, double threshold,
      boolean drifted, double psi, Chart chart) {
    return new FeatureDrift(feature, test, score, test.isPValue() ? score : Double.NaN, score, threshold, drifted,
        psi, 1000, 900, 10, 0, chart.labels().size(), chart, null);
  }

  private static Map<String, Double> metrics(double rows, double positives, double roc, double pr, double f1) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("rows", rows);
    m.put("positives", positives);
    m.put("roc_auc", roc);
    m.put("pr_auc", pr);
    m.put("f1", f1);
    return m;
  }

  @Test
  void categoryValuesColumnNamesAndUrisAreEscaped() {
    String html = DriftReportHtml.render(report(true));

    assertThat(html).doesNotContain("<script", "alert(1)</").contains(SCRIPT_ESCAPED)
        // The category's full name in the bar's tooltip, abbreviated under the bar.
        .contains("<title>" + SCRIPT_ESCAPED + ": reference 10.0%, current 30.0%</title>")
        .contains(">&lt;script&gt;ale…</text>")
        .contains("Hispanic &amp; \"Other\"", "x&lt;y &amp; 'z'", "readmission&lt;v2&gt;")
        .contains("file:/data/reference?a=1&amp;b=2", "no values in the reference &lt;i&gt;at all&lt;/i&gt;")
        .doesNotContain("<i>", "<v2>", "<y", "a=1&b", " & ");
  }

  @Test
  void everySectionIsThereWithItsData() {
    String html = DriftReportHtml.render(report(true));

    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n").doesNotContain("http://", "https://")
        .contains("<title>Drift report: file:/data/batch-\"00001\"</title>")
        .contains("<header class=\"drift\"><h1>Drift detected</h1>")
        .contains("3 of 4 features drifted (75.0%; data set drift at ≥ 50.0%): <b>data set drift</b>")
        .contains(" · prediction drift: <b>no</b>", " · performance drift: <b>yes</b>")
        .contains("1,234,567 rows", "<dt>model</dt><dd>models:/m@champion · readmission&lt;v2&gt; version 3</dd>")
        .contains("<span class=\"tag\">age_years</span>", "<span class=\"tag\">race</span>")
        .contains("<p class=\"note\">reference sampled: 1 of 2 rows &amp; more</p>")
        .contains("<h2>Model</h2>", "prediction drift<br><small>readmission_probability</small>")
        .contains("<td>drop of roc_auc</td><td>0.0700</td><td>&gt; 0.0500</td><td>yes</td>")
        .contains("<tr><td>rows</td><td>1,200</td><td>800</td></tr>", "<tr><td>f1</td><td>0.2700</td><td>4.00e-04</td></tr>")
        .contains("<h2>Features, most drifted first</h2>")
        .contains("<td>chisquare<br><small>chi-square</small></td><td>3.20e-07<br><small>p-value</small></td>"
            + "<td>&lt; 0.0500</td><td><b>yes</b></td>")
        .contains("<td>∞<br><small>distance</small></td><td>≥ 0.1000</td>")
        .contains("<td colspan=\"4\">not tested: ", "<td>0.4200<br><small>significant</small></td>")
        .contains("<td>1.0% / 0.0%</td>", "<td>100.0% / 33.3%</td>")
        .contains("<footer>Rules: Evidently's data-drift preset (reference ≤ 1000 rows:", "Created 2025-01-01T00:00:00Z.");
    // Features ranked most drifted first; one chart per tested feature and one for the prediction.
    assertThat(html.indexOf(">x&lt;y")).isLessThan(html.indexOf(">race<")).isLessThan(html.indexOf(">age_years<"))
        .isLessThan(html.indexOf(">num_procedures<")).isLessThan(html.indexOf(">payer_code<"));
    assertThat(html.split("<svg ", -1).length - 1).isEqualTo(5);
    // 20 bins: every bar has a tooltip, only the first and last a label; 4 categories: all labelled.
    assertThat(html).contains("<title>0–1: reference 5.0%, current 8.0%</title>", ">19–20</text>")
        .doesNotContain(">1–2</text>").contains(">Caucasian</text>", ">other (3)</text>");
    assertThat(html.split("<rect ", -1).length - 1).isEqualTo(2 * (20 + 4 + 1 + 3 + 2));
  }

  @Test
  void withoutAModelThereIsNoModelSection() {
    String html = DriftReportHtml.render(report(false));

    assertThat(html).doesNotContain("<h2>Model</h2>", "prediction drift", "performance drift", "<dt>model</dt>")
        .contains("<h2>Features, most drifted first</h2>");
    assertThat(html.split("<svg ", -1).length - 1).isEqualTo(4);
  }
}
