package org.healthpredict.core.data.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleRows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fitted generator against the real sample it was fitted on, at 200,000 and 1,000,000 rows: the
 * bounds stated in docs/generator.md. The sample holds 4,999 encounters, so a bound on a column's
 * distance to it is a bound on the generator's error plus the sample's own noise.
 */
class FittedGeneratorFidelityTest {

  /** Largest Jensen–Shannon distance (base 2) of any column between generated and real values. */
  static final double MAX_COLUMN_DISTANCE = 0.03;
  /** Largest change in Cramér's V of the sample's strongest column pairs. */
  static final double MAX_ASSOCIATION_GAP = 0.03;
  static final int STRONGEST_PAIRS = 12;

  private static GeneratorModel model;

  @BeforeAll
  static void fit() {
    model = GeneratorFit.fit("sample", SampleRows.raw(), line -> { });
  }

  @Test
  void twoHundredThousandRowsMatchTheSampleWithoutCopyingIt() {
    check(200_000);
  }

  @Test
  void aMillionRowsMatchTheSampleWithoutCopyingIt() {
    check(1_000_000);
  }

  private static void check(long rows) {
    GeneratorFidelity.Report r = GeneratorFidelity.measure(SampleRows.raw(), new FittedRows(model, null, 11, rows), rows,
        STRONGEST_PAIRS, 1000);

    assertThat(r.columns()).hasSize(47);
    assertThat(r.worstColumn().jensenShannon()).as("worst column: %s", r.worstColumn()).isLessThan(MAX_COLUMN_DISTANCE);
    assertThat(r.strongest()).hasSize(STRONGEST_PAIRS).allSatisfy(a -> assertThat(a.real()).isGreaterThan(0.2));
    assertThat(r.largestAssociationGap()).as("%s", r.strongest()).isLessThan(MAX_ASSOCIATION_GAP);
    // Memorisation guard: no generated feature row equals a real one, and a generated row is no closer
    // to its nearest real row than real rows are to each other.
    assertThat(r.exactCopies()).isZero();
    assertThat(r.medianNearestGenerated()).isGreaterThanOrEqualTo(r.medianNearestReal());
    assertThat(r.nearestGeneratedMinimum()).isPositive();
    // The oracle: in the range published for the full data set, with the sample's readmission rate.
    assertThat(r.oracle().rocAuc()).isBetween(0.65, 0.72);
    assertThat(r.positiveRate()).isCloseTo(model.positiveRate(), within(0.004));
  }

  @Test
  void theSavedGeneratorMakesTheSameRows() {
    GeneratorModel loaded = GeneratorModel.fromJson(model.toJson(), "round trip");
    FittedRows original = new FittedRows(model, null, 5, 1000);
    FittedRows reloaded = new FittedRows(loaded, null, 5, 1000);

    assertThat(loaded.sha256()).isEqualTo(model.sha256());
    for (long i : List.of(0L, 1L, 500L, 999L)) {
      assertThat(reloaded.row(i)).containsExactly(original.row(i));
      assertThat(reloaded.encounter(i).probability()).isEqualTo(original.encounter(i).probability());
    }
    assertThat(new FittedRows(model, null, 6, 1000).row(1)).isNotEqualTo(original.row(1));
  }

  @Test
  void fittingTwiceGivesTheSameGeneratorWhereverTheSourceLies() {
    GeneratorModel again = GeneratorFit.fit("file:///elsewhere/sample.csv", SampleRows.raw(), line -> { });
    assertThat(again.sha256()).isEqualTo(model.sha256());
    assertThat(again.source()).isEqualTo("file:///elsewhere/sample.csv");
  }

  @Test
  void labelsFollowTheTeacherAndTerminalEncountersAreNeverReadmitted() {
    FittedRows rows = new FittedRows(model, null, 3, 50_000);
    int readmitted = RawSchema.columns().indexOf(RawSchema.READMITTED);
    double expected = 0;
    long positives = 0;
    for (long i = 0; i < rows.rows(); i++) {
      FittedRows.Encounter e = rows.encounter(i);
      boolean positive = e.fields()[readmitted].equals(RawSchema.READMITTED_POSITIVE);
      if (GeneratorModel.terminal(FeatureColumns.of(e.fields()))) {
        assertThat(e.probability()).isZero();
        assertThat(positive).isFalse();
      }
      assertThat(e.fields()[readmitted]).isIn(RawSchema.READMITTED_VALUES);
      expected += e.probability();
      positives += positive ? 1 : 0;
    }
    // Bernoulli(p) labels: the count of positives is within 4 standard deviations of the sum of p.
    assertThat((double) positives).isCloseTo(expected, within(4 * Math.sqrt(expected)));
  }

  @Test
  void aMalformedGeneratorFileIsRefusedWithItsName() {
    String json = model.toJson().replace("\"format\" : 1", "\"format\" : 99");
    assertThatThrownBy(() -> GeneratorModel.fromJson(json, "old.json"))
        .hasMessageContaining("old.json").hasMessageContaining("format 99");
    assertThatThrownBy(() -> GeneratorModel.fromJson("{", "broken.json"))
        .hasMessageContaining("broken.json: not a fitted generator");
  }
}
