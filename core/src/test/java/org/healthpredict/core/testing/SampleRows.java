package org.healthpredict.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.healthpredict.core.data.CsvLine;

/** The bundled real sample as raw rows (50 fields each, raw column order), read without Spark. */
public final class SampleRows {

  private static List<String[]> rows;

  private SampleRows() {}

  public static synchronized List<String[]> raw() {
    if (rows == null) {
      try {
        List<String> lines = Files.readAllLines(ProjectFiles.sampleCsv());
        rows = lines.subList(1, lines.size()).stream().map(l -> CsvLine.split(l).toArray(String[]::new)).toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return rows;
  }
}
