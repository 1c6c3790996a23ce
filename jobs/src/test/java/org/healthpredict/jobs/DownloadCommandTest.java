package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.jobs.GenerateCommandTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadCommandTest {

  @TempDir
  Path dir;

  @Test
  void downloadsOverHttpAndPrintsShaAndRowCount() throws Exception {
    byte[] zip = uciZip();
    HttpServer server = serve(zip);
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/uci.zip";
      Run r = GenerateCommandTest.run("download", "--url", url, "--out", dir.resolve("raw").toUri().toString());

      assertThat(r.exitCode()).as(r.err()).isEqualTo(HealthPredictCli.EXIT_OK);
      assertThat(r.out()).contains("download: downloaded")
          .contains("download: OK sha256=" + sha256(zip) + " rows=4999 data=");
      assertThat(Files.readAllBytes(dir.resolve("raw/diabetic_data.csv")))
          .isEqualTo(Files.readAllBytes(ProjectFiles.sampleCsv()));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void acceptsAFileUrlAndAMatchingSha256() throws Exception {
    byte[] zip = uciZip();
    Path local = Files.write(dir.resolve("uci.zip"), zip);

    Run r = GenerateCommandTest.run("download", "--url", local.toUri().toString(), "--sha256", sha256(zip),
        "--out", dir.resolve("raw").toUri().toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(HealthPredictCli.EXIT_OK);
    assertThat(dir.resolve("raw/IDS_mapping.csv")).exists();
  }

  @Test
  void wrongSha256ExitsWithInvalidInputShowingBothChecksums() throws Exception {
    byte[] zip = uciZip();
    Path local = Files.write(dir.resolve("uci.zip"), zip);
    String wrong = "ab".repeat(32);

    Run r = GenerateCommandTest.run("download", "--url", local.toUri().toString(), "--sha256", wrong,
        "--out", dir.resolve("raw").toUri().toString());

    assertThat(r.exitCode()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(r.err()).contains("expected " + wrong).contains("actual " + sha256(zip));
    assertThat(dir.resolve("raw")).doesNotExist();
  }

  @Test
  void zipWithoutDiabeticDataExitsWithInvalidInput() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("IDS_mapping.csv", Files.readAllBytes(ProjectFiles.idsMapping()));
    Path local = Files.write(dir.resolve("no-data.zip"), zip(entries));

    Run r = GenerateCommandTest.run("download", "--url", local.toUri().toString(),
        "--out", dir.resolve("raw").toUri().toString());

    assertThat(r.exitCode()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(r.err()).contains("no diabetic_data.csv");
  }

  @Test
  void corruptZipExitsWithInvalidInput() throws Exception {
    byte[] zip = uciZip();
    Path local = Files.write(dir.resolve("corrupt.zip"), Arrays.copyOf(zip, zip.length - 100));

    Run r = GenerateCommandTest.run("download", "--url", local.toUri().toString(),
        "--out", dir.resolve("raw").toUri().toString());

    assertThat(r.exitCode()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(r.err()).contains("corrupt.zip").contains("not a readable zip archive");
  }

  @Test
  void unreachableAddressExitsWithFailureAndSuggestsALocalFile() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    Run r = GenerateCommandTest.run("download", "--url", "http://127.0.0.1:" + closedPort + "/uci.zip",
        "--out", dir.resolve("raw").toUri().toString());

    assertThat(r.exitCode()).isEqualTo(HealthPredictCli.EXIT_FAILED);
    assertThat(r.err()).contains("127.0.0.1:" + closedPort).contains("--url file://")
        .doesNotContain("\tat ");
  }

  @Test
  void malformedSha256IsAUsageError() {
    Run r = GenerateCommandTest.run("download", "--sha256", "xyz", "--out", dir.resolve("raw").toUri().toString());

    assertThat(r.exitCode()).isEqualTo(HealthPredictCli.EXIT_USAGE);
    assertThat(r.err()).contains("--sha256");
  }

  // ---- helpers ----

  private static HttpServer serve(byte[] body) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/uci.zip", exchange -> {
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return server;
  }

  private static byte[] uciZip() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("diabetic_data.csv", Files.readAllBytes(ProjectFiles.sampleCsv()));
    entries.put("IDS_mapping.csv", Files.readAllBytes(ProjectFiles.idsMapping()));
    return zip(entries);
  }

  private static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
