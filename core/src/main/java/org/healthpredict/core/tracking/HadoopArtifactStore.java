package org.healthpredict.core.tracking;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes and reads artifacts straight at the run's artifact root through Hadoop's FileSystem, for
 * servers that do not proxy artifacts and hand out {@code file:}, {@code s3:}/{@code s3a:} or
 * {@code hdfs:} roots that the client must write itself.
 */
final class HadoopArtifactStore implements ArtifactStore {

  private final String artifactUri;
  private final Path root;
  private final Configuration hadoop;

  /** A null configuration means Hadoop's defaults (core-site.xml on the classpath). */
  HadoopArtifactStore(String artifactUri, Configuration hadoop) {
    this.artifactUri = artifactUri;
    this.root = new Path(hadoopUri(artifactUri));
    this.hadoop = hadoop != null ? hadoop : new Configuration();
  }

  /**
   * The Hadoop URI of an MLflow artifact root: MLflow writes S3 as {@code s3://}, which Hadoop
   * reads only through the S3A connector ({@code s3a://}); a bare path is a local file.
   */
  static String hadoopUri(String artifactUri) {
    String scheme = URI.create(artifactUri).getScheme();
    if (scheme == null) {
      return "file://" + (artifactUri.startsWith("/") ? "" : "/") + artifactUri;
    }
    if (scheme.toLowerCase(Locale.ROOT).equals("s3")) {
      return "s3a" + artifactUri.substring(scheme.length());
    }
    return artifactUri;
  }

  @Override
  public void upload(List<Upload> uploads) {
    try (FileSystem fs = open()) {
      for (Upload upload : uploads) {
        try (OutputStream out = fs.create(new Path(root, upload.artifactFile()), true)) {
          Files.copy(upload.localFile(), out);
        } catch (IOException e) {
          throw failure(upload.artifactFile(), e);
        }
      }
    } catch (IOException e) {
      throw failure("(closing the file system)", e);
    }
  }

  @Override
  public void write(byte[] content, String artifactFile) {
    try (FileSystem fs = open();
        OutputStream out = fs.create(new Path(root, artifactFile), true)) {
      out.write(content);
    } catch (IOException e) {
      throw failure(artifactFile, e);
    }
  }

  @Override
  public Optional<byte[]> read(String artifactFile) {
    Path path = new Path(root, artifactFile);
    try (FileSystem fs = open()) {
      FileStatus status;
      try {
        status = fs.getFileStatus(path);
      } catch (FileNotFoundException e) {
        return Optional.empty();
      }
      if (status.isDirectory()) {
        throw new TrackingException("cannot read artifact " + artifactFile + " under " + root
            + " (artifact root " + artifactUri + "): it is a directory, not a file");
      }
      try (InputStream in = fs.open(path)) {
        return Optional.of(in.readAllBytes());
      }
    } catch (IOException e) {
      throw new TrackingException("cannot read artifact " + artifactFile + " under " + root
          + " (artifact root " + artifactUri + "): " + e.getMessage(), e);
    }
  }

  /**
   * A private FileSystem instance: turning off checksum files (which would show up as {@code .crc}
   * artifacts in MLflow) must not change the cached instance the rest of the JVM, Spark included,
   * shares.
   */
  private FileSystem open() {
    try {
      FileSystem fs = FileSystem.newInstance(root.toUri(), hadoop);
      fs.setWriteChecksum(false);
      return fs;
    } catch (IOException e) {
      throw new TrackingException("cannot open the file system of artifact root " + artifactUri
          + " (as " + root + ")", e);
    }
  }

  private TrackingException failure(String artifactFile, IOException e) {
    return new TrackingException("cannot write artifact " + artifactFile + " under " + root
        + " (artifact root " + artifactUri + "): " + e.getMessage(), e);
  }
}
