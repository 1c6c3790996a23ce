package org.healthpredict.core.data.synthetic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The known probability of readmission within 30 days that labels generated encounters:
 * {@code p(x) = sigmoid(intercept + sum of coefficient * term(x))}, where a term is a product of
 * one or two {@link TeacherFactor}s. Because {@code p} is known for every encounter, the best
 * score any model can reach on generated rows (the oracle's) is known too.
 */
public record Teacher(List<Term> terms, double intercept) implements Serializable {

  /** A product of factors with its coefficient. */
  public record Term(List<TeacherFactor> factors, double coefficient) implements Serializable {

    @JsonCreator
    public Term(@JsonProperty("factors") List<TeacherFactor> factors, @JsonProperty("coefficient") double coefficient) {
      if (factors.isEmpty()) {
        throw new IllegalArgumentException("a teacher term needs at least one factor");
      }
      this.factors = List.copyOf(factors);
      this.coefficient = coefficient;
    }

    double of(String[] features) {
      double v = 1;
      for (TeacherFactor f : factors) {
        v *= f.of(features);
        if (v == 0) {
          return 0;
        }
      }
      return v;
    }

    boolean reads(String column) {
      return factors.stream().anyMatch(f -> f.column().equals(column));
    }

    @Override
    public String toString() {
      return factors.stream().map(TeacherFactor::toString).collect(Collectors.joining(" * "));
    }
  }

  @JsonCreator
  public Teacher(@JsonProperty("terms") List<Term> terms, @JsonProperty("intercept") double intercept) {
    this.terms = List.copyOf(terms);
    this.intercept = intercept;
  }

  /** The log-odds of one encounter (feature fields in {@link FeatureColumns} order). */
  public double logit(String[] features) {
    double z = intercept;
    for (Term t : terms) {
      if (t.coefficient() != 0) {
        z += t.coefficient() * t.of(features);
      }
    }
    return z;
  }

  public double probability(String[] features) {
    return sigmoid(logit(features));
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** The same terms with every coefficient multiplied by {@code factor}: a sharper or flatter teacher. */
  public Teacher withSignal(double factor) {
    return new Teacher(terms.stream().map(t -> new Term(t.factors(), factor * t.coefficient())).toList(), intercept);
  }

  public Teacher withIntercept(double value) {
    return new Teacher(terms, value);
  }

  /**
   * A changed teacher: the coefficient of every term that reads one of the columns is multiplied by
   * that column's factor (a term reading two listed columns gets both).
   */
  public Teacher withColumnsScaled(Map<String, Double> factors) {
    factors.keySet().forEach(FeatureColumns::index);
    List<Term> changed = new ArrayList<>(terms.size());
    for (Term t : terms) {
      double c = t.coefficient();
      for (Map.Entry<String, Double> e : factors.entrySet()) {
        if (t.reads(e.getKey())) {
          c *= e.getValue();
        }
      }
      changed.add(new Term(t.factors(), c));
    }
    return new Teacher(changed, intercept);
  }
}
