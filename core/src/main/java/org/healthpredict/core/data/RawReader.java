package org.healthpredict.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads raw CSV encounters from any Hadoop URI (a file, a directory of part files, or a glob) and
 * validates every line. Each file's header is checked first, so a file missing columns fails before
 * any Spark job runs.
 */
public final class RawReader {

  /** Set on rejected lines: why the line was refused. Null on accepted lines. */
  public static final String REJECTION = "rejection_reason";
  /** The original line, kept for rejected lines so nothing is lost. */
  public static final String LINE = "line";
  /** The file a rejected line came from. */
  public static final String FILE = "source_file";

  private RawReader() {}

  /** True for a parsed line that passed validation (it carries no rejection reason). */
  public static Column isAccepted() {
    return functions.col(REJECTION).isNull();
  }

  /** Validated lines of one input: accepted rows in the typed schema and rejected lines with reasons. */
  public record RawInput(Dataset<Row> parsed, RawHeader header, List<String> files) {

    /** Valid rows, in {@link RawSchema#typedSchema()}. */
    public Dataset<Row> accepted() {
      String[] typed = RawSchema.typedSchema().fieldNames();
      return parsed.filter(isAccepted())
          .select(Arrays.stream(typed).map(functions::col).toArray(Column[]::new));
    }

    /** Refused lines: file, line text and the reason. */
    public Dataset<Row> rejected() {
      return parsed.filter(functions.not(isAccepted())).select(FILE, LINE, REJECTION);
    }
  }

  public static RawInput read(SparkSession spark, String uri) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<String> files = dataFiles(hadoop, uri);
    RawHeader header = null;
    for (String file : files) {
      String line = firstLine(hadoop, file);
      RawHeader fileHeader = RawHeader.parse(file, line);
      if (header == null) {
        header = fileHeader;
      } else if (!header.line().equals(fileHeader.line())) {
        throw new IllegalArgumentException(file + ": header differs from " + files.get(0)
            + "; all files of one input must have the same columns in the same order");
      }
    }
    RawHeader finalHeader = header;
    StructType schema = parsedSchema();
    Dataset<Row> lines = spark.read().text(files.toArray(String[]::new))
        .withColumn(FILE, functions.input_file_name())
        .filter(functions.col("value").notEqual(finalHeader.line())
            .and(functions.length(functions.trim(functions.col("value"))).gt(0)));
    Dataset<Row> parsed = lines.mapPartitions(
        (MapPartitionsFunction<Row, Row>) rows -> parseAll(new RawRecordParser(finalHeader), rows),
        Encoders.row(schema));
    return new RawInput(parsed, finalHeader, files);
  }

  private static Iterator<Row> parseAll(RawRecordParser parser, Iterator<Row> rows) {
    int width = RawSchema.typedSchema().size();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row in = rows.next();
        String line = in.getString(0);
        RawRecordParser.Parsed p = parser.parse(line);
        Object[] out = new Object[width + 3];
        if (p.accepted()) {
          System.arraycopy(p.values(), 0, out, 0, width);
        } else {
          out[width] = p.rejection();
          out[width + 1] = line;
        }
        out[width + 2] = in.getString(1);
        return RowFactory.create(out);
      }
    };
  }

  private static StructType parsedSchema() {
    StructType schema = new StructType();
    for (var f : RawSchema.typedSchema().fields()) {
      // Rejected rows carry no values, so every typed column is nullable here.
      schema = schema.add(f.name(), f.dataType(), true);
    }
    return schema.add(REJECTION, DataTypes.StringType, true)
        .add(LINE, DataTypes.StringType, true)
        .add(FILE, DataTypes.StringType, true);
  }

  /** The data files behind a URI: the file itself, the visible files of a directory, or a glob's matches. */
  static List<String> dataFiles(Configuration hadoop, String uri) {
    try {
      Path path = new Path(uri);
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException(uri + ": no such file or directory");
      }
      List<String> files = new ArrayList<>();
      for (FileStatus match : matches) {
        if (match.isDirectory()) {
          for (FileStatus child : fs.listStatus(match.getPath())) {
            String name = child.getPath().getName();
            if (child.isFile() && !name.startsWith("_") && !name.startsWith(".") && child.getLen() > 0) {
              files.add(child.getPath().toString());
            }
          }
        } else {
          files.add(match.getPath().toString());
        }
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException(uri + ": no data files found");
      }
      files.sort(String::compareTo);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + uri, e);
    }
  }

  private static String firstLine(Configuration hadoop, String file) {
    Path path = new Path(file);
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(
        path.getFileSystem(hadoop).open(path), StandardCharsets.UTF_8))) {
      String line = reader.readLine();
      if (line == null) {
        throw new IllegalArgumentException(file + ": empty file, expected a CSV header line");
      }
      return line.startsWith("\uFEFF") ? line.substring(1) : line;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
