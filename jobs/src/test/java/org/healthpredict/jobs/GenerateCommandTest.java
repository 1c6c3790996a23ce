package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.RawReader;
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {

  @TempDir
  Path dir;

  private static final String SAMPLE = ProjectFiles.sampleCsv().toUri().toString();

  /** Output of one command line run in this JVM. */
  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = HealthPredictCli.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  @Test
  void writesTheRequestedRowsAndEndsWithAOneLineResult() {
    TestSpark.session();
    Path out = dir.resolve("synthetic");

    Run r = run("generate", "--rows", "3000", "--seed", "5", "--source", SAMPLE,
        "--out", out.toUri().toString(), "--partitions", "2");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(HealthPredictCli.EXIT_OK);
    String[] lines = r.out().strip().split("\n");
    assertThat(lines[lines.length - 1]).startsWith("generate: OK mode=fitted rows=3000 partitions=2 seed=5 output=")
        .contains("synthetic").contains("seconds=").contains("generator_sha256=");
    assertThat(r.out()).contains("generate: part 2/2 written");
    RawReader.RawInput written = RawReader.read(TestSpark.session(), out.toUri().toString());
    assertThat(written.accepted().count()).isEqualTo(3000);
    assertThat(written.rejected().count()).isZero();
  }

  @Test
  void theFittedModeWritesItsOracleGeneratorAndDriftOnsetBesideTheData() throws Exception {
    TestSpark.session();
    Path out = dir.resolve("drifted");
    Path drift = ProjectFiles.root().resolve("conf/drift/age-shift.yaml");

    Run r = run("generate", "--rows", "2000", "--seed", "3", "--source", SAMPLE, "--out", out.toString(),
        "--drift", drift.toString(), "--partitions", "2");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(HealthPredictCli.EXIT_OK);
    JsonNode manifest = new ObjectMapper().readTree(out.resolve("_manifest.json").toFile());
    assertThat(manifest.path("mode").asText()).isEqualTo("fitted");
    assertThat(manifest.path("memorisable").asBoolean()).isFalse();
    assertThat(manifest.path("drift").path("kind").asText()).isEqualTo("covariate");
    assertThat(manifest.path("drift").path("onsetIndex").asLong()).isEqualTo(1200);
    assertThat(manifest.path("drift").path("onsetEncounterId").asLong()).isEqualTo(1_000_001_200L);
    Dataset<Row> oracle = TestSpark.session().read().parquet(out.resolve("oracle").toString());
    assertThat(oracle.count()).isEqualTo(2000);
    assertThat(oracle.filter("probability < 0 OR probability > 1").count()).isZero();
    // Drifted encounters start at the onset and, after the ramp, are all of them.
    assertThat(oracle.filter("drifted AND encounter_id < 1000001200").count()).isZero();
    assertThat(oracle.filter("NOT drifted AND encounter_id >= 1000001300").count()).isZero();
    // The data itself: raw CSV any job reads, with the manifest, generator and oracle out of its way.
    assertThat(RawReader.read(TestSpark.session(), out.toUri().toString()).accepted().count()).isEqualTo(2000);
    // A split of it records where its input came from, so every run trained on it names the generator and drift.
    Run split = run("split", "--input", out.toString(), "--output", dir.resolve("split").toString());
    assertThat(split.exitCode()).as(split.err()).isEqualTo(HealthPredictCli.EXIT_OK);
    SplitManifest.Input input = SplitManifest.read(TestSpark.session().sparkContext().hadoopConfiguration(),
        dir.resolve("split").toUri().toString()).input();
    assertThat(input.generatorParams()).containsEntry("data_generation_mode", "fitted")
        .containsEntry("data_generator_sha256", manifest.path("generator").path("sha256").asText())
        .containsEntry("data_drift", "age-shift (covariate, from encounter_id 1000001200)");

    Path again = dir.resolve("again");
    Run reuse = run("generate", "--rows", "2000", "--seed", "3", "--generator", out.resolve("_generator.json").toString(),
        "--out", again.toString(), "--drift", drift.toString(), "--partitions", "1");
    assertThat(reuse.exitCode()).as(reuse.err()).isEqualTo(HealthPredictCli.EXIT_OK);
    assertThat(dataLines(again)).isEqualTo(dataLines(out));
  }

  @Test
  void resampleRefusesADriftAndABadDriftFileIsNamed() throws Exception {
    Path drift = ProjectFiles.root().resolve("conf/drift/age-shift.yaml");
    Run resample = run("generate", "--rows", "10", "--mode", "resample", "--drift", drift.toString(),
        "--source", SAMPLE, "--out", dir.resolve("x").toString());
    assertThat(resample.exitCode()).isEqualTo(HealthPredictCli.EXIT_USAGE);
    assertThat(resample.err()).contains("--drift and --generator need --mode fitted");

    Path bad = dir.resolve("bad-drift.yaml");
    java.nio.file.Files.writeString(bad, "name: x\nonset: 0.5\ncovariate:\n  - column: agee\n    shift: 1\n");
    Run r = run("generate", "--rows", "10", "--drift", bad.toString(), "--source", SAMPLE,
        "--out", dir.resolve("y").toString());
    assertThat(r.exitCode()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(r.err()).contains("bad-drift.yaml: covariate[0]").contains("'agee' is not a feature column");
    assertThat(dir.resolve("y")).doesNotExist();
  }

  /** The data lines of every part file, headers left out, in encounter order. */
  private static java.util.List<String> dataLines(Path directory) throws Exception {
    try (var files = java.nio.file.Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted()
          .flatMap(f -> {
            try {
              return java.nio.file.Files.readAllLines(f).stream().skip(1);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).toList();
    }
  }

  @Test
  void refusesZeroRowsAsAUsageError() {
    Run r = run("generate", "--rows", "0", "--source", SAMPLE, "--out", dir.resolve("x").toUri().toString());

    assertThat(r.exitCode()).isEqualTo(HealthPredictCli.EXIT_USAGE);
    assertThat(r.err()).contains("--rows");
  }

  @Test
  void refusesASourceWithoutTheRawColumnsAsInvalidInput() throws Exception {
    Path bad = dir.resolve("bad.csv");
    java.nio.file.Files.writeString(bad, "a,b\n1,2\n");

    Run r = run("generate", "--rows", "10", "--source", bad.toUri().toString(),
        "--out", dir.resolve("x").toUri().toString());

    assertThat(r.exitCode()).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(r.err()).contains("bad.csv").contains("missing required columns");
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
