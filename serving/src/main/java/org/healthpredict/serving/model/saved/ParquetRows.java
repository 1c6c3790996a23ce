package org.healthpredict.serving.model.saved;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SparseMatrix;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;

/**
 * The rows of a Parquet directory Spark wrote (its {@code part-*.parquet} files, in name order), read
 * with parquet-hadoop's record API instead of a DataFrame, plus decoders for the column shapes Spark
 * ML stores: lists (Parquet's three-level LIST groups) and its vector and matrix types.
 */
final class ParquetRows {

  /** Spark's VectorUDT and MatrixUDT mark dense values with type 1 and sparse ones with 0. */
  private static final int DENSE = 1;

  private ParquetRows() {}

  static List<Group> read(Configuration hadoop, String dirUri) {
    Path dir = new Path(dirUri);
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      FileStatus[] files = fs.listStatus(dir, p -> p.getName().endsWith(".parquet"));
      Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
      List<Group> rows = new ArrayList<>();
      for (FileStatus file : files) {
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file.getPath())
            .withConf(hadoop).build()) {
          for (Group row = reader.read(); row != null; row = reader.read()) {
            rows.add(row);
          }
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Parquet files of " + dirUri, e);
    }
  }

  /** The one row a model's data directory holds (most feature models save exactly one). */
  static Group single(Configuration hadoop, String dirUri) {
    List<Group> rows = read(hadoop, dirUri);
    if (rows.size() != 1) {
      throw new IllegalArgumentException(dirUri + " holds " + rows.size() + " rows; expected the model's one data row");
    }
    return rows.get(0);
  }

  /** The elements of a LIST column, as the groups holding them (field 0 of each is the element). */
  private static List<Group> elements(Group row, String field) {
    Group list = row.getGroup(field, 0);
    int n = list.getFieldRepetitionCount(0);
    List<Group> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(list.getGroup(0, i));
    }
    return out;
  }

  static double[] doubles(Group row, String field) {
    return elements(row, field).stream().mapToDouble(e -> e.getDouble(0, 0)).toArray();
  }

  static int[] ints(Group row, String field) {
    return elements(row, field).stream().mapToInt(e -> e.getInteger(0, 0)).toArray();
  }

  static String[] strings(Group row, String field) {
    return elements(row, field).stream().map(e -> e.getString(0, 0)).toArray(String[]::new);
  }

  static String[][] stringLists(Group row, String field) {
    return elements(row, field).stream().map(e -> strings(e, e.getType().getFieldName(0))).toArray(String[][]::new);
  }

  /** A column of Spark ML's vector type: struct {type, size, indices, values}. */
  static Vector vector(Group row, String field) {
    Group v = row.getGroup(field, 0);
    double[] values = doubles(v, "values");
    if (v.getInteger("type", 0) == DENSE) {
      return new DenseVector(values);
    }
    return new SparseVector(v.getInteger("size", 0), ints(v, "indices"), values);
  }

  /** A column of Spark ML's matrix type: struct {type, numRows, numCols, colPtrs, rowIndices, values, isTransposed}. */
  static Matrix matrix(Group row, String field) {
    Group m = row.getGroup(field, 0);
    int rows = m.getInteger("numRows", 0);
    int cols = m.getInteger("numCols", 0);
    double[] values = doubles(m, "values");
    boolean transposed = m.getBoolean("isTransposed", 0);
    if (m.getInteger("type", 0) == DENSE) {
      return new DenseMatrix(rows, cols, values, transposed);
    }
    return new SparseMatrix(rows, cols, ints(m, "colPtrs"), ints(m, "rowIndices"), values, transposed);
  }
}
