package org.healthpredict.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;
import org.healthpredict.core.spark.SparkSessions;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NioLocalFileSystemTest {

  @TempDir
  java.nio.file.Path dir;

  @Test
  void servesFileUrisInSessionsAndInTheirHadoopSettings() throws IOException {
    Configuration hadoop = SparkSessions.hadoopConfiguration();
    // newInstance, not get: the JVM-wide cache may hold a file system another test made first.
    try (FileSystem fs = FileSystem.newInstance(URI.create("file:///"), hadoop)) {
      assertThat(fs).isInstanceOf(NioLocalFileSystem.class).isInstanceOf(LocalFileSystem.class);
    }
    assertThat(TestSpark.session().sparkContext().hadoopConfiguration().get(NioLocalFileSystem.IMPLEMENTATION_KEY))
        .isEqualTo(NioLocalFileSystem.class.getName());
  }

  @Test
  void makesDirectoriesAndFilesWithHadoopsPermissionsWithoutStartingAProcess() throws IOException {
    Configuration hadoop = SparkSessions.hadoopConfiguration();
    try (FileSystem fs = FileSystem.newInstance(URI.create("file:///"), hadoop)) {
      Path nested = new Path(dir.toUri().toString(), "a/b");
      Path file = new Path(nested, "part-00000.json");
      List<String> commands = processesStartedBy(() -> {
        assertThat(fs.mkdirs(nested)).isTrue();
        try (FSDataOutputStream out = fs.create(file, true)) {
          out.write('x');
        }
        fs.create(new Path(nested, "_SUCCESS"), true).close();
        fs.setPermission(file, new FsPermission((short) 0640));
      });

      assertThat(commands).isEmpty();
      // Hadoop's defaults, 777 for directories and 666 for files, less its default umask 022.
      assertThat(posix(dir.resolve("a"))).isEqualTo("rwxr-xr-x");
      assertThat(posix(dir.resolve("a/b"))).isEqualTo("rwxr-xr-x");
      assertThat(posix(dir.resolve("a/b/_SUCCESS"))).isEqualTo("rw-r--r--");
      assertThat(posix(dir.resolve("a/b/._SUCCESS.crc"))).isEqualTo("rw-r--r--");
      // Set afterwards, on the file and (LocalFileSystem's doing) its checksum file.
      assertThat(posix(dir.resolve("a/b/part-00000.json"))).isEqualTo("rw-r-----");
      assertThat(posix(dir.resolve("a/b/.part-00000.json.crc"))).isEqualTo("rw-r-----");
      assertThat(fs.getFileStatus(file).getPermission()).isEqualTo(new FsPermission((short) 0640));
    }
  }

  /**
   * The control, showing the recording sees what it should: Hadoop's own file system does the same
   * work with chmod processes, unless its native library is installed (none is, here).
   */
  @Test
  void hadoopsOwnLocalFileSystemStartsChmodForTheSameWork() throws IOException {
    Configuration hadoop = new Configuration();
    try (FileSystem fs = FileSystem.newInstance(URI.create("file:///"), hadoop)) {
      assertThat(fs).isNotInstanceOf(NioLocalFileSystem.class);
      Path nested = new Path(dir.toUri().toString(), "a/b");
      List<String> commands = processesStartedBy(() -> {
        fs.mkdirs(nested);
        fs.create(new Path(nested, "part-00000.json"), true).close();
      });
      if (NativeIO.isAvailable()) {
        assertThat(commands).isEmpty();
      } else {
        // a, a/b, the file and its checksum file
        assertThat(commands).hasSize(4).allMatch(c -> c.startsWith("chmod "));
      }
    }
  }

  private interface IoWork {
    void run() throws IOException;
  }

  /** The command lines of the processes this JVM started while {@code work} ran, from a JFR recording. */
  private List<String> processesStartedBy(IoWork work) throws IOException {
    java.nio.file.Path events = dir.resolve("process-starts.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ProcessStart");
      recording.start();
      work.run();
      recording.stop();
      recording.dump(events);
    }
    List<String> commands = RecordingFile.readAllEvents(events).stream()
        .filter(e -> e.getEventType().getName().equals("jdk.ProcessStart"))
        .map(e -> e.getString("command"))
        .toList();
    Files.delete(events);
    return commands;
  }

  private static String posix(java.nio.file.Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
