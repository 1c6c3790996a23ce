package org.healthpredict.core.storage;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitMarkerTest {

  private final Configuration hadoop = new Configuration();

  @TempDir
  Path dir;

  @Test
  void aDirectoryHoldingTheMarkerIsRefusedNamingIt() throws Exception {
    Path batch = Files.createDirectories(dir.resolve("batch-00001"));
    Files.writeString(batch.resolve("part-00000.parquet"), "rows");
    assertThatCode(() -> CommitMarker.requireComplete(hadoop, batch.toString(), "the current data"))
        .doesNotThrowAnyException();

    Files.writeString(batch.resolve(CommitMarker.NAME), "interrupted");

    assertThatThrownBy(() -> CommitMarker.requireComplete(hadoop, batch + "/", "the current data"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the current data " + batch + "/ is incomplete")
        .hasMessageContaining(CommitMarker.NAME).hasMessageContaining("rerun");
  }

  @Test
  void aFileAGlobOrAMissingPathIsLeftToTheCaller() throws Exception {
    Path file = Files.writeString(dir.resolve("data.csv"), "a,b\n");
    Files.writeString(dir.resolve(CommitMarker.NAME), "beside the file, not below it");
    assertThatCode(() -> {
      CommitMarker.requireComplete(hadoop, file.toString(), "the input");
      CommitMarker.requireComplete(hadoop, dir + "/*.csv", "the input");
      CommitMarker.requireComplete(hadoop, dir.resolve("nowhere").toString(), "the input");
    }).doesNotThrowAnyException();
  }
}
