package org.healthpredict.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * What a job left under a URI, as a sorted map two runs can be compared by: every file by its path
 * relative to the URI, with the SHA-256 of its bytes. Parquet files must be byte for byte the same (the
 * same rows in the same order); only the random id in their names is masked. Text files are kept after
 * {@code normalize} (e.g. masking creation times), whole when small so a difference shows in the
 * assertion message.
 */
final class OutputSnapshot {

  private static final String PART_ID = "part-(\\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  /** Larger text (the drift report's page) is kept as a digest, so a failing assertion stays readable. */
  private static final int WHOLE_TEXT = 20_000;

  private OutputSnapshot() {}

  /** Exactly what is stored: every file by its name as written and the digest of its bytes. */
  static Map<String, String> raw(Configuration hadoop, String uri) {
    return snapshot(hadoop, uri, false, UnaryOperator.identity());
  }

  /**
   * The content a rerun must reproduce: part files under their index, text files after {@code normalize}.
   * Staging leftovers beside a target ({@code <name>.incomplete-<uuid>}) are not part of it.
   */
  static Map<String, String> content(Configuration hadoop, String uri, UnaryOperator<String> normalize) {
    return snapshot(hadoop, uri, true, normalize);
  }

  private static Map<String, String> snapshot(Configuration hadoop, String uri, boolean content,
      UnaryOperator<String> normalize) {
    Map<String, String> files = new TreeMap<>();
    Path root = new Path(uri);
    try {
      FileSystem fs = root.getFileSystem(hadoop);
      if (!fs.exists(root)) {
        return files;
      }
      String prefix = root.toUri().getPath().replaceAll("/+$", "") + "/";
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        Path file = it.next().getPath();
        String name = file.toUri().getPath().substring(prefix.length());
        if (!content) {
          files.put(name, sha256(bytes(fs, file)));
        } else if (name.contains(".incomplete-")) {
          continue;
        } else if (name.endsWith(".parquet")) {
          files.put(name.replaceAll(PART_ID, "part-$1-<id>"), sha256(bytes(fs, file)));
        } else {
          String text = normalize.apply(new String(bytes(fs, file), StandardCharsets.UTF_8));
          files.put(name, text.length() <= WHOLE_TEXT ? text : sha256(text.getBytes(StandardCharsets.UTF_8)));
        }
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + uri, e);
    }
  }

  private static byte[] bytes(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return in.readAllBytes();
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return "sha256 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
