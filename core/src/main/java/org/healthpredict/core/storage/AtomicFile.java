package org.healthpredict.core.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * A small file replaced atomically, so a reader (or a process killed half-way) sees either the old file
 * or the new one, never a torn one. On local files and HDFS the new content is written beside the file
 * and renamed over it. On object stores a rename with overwrite deletes the old object before copying
 * the new one (a stop in between loses the file), while one upload replaces an object atomically (it
 * appears when complete, or not at all), so there the file is written in place.
 */
public final class AtomicFile {

  private AtomicFile() {}

  /** Replaces the file at {@code uri}; {@code what} names it in errors, e.g. "the cursor". */
  public static void replace(Configuration hadoop, String uri, String content, String what) {
    Path target = new Path(uri);
    boolean inPlace = false;
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      inPlace = ObjectStoreCommit.applies(fs);
      Path written = inPlace ? target
          : new Path(target.getParent(), "." + target.getName() + ".incomplete-" + UUID.randomUUID());
      try (FSDataOutputStream out = fs.create(written, true)) {
        out.write(content.getBytes(StandardCharsets.UTF_8));
      }
      if (!inPlace) {
        FileContext.getFileContext(target.toUri(), hadoop).rename(written, target, Options.Rename.OVERWRITE);
      }
    } catch (IOException e) {
      throw new OutputException("cannot write " + what + " to " + uri + ": " + OutputException.storageAnswer(e)
          + (inPlace ? ". The previous " + uri + " is unchanged (an upload replaces an object only when complete)." : ""),
          e);
    }
  }
}
