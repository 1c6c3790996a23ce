package org.healthpredict.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.healthpredict.core.testing.MlflowServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLflow test harness (it lives in the testing package; its tests live here with the tracking
 * tests that depend on it): it answers on loopback, and fails loudly when it cannot start.
 */
class MlflowServerTest {

  @TempDir
  Path tmp;

  @Test
  void theSharedServerIsHealthyAndReusedAcrossCalls() {
    MlflowServer server = MlflowServer.shared();

    assertThat(MlflowServer.shared()).isSameAs(server);
    assertThat(new String(server.getBytes("/health"))).isEqualTo("OK");
    assertThat(server.trackingUri()).isEqualTo("http://127.0.0.1:" + server.port());
    assertThat(server.proxiedArtifactsDir()).isPresent();
    assertThat(server.logFile()).exists();
  }

  @Test
  void aMissingMlflowExecutableFailsNamingIt() {
    Path missing = tmp.resolve(".venv/bin/mlflow");

    assertThatThrownBy(() -> MlflowServer.start(missing, Optional.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("venv");
  }

  @Test
  void aServerThatExitsAtOnceFailsWithItsLogTail() throws IOException {
    Path fake = tmp.resolve("mlflow");
    Files.writeString(fake, "#!/bin/sh\necho \"Error: no such option: --workers\" >&2\nexit 2\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));

    Throwable failure = catchThrowable(() -> MlflowServer.start(fake, Optional.empty()));

    assertThat(failure).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 2")
        .hasMessageContaining("no such option: --workers");
    // A failed start keeps its work directory so the named log stays readable; tidy it here.
    Matcher log = Pattern.compile("log (\\S+server-\\d+\\.log)").matcher(failure.getMessage());
    assertThat(log.find()).isTrue();
    Path workDir = Path.of(log.group(1)).getParent();
    assertThat(workDir.getFileName().toString()).startsWith("mlflow-server-");
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
