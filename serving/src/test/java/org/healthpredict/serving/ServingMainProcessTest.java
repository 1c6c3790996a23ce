package org.healthpredict.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.testing.LoopbackPorts;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.serving.http.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as operators run it: its own JVM, configured by environment variables, serving a
 * model directory; SIGTERM turns it unready, drains and stops it.
 */
class ServingMainProcessTest {

  @Test
  void startsFromEnvironmentServesAndStopsOnSigterm(@TempDir Path tmp) throws Exception {
    Path model = ServingModels.writeDirectory(tmp, ServingModels.lr(), ModelFamily.LR);
    int port = LoopbackPorts.free();
    Path log = tmp.resolve("server.log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(javaFlags());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServingMain.class.getName(),
        "--host", "127.0.0.1"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("MODEL_URI", model.toUri().toString());
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("API_KEYS", "process-test-key");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process server = pb.start();
    try {
      Http http = new Http(port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!ready(http) && System.nanoTime() < deadline && server.isAlive()) {
        Thread.sleep(100);
      }
      assertThat(ready(http)).as(Files.readString(log)).isTrue();
      Http.Response predicted = http.post("/predict", ServingModels.record(0).toString(),
          java.util.Map.of("X-API-Key", "process-test-key"));
      assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
      assertThat(http.post("/predict", ServingModels.record(0).toString()).status()).isEqualTo(401);
      assertThat(http.get("/model").json().get("version").asText()).isEqualTo(model.toUri().toString());

      server.destroy();
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log, StandardCharsets.UTF_8);
      // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran.
      assertThat(server.exitValue()).isEqualTo(143);
      assertThat(output).contains("ready in").contains("shutting down").contains("drained");
      assertThat(output).doesNotContain("process-test-key").doesNotContain("Pediatrics-Endocrinology");
    } finally {
      server.destroyForcibly();
    }
  }

  static boolean ready(Http http) {
    try {
      return http.get("/health/ready").status() == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The JVM flags Spark needs, from the launchers' shared list. */
  static List<String> javaFlags() throws Exception {
    List<String> flags = new ArrayList<>();
    for (String line : Files.readAllLines(ProjectFiles.root().resolve("bin/lib/java-flags.sh"))) {
      String t = line.strip();
      if (t.startsWith("-")) {
        flags.add(t);
      }
    }
    flags.add("-Dlog4j2.configurationFile=" + ProjectFiles.root().resolve("conf/log4j2.properties"));
    return flags;
  }
}
