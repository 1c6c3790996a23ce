package org.healthpredict.core.data.synthetic;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;

/**
 * L2-penalised logistic regression by Newton's method (iteratively reweighted least squares), on a
 * sparse design: each row lists its non-zero term values only. Column 0 of the coefficients is the
 * intercept, never penalised. Small and exact; the teacher is fitted on a few thousand rows.
 */
final class RidgeLogistic {

  private static final int MAX_ITERATIONS = 50;
  private static final double TOLERANCE = 1e-8;

  /** One row: the indices (1-based; 0 is the intercept) and values of its non-zero terms. */
  record SparseRow(int[] index, double[] value) {
    double dot(double[] beta) {
      double z = beta[0];
      for (int k = 0; k < index.length; k++) {
        z += beta[index[k]] * value[k];
      }
      return z;
    }
  }

  private RidgeLogistic() {}

  /** Coefficients (intercept first) for {@code terms} terms, starting from {@code start} (or zeros). */
  static double[] fit(SparseRow[] rows, double[] y, int terms, double lambda, double[] start) {
    int d = terms + 1;
    double[] beta = start != null ? start.clone() : new double[d];
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double[][] hessian = new double[d][d];
      double[] gradient = new double[d];
      for (int i = 0; i < rows.length; i++) {
        SparseRow row = rows[i];
        double p = Teacher.sigmoid(row.dot(beta));
        double w = Math.max(p * (1 - p), 1e-10);
        double r = y[i] - p;
        gradient[0] += r;
        hessian[0][0] += w;
        for (int a = 0; a < row.index.length; a++) {
          int ia = row.index[a];
          double va = row.value[a];
          gradient[ia] += r * va;
          hessian[0][ia] += w * va;
          for (int b = 0; b <= a; b++) {
            hessian[ia][row.index[b]] += w * va * row.value[b];
          }
        }
      }
      for (int j = 1; j < d; j++) {
        gradient[j] -= lambda * beta[j];
        hessian[j][j] += lambda;
      }
      symmetrise(hessian);
      double[] step = new CholeskyDecomposition(new Array2DRowRealMatrix(hessian, false), 1e-12, 1e-14)
          .getSolver().solve(new ArrayRealVector(gradient, false)).toArray();
      double largest = 0;
      for (int j = 0; j < d; j++) {
        beta[j] += step[j];
        largest = Math.max(largest, Math.abs(step[j]));
      }
      if (largest < TOLERANCE) {
        break;
      }
    }
    return beta;
  }

  /** Rows fill the lower triangle (term indices ascend within a row) and row 0; mirror them. */
  private static void symmetrise(double[][] h) {
    for (int i = 0; i < h.length; i++) {
      for (int j = 0; j < i; j++) {
        double v = h[i][j] + h[j][i];
        h[i][j] = v;
        h[j][i] = v;
      }
    }
  }
}
