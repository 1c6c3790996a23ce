package org.healthpredict.core.features;

/**
 * Tells whether a lab test was done at all, from A1Cresult or max_glu_serum: whether the doctor
 * ordered an HbA1c test is itself linked to readmission (Strack et al., 2014).
 */
public final class LabTests {

  /** The data set's value for "test not taken". */
  public static final String NOT_TAKEN = "None";

  private LabTests() {}

  /** 1 when the result holds a measurement (Norm, >7, >200 ...), 0 for "None" or null. */
  public static int measured(String result) {
    return result == null || NOT_TAKEN.equals(result) ? 0 : 1;
  }
}
