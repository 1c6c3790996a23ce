package org.healthpredict.core.tuning;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The budget ASHA hands a family's trials, rung by rung: iterations, trees, or a fraction of the
 * training rows, from {@code min} (r) to {@code max} (R).
 *
 * @param param the classifier parameter that carries the resource (maxIter, numTrees); null for rows
 */
public record ResourceSpec(Kind kind, String param, double min, double max) {

  public ResourceSpec {
    Objects.requireNonNull(kind, "kind");
    // The search-space reader reports these with key paths; this guards specs built in code.
    if (kind.integral() && (param == null || min != Math.rint(min) || max != Math.rint(max) || min < 1)) {
      throw new IllegalArgumentException(kind + " needs a param and whole min >= 1, found " + param + " " + min + ".." + max);
    }
    if (!kind.integral() && (param != null || !(min > 0) || max > 1)) {
      throw new IllegalArgumentException("rows needs no param and 0 < min <= max <= 1, found " + min + ".." + max);
    }
    if (!(min <= max)) {
      throw new IllegalArgumentException("resource min must be <= max, found " + min + ".." + max);
    }
  }

  /** What the resource counts. */
  public enum Kind {
    /** Optimiser or boosting iterations, e.g. maxIter. */
    ITERATIONS("maxIter"),
    /** Trees of a forest, e.g. numTrees. */
    TREES("numTrees"),
    /** Fraction of the training rows, in (0, 1]. */
    ROWS(null);

    private final String defaultParam;

    Kind(String defaultParam) {
      this.defaultParam = defaultParam;
    }

    /** The classifier parameter used when the file names none; null for rows. */
    public String defaultParam() {
      return defaultParam;
    }

    /** Counts are whole numbers; row fractions are not. */
    public boolean integral() {
      return this != ROWS;
    }
  }

  /**
   * The rung milestones r, rη, rη², ... that do not exceed R, then R itself if the ladder missed it.
   * R is appended rather than dropped so every surviving trial ends trained with the full budget, the
   * one the final model gets; the last step is then smaller than η. This matches Ray Tune, where a
   * trial that passes the highest rung below max_t runs on to max_t. Counts are rounded to whole
   * numbers (duplicates dropped); fractions to 12 significant digits so 0.1·3 reads 0.3.
   */
  public List<Double> milestones(double eta) {
    if (!(eta > 1)) {
      throw new IllegalArgumentException("reduction factor must be > 1, found " + eta);
    }
    List<Double> out = new ArrayList<>();
    for (int k = 0; ; k++) {
      double m = min * Math.pow(eta, k);
      m = kind.integral() ? Math.round(m) : new BigDecimal(m).round(new MathContext(12)).doubleValue();
      if (m > max * (1 + 1e-9)) {
        break;
      }
      if (out.isEmpty() || m > out.get(out.size() - 1)) {
        out.add(Math.min(m, max));
      }
    }
    if (out.get(out.size() - 1) < max) {
      out.add(max);
    }
    return List.copyOf(out);
  }
}
