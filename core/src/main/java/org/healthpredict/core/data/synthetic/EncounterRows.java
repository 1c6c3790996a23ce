package org.healthpredict.core.data.synthetic;

import java.io.Serializable;
import org.healthpredict.core.data.RawSchema;

/** Synthetic encounters by index: row {@code i} depends only on the generator, its seed and {@code i}. */
public interface EncounterRows extends Serializable {

  long rows();

  /** The 50 raw fields of row {@code i}, in {@link RawSchema#columns()} order. */
  String[] row(long i);
}
