package org.healthpredict.core.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Moves a staged output into place on an object store, where a directory rename is one copy per file
 * and can stop half-way. Only single objects change atomically there, so the commit marks every
 * directory of the output with a {@link CommitMarker} before it touches anything, clears what was there,
 * moves the files in, and unmarks the directories only once every file is in place. Wherever it stops,
 * each directory of the target is either complete (old or new) or marked, and readers refuse the marked
 * ones; a rerun commits over the remains.
 */
final class ObjectStoreCommit {

  /** Schemes whose rename copies object by object (S3 and Google Cloud Storage connectors). */
  private static final Set<String> RENAME_COPIES = Set.of("s3a", "s3", "s3n", "gs");
  /** Copies run server-side; a few at once hide their latency without flooding the store. */
  private static final int PARALLEL_MOVES = 8;

  private final FileSystem fs;
  private final Path staging;
  private final Path target;

  ObjectStoreCommit(FileSystem fs, Path staging, Path target) {
    this.fs = fs;
    this.staging = staging;
    this.target = target;
  }

  static boolean applies(FileSystem fs) {
    return RENAME_COPIES.contains(fs.getScheme());
  }

  void run() throws IOException {
    List<String> files = relativeFiles(staging);
    List<Path> markers = markers(files);
    for (Path marker : markers) {
      try (FSDataOutputStream out = fs.create(marker, true)) {
        out.write(CommitMarker.content(staging).getBytes(StandardCharsets.UTF_8));
      }
    }
    clearTarget(markers);
    moveIn(files);
    // Deepest first, the root last: the root's marker is what a reader of the whole output sees.
    for (int i = markers.size() - 1; i >= 0; i--) {
      fs.delete(markers.get(i), false);
    }
    fs.delete(staging, true);
  }

  /** The markers of the target and of every directory below it that will hold files, shallowest first. */
  private List<Path> markers(List<String> files) {
    TreeSet<String> dirs = new TreeSet<>(Comparator.comparingInt((String d) -> d.isEmpty() ? 0 : d.split("/").length)
        .thenComparing(Comparator.naturalOrder()));
    dirs.add("");
    for (String file : files) {
      for (int slash = file.indexOf('/'); slash >= 0; slash = file.indexOf('/', slash + 1)) {
        dirs.add(file.substring(0, slash));
      }
    }
    return dirs.stream().map(d -> new Path(d.isEmpty() ? target : new Path(target, d), CommitMarker.NAME)).toList();
  }

  /** Removes every object of the previous output, or of an interrupted commit, but the new markers. */
  private void clearTarget(List<Path> markers) throws IOException {
    Set<Path> keep = Set.copyOf(markers);
    List<Path> old = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(target, true);
    while (it.hasNext()) {
      Path p = it.next().getPath();
      if (!keep.contains(p)) {
        old.add(p);
      }
    }
    for (Path p : old) {
      fs.delete(p, false);
    }
  }

  private void moveIn(List<String> files) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL_MOVES, files.size())));
    try {
      List<Future<?>> moves = new ArrayList<>();
      for (String file : files) {
        moves.add(pool.submit(() -> {
          Path from = new Path(staging, file);
          if (!fs.rename(from, new Path(target, file))) {
            throw new IOException("rename " + from + " -> " + new Path(target, file) + " failed");
          }
          return null;
        }));
      }
      for (Future<?> move : moves) {
        move.get();
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while moving " + staging + " to " + target, e);
    } finally {
      pool.shutdownNow();
    }
  }

  private List<String> relativeFiles(Path dir) throws IOException {
    String root = fs.makeQualified(dir).toUri().getPath().replaceAll("/+$", "") + "/";
    List<String> files = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
    while (it.hasNext()) {
      String path = it.next().getPath().toUri().getPath();
      files.add(path.substring(root.length()));
    }
    return files;
  }
}
