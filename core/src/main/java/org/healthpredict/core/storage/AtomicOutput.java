package org.healthpredict.core.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output directory written atomically: everything goes to a temporary sibling, and
 * {@link #commit()} swaps it into place. A job that crashes before commit leaves the previous output
 * untouched (plus a {@code <name>.incomplete-<uuid>} directory that says what it is); re-running replaces the output.
 *
 * <p>On HDFS and local files the final rename is atomic. On S3 a directory rename is a copy, so the
 * swap is not instantaneous there, but readers still never see a partially written new output.
 */
public final class AtomicOutput {

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private boolean committed;

  private AtomicOutput(FileSystem fs, Path target, Path staging) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
  }

  /** Starts a new output for the target URI; nothing is visible at the target until commit. */
  public static AtomicOutput begin(Configuration hadoop, String targetUri) {
    Path target = new Path(targetUri);
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      Path qualified = fs.makeQualified(target);
      // Not hidden on purpose: Spark skips paths starting with '.' or '_' when reading them back.
      Path staging = new Path(qualified.getParent(),
          qualified.getName() + ".incomplete-" + UUID.randomUUID());
      return new AtomicOutput(fs, qualified, staging);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + targetUri, e);
    }
  }

  /** The staging location of a child of the output (e.g. "initial/train"). */
  public String stagingChild(String child) {
    return new Path(staging, child).toString();
  }

  public String stagingUri() {
    return staging.toString();
  }

  public String targetUri() {
    return target.toString();
  }

  public FileSystem fileSystem() {
    return fs;
  }

  /** Moves the staged output into place, replacing what was there. */
  public void commit() {
    try {
      Path previous = null;
      if (fs.exists(target)) {
        previous = new Path(target.getParent(), target.getName() + ".replaced-" + UUID.randomUUID());
        rename(target, previous);
      }
      rename(staging, target);
      committed = true;
      if (previous != null) {
        fs.delete(previous, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit " + staging + " to " + target, e);
    }
  }

  /** Removes the staging directory of an output that will not be committed. */
  public void abort() {
    if (committed) {
      return;
    }
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      // The staging directory is hidden and clearly named; a leftover is harmless.
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename " + from + " -> " + to + " failed");
    }
  }
}
