package org.healthpredict.core.tracking;

import org.healthpredict.core.sweep.SweepRunner;

/** A tracking class that reaches up into the sweep: what the layering rules must refuse (LayeringTest). */
public final class ForbiddenImport {

  private ForbiddenImport() {}

  public static String describe(SweepRunner sweep) {
    return String.valueOf(sweep);
  }
}
