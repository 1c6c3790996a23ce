package org.healthpredict.core.drift;

import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) a
 * person opens from disk or from MLflow: the verdict on top, then prediction and performance drift,
 * then every feature ranked by drift with a chart of reference vs current shares.
 */
public final class DriftReportHtml {

  private static final String REFERENCE_COLOUR = "#4c72b0";
  private static final String CURRENT_COLOUR = "#dd8452";
  private static final int CHART_WIDTH = 340;
  private static final int CHART_HEIGHT = 120;
  private static final int LABEL_SPACE = 34;
  /** Room for the first labels, which are rotated and so reach left of their bar. */
  private static final int LEFT_SPACE = 40;

  private DriftReportHtml() {}

  public static String render(DriftReport r) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Drift report: ")
        .append(esc(r.current().uri())).append("</title>\n<style>").append(CSS).append("</style></head><body>\n");
    summary(h, r);
    modelSections(h, r);
    table(h, r);
    h.append("<footer>Rules: Evidently's data-drift preset (reference ≤ ").append(r.options().smallReferenceRows())
        .append(" rows: KS / chi-square / z-test at p &lt; 0.05; larger: normed Wasserstein / Jensen–Shannon ≥ 0.1);"
            + " data set drift when ≥ ").append(pct(r.options().driftShare())).append(" of features drift. "
            + "PSI on reference deciles, bands 0.1 / 0.25. Created ").append(esc(r.createdAt())).append(".</footer>\n");
    return h.append("</body></html>\n").toString();
  }

  private static void summary(StringBuilder h, DriftReport r) {
    boolean drift = r.status().equals(DriftReport.DRIFT_DETECTED);
    h.append("<header class=\"").append(drift ? "drift" : "ok").append("\"><h1>")
        .append(drift ? "Drift detected" : "No drift").append("</h1><p>")
        .append(r.driftedFeatures()).append(" of ").append(r.testedFeatures()).append(" features drifted (")
        .append(pct(r.shareDrifted())).append("; data set drift at ≥ ").append(pct(r.options().driftShare()))
        .append("): <b>").append(r.datasetDrift() ? "data set drift" : "no data set drift").append("</b>");
    if (r.prediction() != null) {
      h.append(" · prediction drift: <b>").append(r.predictionDrift() ? "yes" : "no").append("</b>");
    }
    if (r.performance() != null) {
      h.append(" · performance drift: <b>").append(r.performanceDrift() ? "yes" : "no").append("</b>");
    }
    h.append("</p><dl><dt>reference</dt><dd>").append(esc(r.reference().uri())).append(" · ")
        .append(String.format(Locale.ROOT, "%,d", r.reference().rows())).append(" rows</dd><dt>current</dt><dd>")
        .append(esc(r.current().uri())).append(" · ").append(String.format(Locale.ROOT, "%,d", r.current().rows()))
        .append(" rows</dd>");
    if (r.model() != null) {
      h.append("<dt>model</dt><dd>").append(esc(r.model().uri())).append(" · ").append(esc(r.model().name()))
          .append(" version ").append(esc(r.model().version())).append("</dd>");
    }
    h.append("</dl>");
    if (r.datasetDrift() || r.driftedFeatures() > 0) {
      h.append("<p class=\"list\">Drifted: ");
      r.features().stream().filter(FeatureDrift::drifted)
          .forEach(f -> h.append("<span class=\"tag\">").append(esc(f.feature().name())).append("</span> "));
      h.append("</p>");
    }
    r.notes().forEach(n -> h.append("<p class=\"note\">").append(esc(n)).append("</p>"));
    h.append("<p class=\"legend\"><span style=\"background:").append(REFERENCE_COLOUR).append("\"></span>reference "
        + "<span style=\"background:").append(CURRENT_COLOUR).append("\"></span>current</p></header>\n");
  }

  private static void modelSections(StringBuilder h, DriftReport r) {
    if (r.prediction() == null && r.performance() == null) {
      return;
    }
    h.append("<section><h2>Model</h2><table><tr><th>check</th><th>test</th><th>score</th><th>threshold</th>"
        + "<th>drifted</th><th>distribution / metrics</th></tr>\n");
    if (r.prediction() != null) {
      FeatureDrift p = r.prediction();
      h.append("<tr class=\"").append(p.drifted() ? "drifted" : "").append("\"><td>prediction drift<br><small>")
          .append(esc(p.feature().name())).append("</small></td>").append(testCells(p)).append("<td>")
          .append(p.chart() == null ? "" : svg(p.chart())).append("</td></tr>\n");
    }
    if (r.performance() != null) {
      PerformanceDrift q = r.performance();
      h.append("<tr class=\"").append(q.drifted() ? "drifted" : "").append("\"><td>performance drift</td><td>drop of ")
          .append(esc(q.metric())).append("</td><td>").append(num(q.drop())).append("</td><td>&gt; ")
          .append(num(q.threshold())).append("</td><td>").append(q.drifted() ? "yes" : "no").append("</td><td>")
          .append(metrics(q)).append("</td></tr>\n");
    }
    h.append("</table></section>\n");
  }

  private static String metrics(PerformanceDrift q) {
    StringBuilder t = new StringBuilder("<table class=\"metrics\"><tr><th></th><th>reference</th><th>current</th></tr>");
    for (String m : new String[] {"rows", "positives", "roc_auc", "pr_auc", "f1"}) {
      t.append("<tr><td>").append(m).append("</td><td>").append(metric(q.reference(), m)).append("</td><td>")
          .append(metric(q.current(), m)).append("</td></tr>");
    }
    return t.append("</table>").toString();
  }

  private static String metric(Map<String, Double> values, String key) {
    Double v = values.get(key);
    if (v == null) {
      return "";
    }
    return key.equals("rows") || key.equals("positives") ? String.format(Locale.ROOT, "%,d", v.longValue()) : num(v);
  }

  private static void table(StringBuilder h, DriftReport r) {
    h.append("<section><h2>Features, most drifted first</h2><table><tr><th>feature</th><th>type</th><th>test</th>"
        + "<th>score</th><th>threshold</th><th>drifted</th><th>PSI</th><th>missing ref / cur</th>"
        + "<th>reference vs current</th></tr>\n");
    for (FeatureDrift f : r.features()) {
      h.append("<tr class=\"").append(f.drifted() ? "drifted" : "").append("\"><td><b>").append(esc(f.feature().name()))
          .append("</b><br><small>").append(esc(f.feature().source())).append(", ").append(f.distinctValues())
          .append(" values</small></td><td>").append(f.feature().kind().label()).append("</td>");
      if (f.tested()) {
        h.append(testCells(f));
      } else {
        h.append("<td colspan=\"4\">not tested: ").append(esc(f.note())).append("</td>");
      }
      h.append("<td>").append(Double.isNaN(f.psi()) ? "" : num(f.psi()) + "<br><small>" + f.psiBand() + "</small>")
          .append("</td><td>").append(share(f.referenceMissing(), f.referenceRows())).append(" / ")
          .append(share(f.currentMissing(), f.currentRows())).append("</td><td>")
          .append(f.chart() == null ? "" : svg(f.chart())).append("</td></tr>\n");
    }
    h.append("</table></section>\n");
  }

  private static String testCells(FeatureDrift f) {
    String sense = f.test().isPValue() ? "p-value" : "distance";
    return "<td>" + esc(f.test().key()) + "<br><small>" + esc(f.test().title()) + "</small></td><td>" + num(f.score())
        + "<br><small>" + sense + "</small></td><td>" + (f.test().isPValue() ? "&lt; " : "≥ ") + num(f.threshold())
        + "</td><td>" + (f.drifted() ? "<b>yes</b>" : "no") + "</td>";
  }

  /** Grouped bars, reference then current per label; hover shows the label and both shares. */
  static String svg(Chart c) {
    int bars = c.labels().size();
    double max = 0;
    for (int i = 0; i < bars; i++) {
      max = Math.max(max, Math.max(c.reference()[i], c.current()[i]));
    }
    double plotHeight = CHART_HEIGHT - LABEL_SPACE;
    double group = (double) (CHART_WIDTH - LEFT_SPACE) / Math.max(1, bars);
    double bar = Math.max(1, group * 0.4);
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" role=\"img\" style=\"overflow:visible\">", CHART_WIDTH, CHART_HEIGHT, CHART_WIDTH,
        CHART_HEIGHT));
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\"/>",
        LEFT_SPACE, plotHeight, CHART_WIDTH, plotHeight));
    for (int i = 0; i < bars; i++) {
      double x = LEFT_SPACE + i * group + group * 0.1;
      String tip = esc(c.labels().get(i)) + ": reference " + pct(c.reference()[i]) + ", current " + pct(c.current()[i]);
      s.append("<g><title>").append(tip).append("</title>");
      rect(s, x, bar, c.reference()[i], max, plotHeight, REFERENCE_COLOUR);
      rect(s, x + bar, bar, c.current()[i], max, plotHeight, CURRENT_COLOUR);
      s.append("</g>");
      if (bars <= 12 || i == 0 || i == bars - 1) {
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"end\" "
                + "transform=\"rotate(-35 %.1f %.1f)\">%s</text>", x + bar, plotHeight + 10, x + bar, plotHeight + 10,
            esc(abbreviate(c.labels().get(i)))));
      }
    }
    return s.append("</svg>").toString();
  }

  private static void rect(StringBuilder s, double x, double width, double share, double max, double plotHeight,
      String colour) {
    double height = max == 0 ? 0 : share / max * (plotHeight - 4);
    s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
        x, plotHeight - height, width, height, colour));
  }

  private static String abbreviate(String label) {
    return label.length() <= 12 ? label : label.substring(0, 11) + "…";
  }

  private static String share(long missing, long present) {
    long all = missing + present;
    return all == 0 ? "–" : pct((double) missing / all);
  }

  private static String pct(double share) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  private static String num(double v) {
    if (Double.isInfinite(v)) {
      return "∞";
    }
    if (v != 0 && Math.abs(v) < 0.001) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }

  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }

  private static final String CSS = """
      body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 24px 24px;color:#222}
      header{margin:0 -24px 16px;padding:16px 24px;border-bottom:1px solid #ddd}
      header.drift{background:#fdecea} header.ok{background:#eaf6ec}
      h1{margin:0 0 4px;font-size:24px} h2{font-size:18px;margin:20px 0 8px}
      dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:8px 0} dt{color:#666} dd{margin:0}
      table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #e5e5e5;padding:4px 8px;text-align:left;vertical-align:middle}
      th{background:#f6f6f6;position:sticky;top:0} tr.drifted td{background:#fff4f2}
      small{color:#666} .tag{background:#c0392b;color:#fff;border-radius:3px;padding:1px 6px;margin-right:2px}
      .legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:middle}
      .note{color:#8a6d3b} table.metrics{width:auto} table.metrics td,table.metrics th{padding:1px 8px}
      footer{margin-top:16px;color:#666;font-size:12px}
      """;
}
