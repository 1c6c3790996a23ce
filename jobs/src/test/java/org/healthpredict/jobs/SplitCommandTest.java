package org.healthpredict.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitCommandTest {

  @TempDir Path tmp;

  @Test
  void printsCountsAndExitsZeroOnTheSample() {
    TestSpark.session();
    Path out = tmp.resolve("split");
    Captured run = capture(() -> HealthPredictCli.execute("split",
        "--input", ProjectFiles.sampleCsv().toString(), "--output", out.toString()));
    assertThat(run.exit).isZero();
    assertThat(run.out).contains("split: OK read=4999 accepted=4999 rejected=0 excluded=91 initial=982 future=3926");
    assertThat(out.resolve("manifest.json")).exists();
  }

  @Test
  void missingColumnsExitWithInvalidInputAndNameTheColumns() throws Exception {
    TestSpark.session();
    Path input = tmp.resolve("no-target.csv");
    List<String> lines = Files.readAllLines(ProjectFiles.sampleCsv()).subList(0, 5).stream()
        .map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    Files.write(input, lines);
    Captured run = capture(() -> HealthPredictCli.execute("split",
        "--input", input.toString(), "--output", tmp.resolve("out").toString()));
    assertThat(run.exit).isEqualTo(HealthPredictCli.EXIT_INVALID_INPUT);
    assertThat(run.err).contains("no-target.csv: missing required column readmitted");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void unknownOptionIsAUsageError() {
    Captured run = capture(() -> HealthPredictCli.execute("split", "--input", "x", "--output", "y", "--bogus"));
    assertThat(run.exit).isEqualTo(HealthPredictCli.EXIT_USAGE);
    assertThat(run.err).contains("Unknown option: '--bogus'");
  }

  @Test
  void helpDescribesTheOutputs() {
    Captured run = capture(() -> HealthPredictCli.execute("split", "--help"));
    assertThat(run.exit).isZero();
    assertThat(run.out).contains("--input=URI", "--output=URI", "initial/{train,validation,test}");
  }

  record Captured(int exit, String out, String err) {}

  static Captured capture(Supplier<Integer> command) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = command.get();
      return new Captured(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
