package org.healthpredict.core.data.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.healthpredict.core.testing.ProjectFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch, verify and unpack path, on zips built from the sample and served from loopback. */
class UciDownloaderTest {

  private static final Map<String, byte[]> served = new ConcurrentHashMap<>();
  private static HttpServer server;

  @TempDir
  Path dir;

  private final List<String> progress = new ArrayList<>();

  @BeforeAll
  static void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = served.get(exchange.getRequestURI().getPath());
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      exchange.close();
    });
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
  }

  private static String serve(String path, byte[] body) {
    served.put(path, body);
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path;
  }

  private UciDownloader downloader() {
    return new UciDownloader(new Configuration(), progress::add);
  }

  @Test
  void downloadsOverHttpUnpacksBothFilesAndReportsShaAndRows() throws Exception {
    byte[] zip = uciZip("");
    String url = serve("/static/public/296/data.zip", zip);
    Path out = dir.resolve("raw");

    UciDownloader.Result r = downloader().download(url, out.toUri().toString(), null);

    assertThat(r.sha256()).isEqualTo(sha256(zip));
    assertThat(r.rows()).isEqualTo(4999);
    assertThat(r.zipBytes()).isEqualTo(zip.length);
    assertThat(Files.readAllBytes(out.resolve("diabetic_data.csv"))).isEqualTo(Files.readAllBytes(ProjectFiles.sampleCsv()));
    assertThat(Files.readAllBytes(out.resolve("IDS_mapping.csv"))).isEqualTo(Files.readAllBytes(ProjectFiles.idsMapping()));
    assertThat(r.dataUri()).endsWith("/raw/diabetic_data.csv");
    assertThat(r.mappingUri()).endsWith("/raw/IDS_mapping.csv");
    assertThat(progress).anyMatch(l -> l.startsWith("downloaded " + String.format(java.util.Locale.ROOT, "%,d", zip.length)));
  }

  @Test
  void acceptsAFileUrlOfAnAlreadyDownloadedZipWithMatchingUpperCaseSha() throws Exception {
    byte[] zip = uciZip("");
    Path local = dir.resolve("uci.zip");
    Files.write(local, zip);

    UciDownloader.Result r = downloader().download(local.toUri().toString(),
        dir.resolve("raw").toUri().toString(), sha256(zip).toUpperCase());

    assertThat(r.rows()).isEqualTo(4999);
    assertThat(dir.resolve("raw/diabetic_data.csv")).exists();
  }

  @Test
  void findsTheEntriesInsideAFolderOfTheZip() throws Exception {
    String url = serve("/folder.zip", uciZip("dataset_diabetes/"));

    UciDownloader.Result r = downloader().download(url, dir.resolve("raw").toUri().toString(), null);

    assertThat(r.rows()).isEqualTo(4999);
    assertThat(dir.resolve("raw/diabetic_data.csv")).exists();
  }

  @Test
  void replacesAnExistingOutputAndLeavesNoStagingDirectory() throws Exception {
    Path out = dir.resolve("raw");
    Files.createDirectories(out);
    Files.writeString(out.resolve("stale.csv"), "old");

    downloader().download(serve("/again.zip", uciZip("")), out.toUri().toString(), null);

    assertThat(out.resolve("stale.csv")).doesNotExist();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("raw");
    }
  }

  @Test
  void refusesAChecksumMismatchNamingExpectedAndActualAndWritesNothing() throws Exception {
    byte[] zip = uciZip("");
    String wrong = "0".repeat(64);
    Path out = dir.resolve("raw");

    assertThatThrownBy(() -> downloader().download(serve("/sha.zip", zip), out.toUri().toString(), wrong))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.reason()).isEqualTo(DownloadException.Reason.CHECKSUM_MISMATCH))
        .hasMessageContaining("expected " + wrong)
        .hasMessageContaining("actual " + sha256(zip));
    assertThat(out).doesNotExist();
  }

  @Test
  void refusesAZipWithoutDiabeticDataListingItsEntries() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("IDS_mapping.csv", Files.readAllBytes(ProjectFiles.idsMapping()));
    entries.put("readme.txt", "hello".getBytes(StandardCharsets.UTF_8));
    String url = serve("/no-data.zip", zip(entries, false));

    assertThatThrownBy(() -> downloader().download(url, dir.resolve("raw").toUri().toString(), null))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.reason()).isEqualTo(DownloadException.Reason.MISSING_ENTRY))
        .hasMessageContaining("no diabetic_data.csv")
        .hasMessageContaining("readme.txt");
    assertThat(dir.resolve("raw")).doesNotExist();
  }

  @Test
  void refusesATruncatedZipAsCorrupt() throws Exception {
    byte[] zip = uciZip("");
    byte[] truncated = java.util.Arrays.copyOf(zip, zip.length / 2);

    assertThatThrownBy(() -> downloader().download(serve("/truncated.zip", truncated),
        dir.resolve("raw").toUri().toString(), null))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.reason()).isEqualTo(DownloadException.Reason.CORRUPT_ZIP))
        .hasMessageContaining("not a readable zip archive");
  }

  @Test
  void refusesAnEntryWhoseBytesFailTheCrcCheck() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("diabetic_data.csv", Files.readAllBytes(ProjectFiles.sampleCsv()));
    byte[] zip = zip(entries, true);
    // Stored (uncompressed) entry: change one digit of the first data line, leaving the directory intact.
    int at = indexOf(zip, "2278392,8222157".getBytes(StandardCharsets.US_ASCII));
    zip[at] = '3';

    assertThatThrownBy(() -> downloader().download(serve("/crc.zip", zip), dir.resolve("raw").toUri().toString(), null))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.reason()).isEqualTo(DownloadException.Reason.CORRUPT_ZIP))
        .hasMessageContaining("diabetic_data.csv")
        .hasMessageContaining("CRC");
    assertThat(dir.resolve("raw")).doesNotExist();
  }

  @Test
  void refusesDataWhoseHeaderLacksRawColumns() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("diabetic_data.csv", "encounter_id,patient_nbr\n1,2\n".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> downloader().download(serve("/header.zip", zip(entries, false)),
        dir.resolve("raw").toUri().toString(), null))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.reason()).isEqualTo(DownloadException.Reason.BAD_HEADER))
        .hasMessageContaining("missing required columns")
        .hasMessageContaining("readmitted");
  }

  @Test
  void namesAnUnreachableAddressAndSuggestsALocalFile() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort + "/data.zip";

    assertThatThrownBy(() -> downloader().download(url, dir.resolve("raw").toUri().toString(), null))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.reason()).isEqualTo(DownloadException.Reason.UNREACHABLE))
        .hasMessageContaining(url)
        .hasMessageContaining("--url file://");
  }

  @Test
  void reportsAnHttpErrorStatus() {
    String url = serve("/other.zip", new byte[0]).replace("/other.zip", "/missing.zip");

    assertThatThrownBy(() -> downloader().download(url, dir.resolve("raw").toUri().toString(), null))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.reason()).isEqualTo(DownloadException.Reason.UNREACHABLE))
        .hasMessageContaining("HTTP 404");
  }

  // ---- helpers ----

  /** A zip laid out like UCI's: the data file and the id mapping, under an optional folder. */
  static byte[] uciZip(String folder) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(folder + "diabetic_data.csv", Files.readAllBytes(ProjectFiles.sampleCsv()));
    entries.put(folder + "IDS_mapping.csv", Files.readAllBytes(ProjectFiles.idsMapping()));
    return zip(entries, false);
  }

  static byte[] zip(Map<String, byte[]> entries, boolean stored) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        if (stored) {
          CRC32 crc = new CRC32();
          crc.update(e.getValue());
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(e.getValue().length);
          entry.setCompressedSize(e.getValue().length);
          entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
