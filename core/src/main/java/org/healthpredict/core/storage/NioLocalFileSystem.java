package org.healthpredict.core.storage;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's {@code file://} file system, but setting permissions through java.nio. Without Hadoop's
 * native library, which no Maven artifact provides, {@link RawLocalFileSystem} starts a {@code chmod}
 * process for every directory it makes and every file it creates: dozens in one {@code split}
 * whatever its input size, and one per directory and file of every saved PipelineModel. Everything
 * else, checksums included, is Hadoop's own.
 * {@link org.healthpredict.core.spark.SparkSessions} registers it for {@code file://} as
 * {@link #IMPLEMENTATION_KEY}.
 */
public class NioLocalFileSystem extends LocalFileSystem {

  /** The Hadoop setting naming the class that serves {@code file://} URIs. */
  public static final String IMPLEMENTATION_KEY = "fs.file.impl";

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) file system under {@link LocalFileSystem}'s checksums. */
  static final class Raw extends RawLocalFileSystem {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      // java.nio has no sticky bit; such rare permissions still go through chmod. Without it, a
      // permission's string is the nine "rwxr-x---" characters java.nio reads.
      if (!POSIX || permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFilePermissions.fromString(permission.toString()));
    }
  }
}
