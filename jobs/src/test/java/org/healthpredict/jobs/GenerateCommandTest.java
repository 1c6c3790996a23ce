package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.healthpredict.core.data.RawReader;
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
    assertThat(lines[lines.length - 1]).startsWith("generate: OK rows=3000 partitions=2 seed=5 output=")
        .contains("synthetic").contains("seconds=");
    assertThat(r.out()).contains("generate: part 2/2 written");
    RawReader.RawInput written = RawReader.read(TestSpark.session(), out.toUri().toString());
    assertThat(written.accepted().count()).isEqualTo(3000);
    assertThat(written.rejected().count()).isZero();
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
