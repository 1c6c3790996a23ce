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

  private SampleSplit() {}

  public static synchronized String uri() {
    if (uri == null) {
      try {
        String out = Files.createTempDirectory("sample-split-").resolve("split").toUri().toString();
        new SplitRunner(TestSpark.session(), line -> {}).run(ProjectFiles.sampleCsv().toUri().toString(), out,
            SplitOptions.DEFAULTS);
        uri = out;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a directory for the sample split", e);
      }
    }
    return uri;
  }
}
