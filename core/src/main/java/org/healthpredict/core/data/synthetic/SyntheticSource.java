package org.healthpredict.core.data.synthetic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.CsvLine;
import org.healthpredict.core.data.RawHeader;
import org.healthpredict.core.data.RawReader;
import org.healthpredict.core.data.RawRecordParser;
import org.healthpredict.core.data.RawSchema;

/**
 * The real encounters synthetic data is resampled from, with what the generator measures on them:
 * the value range of every jittered count column and how many encounters a patient has on average.
 *
 * <p>Rows are kept as the raw strings (50 columns in {@link RawSchema#columns()} order) rather than
 * typed values, so categorical fields and the {@code ?} marker are written back exactly as read.
 */
public final class SyntheticSource implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Count columns that get numeric jitter. Everything else is categorical or an id code (admission
   * type, discharge disposition ...) where a neighbouring value means something else entirely.
   */
  public static final List<String> JITTERED = List.of(
      "time_in_hospital", "num_lab_procedures", "num_procedures", "num_medications",
      "number_outpatient", "number_emergency", "number_inpatient", "number_diagnoses");

  /** Marks a missing count in {@link #count}; such a field stays {@code ?}. */
  static final int MISSING_COUNT = Integer.MIN_VALUE;

  private final String uri;
  private final String[][] rows;
  private final int[] jitteredColumns;
  private final int[][] counts;
  private final int[] min;
  private final int[] max;
  private final long patients;
  private final long rejectedLines;
  private final Map<String, Long> readmittedCounts;

  private SyntheticSource(String uri, String[][] rows, long patients, long rejectedLines) {
    this.uri = uri;
    this.rows = rows;
    this.patients = patients;
    this.rejectedLines = rejectedLines;
    List<String> columns = RawSchema.columns();
    this.jitteredColumns = JITTERED.stream().mapToInt(columns::indexOf).toArray();
    this.counts = new int[JITTERED.size()][rows.length];
    this.min = new int[JITTERED.size()];
    this.max = new int[JITTERED.size()];
    for (int c = 0; c < jitteredColumns.length; c++) {
      int lo = Integer.MAX_VALUE;
      int hi = Integer.MIN_VALUE;
      for (int r = 0; r < rows.length; r++) {
        String raw = rows[r][jitteredColumns[c]];
        int v = raw.equals(RawSchema.MISSING) ? MISSING_COUNT : Integer.parseInt(raw);
        counts[c][r] = v;
        if (v != MISSING_COUNT) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      if (lo > hi) {
        throw new IllegalArgumentException(uri + ": column " + JITTERED.get(c)
            + " is missing in every row; cannot derive its value range");
      }
      min[c] = lo;
      max[c] = hi;
    }
    int readmitted = columns.indexOf(RawSchema.READMITTED);
    Map<String, Long> mix = new LinkedHashMap<>();
    for (String[] row : rows) {
      mix.merge(row[readmitted], 1L, Long::sum);
    }
    this.readmittedCounts = Map.copyOf(mix);
  }

  /**
   * Reads and validates the raw CSV at a Hadoop URI (file, directory of part files or glob) on the
   * driver. Lines the raw validation rejects are skipped and counted; a source with no valid line is
   * refused.
   */
  public static SyntheticSource load(SparkSession spark, String uri) {
    // RawReader checks every file's header and lists the data files without running a Spark job.
    RawReader.RawInput input = RawReader.read(spark, uri);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    return fromFiles(hadoop, uri, input.header(), input.files());
  }

  /** Builds a source from already parsed raw rows (50 fields each, raw column order). */
  static SyntheticSource of(String uri, List<String[]> rows) {
    int patient = RawSchema.columns().indexOf(RawSchema.PATIENT_NBR);
    Set<String> distinct = new HashSet<>();
    rows.forEach(r -> distinct.add(r[patient]));
    return new SyntheticSource(uri, rows.toArray(String[][]::new), distinct.size(), 0);
  }

  private static SyntheticSource fromFiles(Configuration hadoop, String uri, RawHeader header, List<String> files) {
    RawRecordParser parser = new RawRecordParser(header);
    int width = RawSchema.columns().size();
    int patient = RawSchema.columns().indexOf(RawSchema.PATIENT_NBR);
    // Interning per column keeps one String per distinct category: a 100k-row source then broadcasts
    // a few MB instead of one object per field.
    List<Map<String, String>> pools = new ArrayList<>(width);
    for (int i = 0; i < width; i++) {
      pools.add(new HashMap<>());
    }
    List<String[]> rows = new ArrayList<>();
    Set<String> patients = new HashSet<>();
    long rejected = 0;
    for (String file : files) {
      Path path = new Path(file);
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(
          path.getFileSystem(hadoop).open(path), StandardCharsets.UTF_8), 1 << 16)) {
        reader.readLine(); // every file starts with its header, already checked by RawReader
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.isBlank() || line.equals(header.line())) {
            continue;
          }
          if (!parser.parse(line).accepted()) {
            rejected++;
            continue;
          }
          List<String> fields = CsvLine.split(line);
          String[] row = new String[width];
          for (int i = 0; i < width; i++) {
            String v = fields.get(header.position(i)).trim();
            row[i] = pools.get(i).computeIfAbsent(v.isEmpty() ? RawSchema.MISSING : v, k -> k);
          }
          patients.add(row[patient]);
          rows.add(row);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(uri + ": no valid encounters to resample ("
          + rejected + " line(s) failed raw validation)");
    }
    return new SyntheticSource(uri, rows.toArray(String[][]::new), patients.size(), rejected);
  }

  public String uri() {
    return uri;
  }

  public int size() {
    return rows.length;
  }

  /** Distinct {@code patient_nbr} among the valid rows. */
  public long patients() {
    return patients;
  }

  /** Source lines skipped because they failed raw validation. */
  public long rejectedLines() {
    return rejectedLines;
  }

  /** The repeat-patient rate the generator reproduces: valid rows per distinct patient. */
  public double encountersPerPatient() {
    return (double) rows.length / patients;
  }

  /** Rows per {@code readmitted} value. */
  public Map<String, Long> readmittedCounts() {
    return readmittedCounts;
  }

  /** Smallest value of a {@link #JITTERED} column in the source. */
  public int min(String column) {
    return min[jitteredIndex(column)];
  }

  /** Largest value of a {@link #JITTERED} column in the source. */
  public int max(String column) {
    return max[jitteredIndex(column)];
  }

  /** The valid rows (50 raw fields each, '?' for missing), for fitting a generator. */
  public List<String[]> rows() {
    return List.of(rows);
  }

  String[] row(int index) {
    return rows[index];
  }

  int jitteredColumn(int c) {
    return jitteredColumns[c];
  }

  int count(int c, int row) {
    return counts[c][row];
  }

  int min(int c) {
    return min[c];
  }

  int max(int c) {
    return max[c];
  }

  private static int jitteredIndex(String column) {
    int c = JITTERED.indexOf(column);
    if (c < 0) {
      throw new IllegalArgumentException(column + " is not jittered; jittered columns are " + JITTERED);
    }
    return c;
  }

  @Override
  public String toString() {
    return uri + " (" + rows.length + " rows, " + patients + " patients, " + Arrays.toString(min) + ".."
        + Arrays.toString(max) + ")";
  }
}
