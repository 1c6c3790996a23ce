package org.healthpredict.core.data.download;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.apache.hadoop.conf.Configuration;
import org.healthpredict.core.data.MissingColumnsException;
import org.healthpredict.core.data.RawHeader;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.storage.AtomicOutput;

/**
 * Fetches the published UCI "Diabetes 130-US Hospitals" zip, verifies it (optional sha256, zip
 * structure, CRC of every unpacked entry, the 50 raw columns in diabetic_data.csv's header) and
 * unpacks diabetic_data.csv and IDS_mapping.csv to a Hadoop URI atomically.
 */
public final class UciDownloader {

  /** Where UCI publishes data set 296. */
  public static final String DEFAULT_URL =
      "https://archive.ics.uci.edu/static/public/296/diabetes+130-us+hospitals+for+years+1999-2008.zip";
  public static final String DATA_ENTRY = "diabetic_data.csv";
  public static final String MAPPING_ENTRY = "IDS_mapping.csv";

  private static final int BUFFER = 1 << 16;
  private static final long PROGRESS_STEP = 1L << 20;
  private static final int MAX_HEADER_BYTES = 1 << 16;

  private final Configuration hadoop;
  private final Consumer<String> progress;

  public UciDownloader(Configuration hadoop, Consumer<String> progress) {
    this.hadoop = hadoop;
    this.progress = progress;
  }

  /**
   * What was fetched and written. {@code mappingUri} is null when the archive has no IDS_mapping.csv;
   * {@code rows} counts data lines of diabetic_data.csv (header and blank lines excluded).
   */
  public record Result(String url, long zipBytes, String sha256, String outputUri, String dataUri,
      long rows, String mappingUri, double seconds) {}

