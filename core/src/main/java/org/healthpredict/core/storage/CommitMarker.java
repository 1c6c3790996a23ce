package org.healthpredict.core.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@value #NAME} file that {@link ObjectStoreCommit} puts into every directory of an output before
 * it changes anything there, and removes once the whole output is in place. A directory holding it is
 * the remains of an interrupted commit (its files may be old, new or missing), so readers refuse it.
 * The leading underscore hides it from Spark, which would otherwise read it as data; readers outside
 * this project must check for it themselves.
 */
public final class CommitMarker {

  public static final String NAME = "_INCOMPLETE";

  private CommitMarker() {}

  /**
   * Refuses a directory left by an interrupted commit; {@code what} names it, e.g. "the current data".
   * A file, a glob or a missing path passes (the caller reports those).
   */
  public static void requireComplete(Configuration hadoop, String uri, String what) {
    if (uri.contains("*")) {
      return;
    }
    Path dir = new Path(uri.replaceAll("/+$", ""));
    Path marker = new Path(dir, NAME);
    boolean incomplete;
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      // Only a directory can hold one; asking an object store for a key below a file's key can fail.
      incomplete = fs.getFileStatus(dir).isDirectory() && fs.exists(marker);
    } catch (FileNotFoundException e) {
      return;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + uri + " for " + NAME, e);
    }
    if (incomplete) {
      throw new IllegalArgumentException(what + " " + uri + " is incomplete: the job writing it stopped while "
          + "committing it (" + marker + " is left); rerun that job to replace it");
    }
  }

  static String content(Path staging) {
    return "This directory is being replaced by " + staging + ", or its replacement was interrupted: its files may\n"
        + "be old, new or missing. Rerun the job that writes it; it removes this file when it is done.\n";
  }
}
