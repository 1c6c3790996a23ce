package org.healthpredict.core.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.healthpredict.core.data.MissingColumnsException;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.ProjectFiles;
import org.healthpredict.core.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitRunnerTest {

  private static final SparkSession spark = TestSpark.session();
  @TempDir static Path tmp;
  private static SplitManifest sample;
  private static String sampleOut;

  @BeforeAll
  static void splitTheSample() {
    sampleOut = tmp.resolve("sample-split").toUri().toString();
    sample = runner().run(ProjectFiles.sampleCsv().toUri().toString(), sampleOut, SplitOptions.DEFAULTS);
  }

  private static SplitRunner runner() {
    return new SplitRunner(spark, line -> {});
  }

  @Test
  void countsEveryRowOfTheSampleExactly() {
    // Expected values counted independently from the CSV: 91 encounters end in death (86 x id 11)
    // or hospice (5 x id 14); 20% of the remaining 4,908 is 982 rows up to encounter_id 7497384.
    SplitManifest.Counts c = sample.counts();
    assertThat(c.linesRead()).isEqualTo(4999);
    assertThat(c.accepted()).isEqualTo(4999);
    assertThat(c.rejected()).isZero();
    assertThat(c.excludedTerminal()).isEqualTo(91);
    assertThat(c.modelling()).isEqualTo(4908);
    assertThat(c.initial()).isEqualTo(982);
    assertThat(c.future()).isEqualTo(3926);
    assertThat(sample.initialCutoffEncounterId()).isEqualTo(7497384L);
    long initialPositives = sample.parts().get("train").positives() + sample.parts().get("validation").positives()
        + sample.parts().get("test").positives();
    assertThat(initialPositives).isEqualTo(94);
    assertThat(sample.parts().get("future").positives()).isEqualTo(458);
    assertThat(sample.schemaVersion()).isEqualTo(RawSchema.VERSION);
    assertThat(sample.input().sha256()).isEqualTo("40de59eff2292ce682add444b37f36a4279cfc392d5bac3b40d862fca8d6393a");
  }

  /** Nothing rejected: the output is still there, committed, and reads as no rows. */
  @Test
  void cleanInputLeavesAnEmptyReadableRejectedOutput() {
    Path rejected = tmp.resolve("sample-split").resolve("rejected");
    assertThat(rejected.resolve("_SUCCESS")).exists();
    assertThat(rejected.resolve(SplitRunner.EMPTY_REJECTED_PART)).exists().isEmptyFile();
    assertThat(spark.read().schema("source_file STRING, line STRING, rejection_reason STRING")
        .json(sampleOut + "/rejected").count()).isZero();
  }

  @Test
  void initialSplitIsPatientDisjointWithRoughlyTheAskedShares() {
    Set<Long> train = patients("initial/train");
    Set<Long> validation = patients("initial/validation");
    Set<Long> test = patients("initial/test");
    assertThat(intersection(train, validation)).isEmpty();
    assertThat(intersection(train, test)).isEmpty();
    assertThat(intersection(validation, test)).isEmpty();
    assertThat(train.size() + validation.size() + test.size()).isEqualTo(922);
    assertThat(train.size() / 922.0).isBetween(0.64, 0.76);
    assertThat(validation.size() / 922.0).isBetween(0.10, 0.20);
  }

  @Test
  void partsHoldTheRightEncountersWithTypedColumnsAndTarget() {
    Row first = spark.read().parquet(sampleOut + "/initial/*")
        .filter("encounter_id = 2278392").first();
    assertThat(first.<String>getAs("diag_1")).isEqualTo("250.83");
    assertThat(first.<String>getAs("weight")).isNull();
    assertThat(first.<String>getAs("max_glu_serum")).isEqualTo("None");
    assertThat(first.<Integer>getAs(RawSchema.TARGET)).isZero();
    assertThat(spark.read().parquet(sampleOut + "/future").agg(org.apache.spark.sql.functions.min("encounter_id"))
        .first().getLong(0)).isGreaterThan(7497384L);
    assertThat(spark.read().parquet(sampleOut + "/excluded")
        .filter("discharge_disposition_id NOT IN (11, 13, 14, 19, 20, 21)").count()).isZero();
    long positives = spark.read().parquet(sampleOut + "/future").filter("readmitted = '<30'").count();
    assertThat(spark.read().parquet(sampleOut + "/future").filter("readmitted_binary = 1").count()).isEqualTo(positives);
  }

  @Test
  void manifestOnDiskMatchesTheReturnedOne() {
    SplitManifest onDisk = SplitManifest.read(spark.sparkContext().hadoopConfiguration(), sampleOut);
    assertThat(onDisk).isEqualTo(sample);
  }

  @Test
  void malformedLinesAreRejectedWithTheirReasonAndLine() throws IOException {
    List<String> lines = Files.readAllLines(ProjectFiles.sampleCsv());
    List<String> csv = new ArrayList<>(lines.subList(0, 201));
    String good = lines.get(5);
    csv.add(good.substring(0, good.lastIndexOf(',')));                       // 49 fields
    csv.add(good.replaceFirst("^\\d+,\\d+,", "12345,12345,").replace(",NO", ",MAYBE").replace(",>30", ",MAYBE"));
    String[] f = lines.get(6).split(",", -1);
    f[9] = "three";                                                           // time_in_hospital
    csv.add(String.join(",", f));
    String[] g = lines.get(7).split(",", -1);
    g[0] = "?";                                                               // encounter_id missing
    csv.add(String.join(",", g));
    Path input = tmp.resolve("malformed.csv");
    Files.write(input, csv);

    String out = tmp.resolve("malformed-split").toUri().toString();
    SplitManifest m = runner().run(input.toUri().toString(), out, SplitOptions.DEFAULTS);

    assertThat(m.counts().linesRead()).isEqualTo(204);
    assertThat(m.counts().accepted()).isEqualTo(200);
    assertThat(m.counts().rejected()).isEqualTo(4);
    List<Row> rejected = spark.read().json(out + "/rejected").collectAsList();
    Set<String> reasons = rejected.stream().map(r -> r.<String>getAs("rejection_reason")).collect(Collectors.toSet());
    assertThat(reasons).containsExactlyInAnyOrder(
        "wrong column count: expected 50, found 49",
        "readmitted: expected one of NO, >30, <30, found 'MAYBE'",
        "time_in_hospital: expected an integer, found 'three'",
        "encounter_id: missing value, a value is required");
    assertThat(rejected).allSatisfy(r -> {
      assertThat(r.<String>getAs("line")).isNotBlank();
      assertThat(r.<String>getAs("source_file")).endsWith("malformed.csv");
    });
    assertThat(m.rejectionSamples()).hasSize(4);
  }

  @Test
  void fileMissingColumnsFailsNamingThemAndWritesNothing() throws IOException {
    List<String> lines = Files.readAllLines(ProjectFiles.sampleCsv()).subList(0, 20);
    List<String> cut = lines.stream().map(l -> {
      String[] f = l.split(",", -1);
      List<String> kept = new ArrayList<>(List.of(f));
      kept.remove(49);   // readmitted
      kept.remove(18);   // diag_1
      return String.join(",", kept);
    }).toList();
    Path input = tmp.resolve("missing-columns.csv");
    Files.write(input, cut);
    Path out = tmp.resolve("missing-columns-split");

    assertThatThrownBy(() -> runner().run(input.toUri().toString(), out.toUri().toString(), SplitOptions.DEFAULTS))
        .isInstanceOf(MissingColumnsException.class)
        .hasMessageContaining("missing-columns.csv")
        .hasMessageContaining("missing required columns diag_1, readmitted");
    assertThat(out).doesNotExist();
  }

  @Test
  void rerunReplacesTheOutputAndLeavesNoStagingBehind() throws IOException {
    List<String> lines = Files.readAllLines(ProjectFiles.sampleCsv());
    Path small = tmp.resolve("small.csv");
    Files.write(small, lines.subList(0, 101));
    Path out = tmp.resolve("rerun");
    runner().run(ProjectFiles.sampleCsv().toUri().toString(), out.toUri().toString(), SplitOptions.DEFAULTS);
    SplitManifest second = runner().run(small.toUri().toString(), out.toUri().toString(), SplitOptions.DEFAULTS);

    assertThat(second.counts().linesRead()).isEqualTo(100);
    long written = spark.read().parquet(out.toUri() + "/initial/*").count()
        + spark.read().parquet(out.toUri() + "/future").count()
        + spark.read().parquet(out.toUri() + "/excluded").count();
    assertThat(written).isEqualTo(100);
    try (var siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .noneMatch(name -> name.contains(".incomplete-") || name.contains(".replaced-"));
    }
  }

  private static Set<Long> patients(String part) {
    return spark.read().parquet(sampleOut + "/" + part).select(RawSchema.PATIENT_NBR).distinct()
        .collectAsList().stream().map(r -> r.getLong(0)).collect(Collectors.toSet());
  }

  private static Set<Long> intersection(Set<Long> a, Set<Long> b) {
    Set<Long> both = new HashSet<>(a);
    both.retainAll(b);
    return both;
  }
}