  /**
   * Downloads {@code url} (http, https, or any Hadoop URI such as file:// for an already downloaded
   * zip) and replaces {@code outputUri} with the unpacked files.
   *
   * @param expectedSha256 hex checksum the zip must have, or null to skip that check
   */
  public Result download(String url, String outputUri, String expectedSha256) {
    long start = System.nanoTime();
    Path zip = null;
    try {
      zip = Files.createTempFile("health-predict-download-", ".zip");
      long bytes = fetch(url, zip);
      String sha256 = sha256(zip);
      progress.accept("sha256 " + sha256);
      if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha256)) {
        throw new DownloadException(DownloadException.Reason.CHECKSUM_MISMATCH, "sha256 mismatch for " + url
            + ": expected " + expectedSha256.toLowerCase(Locale.ROOT) + ", actual " + sha256);
      }
      Unpacked unpacked = unpack(url, zip, outputUri);
      return new Result(url, bytes, sha256, unpacked.outputUri(), unpacked.dataUri(), unpacked.rows(),
          unpacked.mappingUri(), (System.nanoTime() - start) / 1e9);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use a temporary file for the download", e);
    } finally {
      if (zip != null) {
        try {
          Files.deleteIfExists(zip);
        } catch (IOException e) {
          // A leftover file in the temp directory is harmless; the download itself succeeded or failed already.
        }
      }
    }
  }

  private record Unpacked(String outputUri, String dataUri, long rows, String mappingUri) {}

  // ---- fetch ----

  private long fetch(String url, Path target) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url: not a valid URL: " + url, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    progress.accept("fetching " + url);
    if (scheme.equals("http") || scheme.equals("https")) {
      return fetchHttp(uri, target);
    }
    return fetchHadoop(url, target);
  }

  private long fetchHttp(URI uri, Path target) {
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(uri.toString(), describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(uri.toString(), "interrupted", e);
    }
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw unreachable(uri.toString(), "the server answered HTTP " + response.statusCode(), null);
      }
      long total = response.headers().firstValueAsLong("content-length").orElse(-1);
      return copyWithProgress(uri.toString(), body, target, total);
    } catch (IOException e) {
      throw unreachable(uri.toString(), "the transfer broke off: " + describe(e), e);
    }
  }

  private long fetchHadoop(String url, Path target) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(url);
    long total;
    InputStream in;
    try {
      var fs = path.getFileSystem(hadoop);
      total = fs.getFileStatus(path).getLen();
      in = fs.open(path);
    } catch (IOException e) {
      throw unreachable(url, describe(e), e);
    }
    try (in) {
      return copyWithProgress(url, in, target, total);
    } catch (IOException e) {
      throw unreachable(url, "reading failed: " + describe(e), e);
    }
  }

  private long copyWithProgress(String url, InputStream in, Path target, long total) throws IOException {
    long done = 0;
    long nextReport = PROGRESS_STEP;
    byte[] buffer = new byte[BUFFER];
    try (OutputStream out = Files.newOutputStream(target)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        done += n;
        if (done >= nextReport) {
          progress.accept("downloaded " + amount(done, total));
          nextReport += PROGRESS_STEP;
        }
      }
    }
    if (total >= 0 && done != total) {
      throw new EOFException("got " + done + " of " + total + " bytes");
    }
    progress.accept("downloaded " + amount(done, total) + " from " + url);
    return done;
  }

  private static String amount(long done, long total) {
    return total > 0
        ? String.format(Locale.ROOT, "%,d of %,d bytes (%.0f%%)", done, total, 100.0 * done / total)
        : String.format(Locale.ROOT, "%,d bytes", done);
  }

  private static DownloadException unreachable(String url, String why, Throwable cause) {
    boolean remote = url.regionMatches(true, 0, "http", 0, 4);
    String host = remote ? URI.create(url).getHost() : null;
    return new DownloadException(DownloadException.Reason.UNREACHABLE, "cannot fetch " + url
        + (host != null ? " (host " + host + ")" : "") + ": " + why
        + (remote ? ". Without network access to it, download the zip elsewhere and pass"
            + " --url file:///path/to/the.zip" : ""),
        cause);
  }

  /** The exception and its causes in one line, without repeats (HttpClient nests the same one twice). */
  private static String describe(Throwable e) {
    Set<String> parts = new LinkedHashSet<>();
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
        parts.add("the host name does not resolve");
      } else {
        parts.add(c.getMessage() == null ? c.getClass().getSimpleName()
            : c.getClass().getSimpleName() + ": " + c.getMessage());
      }
    }
    return String.join(", caused by ", parts);
  }

  // ---- verify and unpack ----

  private Unpacked unpack(String url, Path zipPath, String outputUri) {
    try (ZipFile zip = openZip(url, zipPath)) {
      ZipEntry data = find(zip, DATA_ENTRY);
      if (data == null) {
        throw new DownloadException(DownloadException.Reason.MISSING_ENTRY, url + ": the zip has no "
            + DATA_ENTRY + "; its entries are " + entryNames(zip));
      }
      checkHeader(url, zip, data);
      ZipEntry mapping = find(zip, MAPPING_ENTRY);
      AtomicOutput output = AtomicOutput.begin(hadoop, outputUri);
      try {
        String dataUri = child(output.targetUri(), DATA_ENTRY);
        long lines = copyEntry(url, zip, data, child(output.stagingUri(), DATA_ENTRY));
        String mappingUri = null;
        if (mapping != null) {
          String name = baseName(mapping.getName());
          copyEntry(url, zip, mapping, child(output.stagingUri(), name));
          mappingUri = child(output.targetUri(), name);
        }
        output.commit();
        progress.accept("unpacked " + DATA_ENTRY + (mapping != null ? " and " + baseName(mapping.getName()) : "")
            + " to " + output.targetUri());
        return new Unpacked(output.targetUri(), dataUri, lines, mappingUri);
      } finally {
        output.abort();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the downloaded zip " + zipPath, e);
    }
  }

  private static ZipFile openZip(String url, Path zipPath) {
    try {
      return new ZipFile(zipPath.toFile());
    } catch (IOException e) {
      throw new DownloadException(DownloadException.Reason.CORRUPT_ZIP,
          url + ": not a readable zip archive (" + describe(e) + ")", e);
    }
  }

  /** The entry whose file name (any folder, any case) is {@code name}; archives have used both layouts. */
  private static ZipEntry find(ZipFile zip, String name) {
    for (ZipEntry e : Collections.list(zip.entries())) {
      if (!e.isDirectory() && baseName(e.getName()).equalsIgnoreCase(name)
          && !e.getName().startsWith("__MACOSX/")) {
        return e;
      }
    }
    return null;
  }

  private static List<String> entryNames(ZipFile zip) {
    List<String> names = new ArrayList<>();
    Collections.list(zip.entries()).forEach(e -> names.add(e.getName()));
    return names;
  }

  private static void checkHeader(String url, ZipFile zip, ZipEntry data) {
    String line;
    try (InputStream in = zip.getInputStream(data)) {
      line = firstLine(in);
    } catch (IOException e) {
      throw corrupt(url, data, e);
    }
    String where = url + "!" + data.getName();
    if (line == null) {
      throw new DownloadException(DownloadException.Reason.BAD_HEADER,
          where + ": no header line; expected the 50 raw columns");
    }
    RawHeader header;
    try {
      header = RawHeader.parse(where, line);
    } catch (MissingColumnsException e) {
      throw new DownloadException(DownloadException.Reason.BAD_HEADER, e.getMessage(), e);
    }
    if (header.width() != RawSchema.columns().size()) {
      throw new DownloadException(DownloadException.Reason.BAD_HEADER, where + ": header has " + header.width()
          + " columns, expected exactly the " + RawSchema.columns().size() + " raw columns");
    }
  }

  private static String firstLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (line.size() >= MAX_HEADER_BYTES) {
        return line.toString(StandardCharsets.UTF_8); // no newline: a binary blob, refused by the parse
      }
      line.write(b);
    }
    if (b < 0 && line.size() == 0) {
      return null;
    }
    String text = line.toString(StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  /**
   * Copies one entry byte for byte to a Hadoop URI, checking its CRC-32 and size against the zip's
   * directory, and returns the number of non-blank lines after the first.
   */
  private long copyEntry(String url, ZipFile zip, ZipEntry entry, String targetUri) {
    CRC32 crc = new CRC32();
    long size = 0;
    long lines = 0;
    boolean lineHasContent = false;
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(targetUri);
    OutputStream out;
    try {
      out = target.getFileSystem(hadoop).create(target, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + targetUri, e);
    }
    try (out; InputStream in = zip.getInputStream(entry)) {
      byte[] buffer = new byte[BUFFER];
      int n;
      while (true) {
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          throw corrupt(url, entry, e);
        }
        if (n < 0) {
          break;
        }
        crc.update(buffer, 0, n);
        size += n;
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (b == '\n') {
            if (lineHasContent) {
              lines++;
            }
            lineHasContent = false;
          } else if (b != '\r' && b != ' ' && b != '\t') {
            lineHasContent = true;
          }
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + targetUri, e);
    }
    if (lineHasContent) {
      lines++;
    }
    if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
      throw new DownloadException(DownloadException.Reason.CORRUPT_ZIP, url + "!" + entry.getName()
          + ": CRC-32 check failed: expected " + Long.toHexString(entry.getCrc()) + ", actual "
          + Long.toHexString(crc.getValue()));
    }
    if (entry.getSize() != -1 && size != entry.getSize()) {
      throw new DownloadException(DownloadException.Reason.CORRUPT_ZIP, url + "!" + entry.getName()
          + ": expected " + entry.getSize() + " bytes, unpacked " + size);
    }
    progress.accept(String.format(Locale.ROOT, "verified %s (%,d bytes, CRC-32 %s)",
        entry.getName(), size, Long.toHexString(crc.getValue())));
    return Math.max(0, lines - 1);
  }

  private static DownloadException corrupt(String url, ZipEntry entry, IOException e) {
    String why = e instanceof ZipException || e instanceof EOFException ? describe(e) : "read failed: " + describe(e);
    return new DownloadException(DownloadException.Reason.CORRUPT_ZIP,
        url + "!" + entry.getName() + ": the zip entry cannot be unpacked (" + why + ")", e);
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER];
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String baseName(String entryName) {
    int slash = entryName.lastIndexOf('/');
    return slash < 0 ? entryName : entryName.substring(slash + 1);
  }

  private static String child(String dir, String name) {
    return new org.apache.hadoop.fs.Path(dir, name).toString();
  }
}
