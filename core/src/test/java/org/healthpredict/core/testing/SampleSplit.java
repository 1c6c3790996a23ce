package org.healthpredict.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.healthpredict.core.split.SplitOptions;
import org.healthpredict.core.split.SplitRunner;

/**
 * The bundled sample split once per test JVM with the default options: the input of every test
 * that trains, tunes or registers. Tests read it and never write into it.
 */
public final class SampleSplit {

  private static String uri;
  private static String whole;

  private SampleSplit() {}

  public static synchronized String uri() {
    if (uri == null) {
      uri = split(SplitOptions.DEFAULTS);
    }
    return uri;
  }

  /**
   * The whole sample as initial data (about 3,400 train, 700 validation and 780 test rows): for tests
   * of model quality, where the default split's 140 test rows and 13 readmissions are too few.
   */
  public static synchronized String whole() {
    if (whole == null) {
      SplitOptions d = SplitOptions.DEFAULTS;
      whole = split(new SplitOptions(1.0, d.trainFraction(), d.validationFraction(), d.seed()));
    }
    return whole;
  }

  private static String split(SplitOptions options) {
    try {
      String out = Files.createTempDirectory("sample-split-").resolve("split").toUri().toString();
      new SplitRunner(TestSpark.session(), line -> {}).run(ProjectFiles.sampleCsv().toUri().toString(), out, options);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the sample split", e);
    }
  }
}
