package org.healthpredict.core.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;

/** Small whole-file operations on Hadoop URIs (file://, s3a://, hdfs://). */
public final class HadoopFiles {

  private HadoopFiles() {}

  public static String readString(Configuration hadoop, String uri) {
    Path path = new Path(uri);
    try (InputStream in = path.getFileSystem(hadoop).open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri, e);
    }
  }

  public static void writeString(Configuration hadoop, String uri, String content) {
    Path path = new Path(uri);
    try (FSDataOutputStream out = path.getFileSystem(hadoop).create(path, true)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri, e);
    }
  }

  public static boolean exists(Configuration hadoop, String uri) {
    Path path = new Path(uri);
    try {
      return path.getFileSystem(hadoop).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + uri, e);
    }
  }

  /** SHA-256 over the bytes of the files in the given order: the identity of an input. */
  public static String sha256(Configuration hadoop, List<String> uris) {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[1 << 16];
    for (String uri : uris) {
      Path path = new Path(uri);
      try (InputStream in = path.getFileSystem(hadoop).open(path)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          digest.update(buffer, 0, n);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + uri, e);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Copies a stream to a Hadoop URI, returning the number of bytes written. */
  public static long copy(Configuration hadoop, InputStream in, String uri) {
    Path path = new Path(uri);
    try (OutputStream out = path.getFileSystem(hadoop).create(path, true)) {
      return in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri, e);
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
