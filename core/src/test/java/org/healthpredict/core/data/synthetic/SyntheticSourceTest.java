package org.healthpredict.core.data.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.healthpredict.core.data.CsvLine;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticSourceTest {

  @TempDir
  Path dir;

  private static SyntheticSource sample() {
    return SyntheticSource.load(TestSpark.session(), ProjectFiles.sampleCsv().toUri().toString());
  }

  @Test
  void measuresEncountersPerPatientFromTheSource() {
    SyntheticSource source = sample();

    assertThat(source.size()).isEqualTo(4999);
    assertThat(source.patients()).isEqualTo(4259);
    assertThat(source.encountersPerPatient()).isEqualTo(4999.0 / 4259.0);
    assertThat(source.rejectedLines()).isZero();
  }

  @Test
  void derivesCountRangesFromTheSourceMinimaAndMaxima() {
    SyntheticSource source = sample();

    assertThat(List.of(source.min("time_in_hospital"), source.max("time_in_hospital"))).containsExactly(1, 14);
    assertThat(List.of(source.min("num_lab_procedures"), source.max("num_lab_procedures"))).containsExactly(1, 105);
    assertThat(List.of(source.min("num_procedures"), source.max("num_procedures"))).containsExactly(0, 6);
    assertThat(List.of(source.min("num_medications"), source.max("num_medications"))).containsExactly(1, 62);
    assertThat(List.of(source.min("number_inpatient"), source.max("number_inpatient"))).containsExactly(0, 15);
    assertThat(List.of(source.min("number_diagnoses"), source.max("number_diagnoses"))).containsExactly(1, 9);
  }

  @Test
  void keepsRawStringsIncludingTheMissingMarker() throws Exception {
    String firstLine = Files.readAllLines(ProjectFiles.sampleCsv()).get(1);

    assertThat(sample().row(0)).containsExactlyElementsOf(CsvLine.split(firstLine));
    assertThat(sample().row(0)[5]).isEqualTo("?"); // weight
  }

  @Test
  void measuresTheClassMixOfReadmitted() {
    assertThat(sample().readmittedCounts()).containsEntry("NO", 2478L).containsEntry(">30", 1967L)
        .containsEntry("<30", 554L);
  }

  @Test
  void skipsAndCountsSourceLinesThatFailRawValidation() throws Exception {
    List<String> lines = Files.readAllLines(ProjectFiles.sampleCsv()).subList(0, 101);
    Path file = dir.resolve("with-bad-line.csv");
    Files.write(file, concat(lines, "1,2,too,few,fields"));

    SyntheticSource source = SyntheticSource.load(TestSpark.session(), file.toUri().toString());

    assertThat(source.size()).isEqualTo(100);
    assertThat(source.rejectedLines()).isEqualTo(1);
  }

  @Test
  void refusesASourceWithoutValidRowsNamingIt() throws Exception {
    String header = Files.readAllLines(ProjectFiles.sampleCsv()).get(0);
    Path file = dir.resolve("only-bad.csv");
    Files.write(file, List.of(header, "1,2,3"));

    assertThatThrownBy(() -> SyntheticSource.load(TestSpark.session(), file.toUri().toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only-bad.csv")
        .hasMessageContaining("no valid encounters");
  }

  private static List<String> concat(List<String> lines, String extra) {
    var all = new java.util.ArrayList<>(lines);
    all.add(extra);
    return all;
  }
}
