package org.healthpredict.core.data.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.testing.SampleRows;
import org.junit.jupiter.api.Test;

/** The per-row generator on its own, without Spark. */
class SyntheticRowsTest {

  private static final SyntheticSource SOURCE = loadSample();
  private static final int ENCOUNTER = RawSchema.columns().indexOf(RawSchema.ENCOUNTER_ID);
  private static final int PATIENT = RawSchema.columns().indexOf(RawSchema.PATIENT_NBR);

  private static SyntheticSource loadSample() {
    return SyntheticSource.of("sample", SampleRows.raw());
  }

  @Test
  void sameSeedAndIndexGiveTheSameRowInAnyOrder() {
    SyntheticRows a = new SyntheticRows(SOURCE, 7, 1000);
    SyntheticRows b = new SyntheticRows(SOURCE, 7, 1000);

    String[] late = b.row(999);
    assertThat(a.row(0)).containsExactly(b.row(0));
    assertThat(a.row(999)).containsExactly(late);
  }

  @Test
  void differentSeedsGiveDifferentRows() {
    SyntheticRows a = new SyntheticRows(SOURCE, 7, 1000);
    SyntheticRows b = new SyntheticRows(SOURCE, 8, 1000);

    int same = 0;
    for (int i = 0; i < 100; i++) {
      if (List.of(a.row(i)).equals(List.of(b.row(i)))) {
        same++;
      }
    }
    assertThat(same).isLessThan(5);
  }

  @Test
  void encounterIdIsTheBasePlusTheRowIndex() {
    SyntheticRows rows = new SyntheticRows(SOURCE, 1, 100);

    assertThat(rows.row(0)[ENCOUNTER]).isEqualTo(String.valueOf(SyntheticRows.ENCOUNTER_ID_BASE));
    assertThat(rows.row(42)[ENCOUNTER]).isEqualTo(String.valueOf(SyntheticRows.ENCOUNTER_ID_BASE + 42));
  }

  @Test
  void aRevisitBelongsToAPatientFirstSeenInAnEarlierRow() {
    SyntheticRows rows = new SyntheticRows(SOURCE, 3, 20_000);

    assertThat(rows.patientOf(0)).isEqualTo(SyntheticRows.PATIENT_NBR_BASE);
    for (long i = 0; i < 20_000; i++) {
      long first = rows.patientOf(i) - SyntheticRows.PATIENT_NBR_BASE;
      assertThat(first).isBetween(0L, i);
      assertThat(rows.patientOf(first)).isEqualTo(rows.patientOf(i));
      assertThat(rows.row(i)[PATIENT]).isEqualTo(String.valueOf(rows.patientOf(i)));
    }
  }

  @Test
  void encountersPerPatientMatchTheSource() {
    int n = 100_000;
    SyntheticRows rows = new SyntheticRows(SOURCE, 11, n);
    Set<Long> patients = new HashSet<>();
    for (long i = 0; i < n; i++) {
      patients.add(rows.patientOf(i));
    }

    assertThat((double) n / patients.size()).isCloseTo(SOURCE.encountersPerPatient(), within(0.02));
  }

  @Test
  void zeroCountsStayZeroAndOthersStayInTheSourceRange() {
    SyntheticRows rows = new SyntheticRows(SOURCE, 5, 10_000);
    int emergency = RawSchema.columns().indexOf("number_emergency");
    int zeros = 0;
    for (long i = 0; i < 10_000; i++) {
      String[] row = rows.row(i);
      for (String column : SyntheticSource.JITTERED) {
        int v = Integer.parseInt(row[RawSchema.columns().indexOf(column)]);
        assertThat(v).as(column).isBetween(SOURCE.min(column), SOURCE.max(column));
      }
      zeros += row[emergency].equals("0") ? 1 : 0;
    }
    long sourceZeros = java.util.stream.IntStream.range(0, SOURCE.size())
        .filter(r -> SOURCE.row(r)[emergency].equals("0")).count();
    assertThat(zeros / 10_000.0).isCloseTo((double) sourceZeros / SOURCE.size(), within(0.02));
  }

  @Test
  void refusesARowCountOutsideOneToMaxRows() {
    assertThatThrownBy(() -> new SyntheticRows(SOURCE, 1, 0)).hasMessageContaining("rows");
    assertThatThrownBy(() -> new SyntheticRows(SOURCE, 1, SyntheticRows.MAX_ROWS + 1)).hasMessageContaining("rows");
  }
}
