package org.healthpredict.core.storage;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output directory written atomically: everything goes to a temporary sibling, and
 * {@link #commit()} swaps it into place. A job that crashes before commit leaves the previous output
 * untouched (plus a {@code <name>.incomplete-<uuid>} directory that says what it is); re-running replaces the output.
 *
 * <p>On HDFS and local files the final rename is atomic. On object stores (s3a://) a directory rename is
 * a copy per file that can stop half-way, so the commit there is {@link ObjectStoreCommit}: a directory
 * that is not complete carries a {@link CommitMarker} until a rerun replaces it.
 *
 * <p>A failure of the storage while staging or committing surfaces as an {@link OutputException} that
 * names what was written, where, what the storage answered and what is left at the target.
 */
public final class AtomicOutput {

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final String what;
  private boolean commitStarted;
  private boolean committed;

  private AtomicOutput(FileSystem fs, Path target, Path staging, String what) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
    this.what = what;
  }

  /** Starts a new output for the target URI; nothing is visible at the target until commit. */
  public static AtomicOutput begin(Configuration hadoop, String targetUri) {
    return begin(hadoop, targetUri, "the output");
  }

  /** As {@link #begin(Configuration, String)}; {@code what} names the output in errors, e.g. "batch 3". */
  public static AtomicOutput begin(Configuration hadoop, String targetUri, String what) {
    Path target = new Path(targetUri);
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      Path qualified = fs.makeQualified(target);
      // Not hidden on purpose: Spark skips paths starting with '.' or '_' when reading them back.
      Path staging = new Path(qualified.getParent(),
          qualified.getName() + ".incomplete-" + UUID.randomUUID());
      return new AtomicOutput(fs, qualified, staging, what);
    } catch (IOException e) {
      throw new OutputException("cannot write " + what + " to " + targetUri + ": cannot open its file system: "
          + OutputException.storageAnswer(e), e);
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
    commitStarted = true;
    try {
      if (ObjectStoreCommit.applies(fs)) {
        new ObjectStoreCommit(fs, staging, target).run();
      } else {
        renameIntoPlace();
      }
      committed = true;
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /**
   * Removes the staging directory after a failure and returns what to throw: a storage failure becomes an
   * {@link OutputException} saying what was being written and what is left; anything else (the job's own
   * checks, e.g. invalid input) is returned as it is.
   */
  public RuntimeException failed(Exception e) {
    boolean removed = abort();
    if (e instanceof OutputException written) {
      return written;
    }
    if (!OutputException.isStorageFailure(e)) {
      return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
    StringBuilder message = new StringBuilder("cannot write ").append(what).append(" to ").append(target)
        .append(": ").append(OutputException.storageAnswer(e)).append(". ");
    if (!commitStarted) {
      message.append("Nothing at ").append(target).append(" was changed");
    } else if (ObjectStoreCommit.applies(fs)) {
      message.append("The commit had begun: the directories of ").append(target).append(" it had not finished carry ")
          .append(CommitMarker.NAME).append(" files, so readers refuse them; rerun the job to replace them");
    } else {
      message.append("The commit had begun: rerun the job to put a complete output at ").append(target);
    }
    if (!removed) {
      message.append("; the staging directory ").append(staging).append(" could not be removed (nothing reads it)");
    }
    return new OutputException(message.append('.').toString(), e);
  }

  /**
   * Removes the staging directory of an output that will not be committed; false if it may remain
   * (e.g. the storage is down). Nothing reads a staging directory, so a leftover is harmless.
   */
  public boolean abort() {
    if (committed) {
      return true;
    }
    try {
      return fs.delete(staging, true) || !fs.exists(staging);
    } catch (IOException e) {
      return false;
    }
  }

  /** Local files and HDFS: two atomic renames, the previous output kept aside until the new one is in place. */
  private void renameIntoPlace() throws IOException {
    Path previous = null;
    if (fs.exists(target)) {
      previous = new Path(target.getParent(), target.getName() + ".replaced-" + UUID.randomUUID());
      rename(target, previous);
    }
    rename(staging, target);
    if (previous != null) {
      fs.delete(previous, true);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename " + from + " -> " + to + " failed");
    }
  }
}
