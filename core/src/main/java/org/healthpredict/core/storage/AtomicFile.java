package org.healthpredict.core.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * A small file replaced atomically: the new content is written beside it and renamed over it, so a
 * reader (or a process killed half-way) sees either the old file or the new one, never a torn one.
 * On local files and HDFS the replacing rename is atomic; on S3 a rename is a copy, as for {@link AtomicOutput}.
 */
public final class AtomicFile {

  private AtomicFile() {}

  public static void replace(Configuration hadoop, String uri, String content) {
    Path target = new Path(uri);
    Path staging = new Path(target.getParent(), "." + target.getName() + ".incomplete-" + UUID.randomUUID());
    HadoopFiles.writeString(hadoop, staging.toString(), content);
    try {
      FileContext files = FileContext.getFileContext(target.toUri(), hadoop);
      files.rename(staging, target, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace " + uri + " with " + staging, e);
    }
  }
}
