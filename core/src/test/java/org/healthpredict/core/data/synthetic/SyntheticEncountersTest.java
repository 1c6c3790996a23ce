package org.healthpredict.core.data.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.healthpredict.core.data.CsvLine;
import org.healthpredict.core.data.RawReader;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticEncountersTest {

  private static final int ROWS = 20_000;
  private static final String SAMPLE = ProjectFiles.sampleCsv().toUri().toString();

  @TempDir
  static Path dir;

  private static Path output;
  private static SyntheticEncounters.Result result;
  private static final List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void generateOnce() {
    output = dir.resolve("synthetic");
    result = generate(output, 7, 3);
  }

  private static SyntheticEncounters.Result generate(Path out, long seed, int partitions) {
    return new SyntheticEncounters(TestSpark.session(), progress::add)
        .generate(SAMPLE, out.toUri().toString(), SyntheticEncounters.Options.resample(ROWS, seed, partitions));
  }

  @Test
  void writesOnePartFilePerPartitionEachStartingWithTheRawHeader() throws Exception {
    String rawHeader = Files.readAllLines(ProjectFiles.sampleCsv()).get(0);

    assertThat(partFiles(output)).hasSize(3);
    for (Path part : partFiles(output)) {
      assertThat(Files.readAllLines(part).get(0)).isEqualTo(rawHeader);
    }
    assertThat(result.rows()).isEqualTo(ROWS);
    assertThat(result.partitions()).isEqualTo(3);
  }

  @Test
  void everyGeneratedLinePassesRawValidation() {
    RawReader.RawInput input = RawReader.read(TestSpark.session(), output.toUri().toString());

    assertThat(input.rejected().count()).isZero();
    assertThat(input.accepted().count()).isEqualTo(ROWS);
  }

  @Test
  void encounterIdsAreUniqueAndIncreaseInFileOrder() {
    List<Long> ids = column(dataLines(output), RawSchema.ENCOUNTER_ID).stream().map(Long::parseLong).toList();

    assertThat(ids).hasSize(ROWS).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void countsStayWithinTheSourceRanges() {
    List<String[]> rows = dataLines(output);
    for (String column : SyntheticSource.JITTERED) {
      List<Integer> values = column(rows, column).stream().map(Integer::parseInt).toList();
      assertThat(values).as(column)
          .allSatisfy(v -> assertThat(v).isBetween(result.source().min(column), result.source().max(column)));
    }
    assertThat(column(rows, "time_in_hospital").stream().map(Integer::parseInt))
        .allSatisfy(v -> assertThat(v).isBetween(1, 14));
  }

  @Test
  void repeatPatientRateIsWithinFifteenPercentOfTheSource() {
    List<String> patients = column(dataLines(output), RawSchema.PATIENT_NBR);
    double rate = (double) patients.size() / new HashSet<>(patients).size();

    assertThat(rate).isCloseTo(4999.0 / 4259.0, within(0.15 * 4999.0 / 4259.0));
  }

  @Test
  void readmittedClassMixIsCloseToTheSource() {
    Map<String, Integer> mix = new HashMap<>();
    column(dataLines(output), RawSchema.READMITTED).forEach(v -> mix.merge(v, 1, Integer::sum));

    assertThat(mix.keySet()).containsExactlyInAnyOrder("NO", ">30", "<30");
    assertThat(mix.get("NO") / (double) ROWS).isCloseTo(2478 / 4999.0, within(0.02));
    assertThat(mix.get(">30") / (double) ROWS).isCloseTo(1967 / 4999.0, within(0.02));
    assertThat(mix.get("<30") / (double) ROWS).isCloseTo(554 / 4999.0, within(0.02));
  }

  @Test
  void missingValuesStayQuestionMarksAndCategoriesComeFromTheSource() throws Exception {
    List<String[]> rows = dataLines(output);
    List<String> weight = column(rows, "weight");
    Set<String> sourceSpecialties = new HashSet<>(column(sampleLines(), "medical_specialty"));

    assertThat(rows).allSatisfy(r -> assertThat(r).hasSize(50).doesNotContain(""));
    assertThat(weight.stream().filter("?"::equals).count() / (double) ROWS).isGreaterThan(0.9);
    assertThat(sourceSpecialties).containsAll(new HashSet<>(column(rows, "medical_specialty")));
  }

  @Test
  void sameSeedGivesTheSameRowsForAnyPartitioningAndTheSameBytesForTheSame() throws Exception {
    Path again = dir.resolve("again");
    Path twoParts = dir.resolve("two-parts");
    generate(again, 7, 3);
    generate(twoParts, 7, 2);

    List<Path> first = partFiles(output);
    List<Path> second = partFiles(again);
    for (int i = 0; i < first.size(); i++) {
      assertThat(Files.readAllBytes(second.get(i))).isEqualTo(Files.readAllBytes(first.get(i)));
    }
    assertThat(rawLines(twoParts)).isEqualTo(rawLines(output));
  }

  @Test
  void differentSeedsGiveDifferentRows() throws Exception {
    Path other = dir.resolve("other-seed");
    generate(other, 8, 3);

    List<String> a = rawLines(output);
    List<String> b = rawLines(other);
    long same = java.util.stream.IntStream.range(0, ROWS).filter(i -> a.get(i).equals(b.get(i))).count();
    assertThat(same).isLessThan(ROWS / 100);
  }

  @Test
  void replacesAnExistingOutputAndLeavesNoStagingDirectory() throws Exception {
    Path target = dir.resolve("replaced");
    Files.createDirectories(target);
    Files.writeString(target.resolve("stale.csv"), "old");

    new SyntheticEncounters(TestSpark.session(), line -> { })
        .generate(SAMPLE, target.toUri().toString(), SyntheticEncounters.Options.resample(100, 1, 1));

    assertThat(target.resolve("stale.csv")).doesNotExist();
    assertThat(partFiles(target)).hasSize(1);
    try (Stream<Path> siblings = Files.list(dir)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(".replaced"));
    }
  }

  @Test
  void reportsTheSourceAndEveryWrittenPart() {
    assertThat(progress).anyMatch(l -> l.contains("4999 rows, 4259 patients"));
    assertThat(progress).anyMatch(l -> l.startsWith("part 3/3 written"));
  }

  @Test
  void dataSetGeneratedOnSparkMatchesTheRowGenerator() {
    SyntheticRows rows = new SyntheticRows(result.source(), 7, ROWS);
    List<Row> firstLines = new SyntheticEncounters(TestSpark.session(), l -> { })
        .lines(rows, 2).toDF().limit(3).collectAsList();

    assertThat(firstLines.get(0).getString(0)).isEqualTo(String.join(",", RawSchema.columns()));
    assertThat(firstLines.get(1).getString(0)).isEqualTo(CsvLine.join(List.of(rows.row(0))));
  }

  // ---- helpers ----

  private static List<Path> partFiles(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Data lines of all part files in part order, headers dropped. */
  private static List<String> rawLines(Path directory) {
    List<String> lines = new ArrayList<>();
    for (Path part : partFiles(directory)) {
      try {
        List<String> all = Files.readAllLines(part);
        lines.addAll(all.subList(1, all.size()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return lines;
  }

  private static List<String[]> dataLines(Path directory) {
    return rawLines(directory).stream().map(l -> CsvLine.split(l).toArray(String[]::new)).toList();
  }

  private static List<String[]> sampleLines() throws IOException {
    List<String> all = Files.readAllLines(ProjectFiles.sampleCsv());
    return all.subList(1, all.size()).stream().map(l -> CsvLine.split(l).toArray(String[]::new)).toList();
  }

  private static List<String> column(List<String[]> rows, String column) {
    int i = RawSchema.columns().indexOf(column);
    return rows.stream().map(r -> r[i]).toList();
  }
}
