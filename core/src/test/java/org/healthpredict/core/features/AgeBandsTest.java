package org.healthpredict.core.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgeBandsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "[0-10), 5.0",
      "[10-20), 15.0",
      "[70-80), 75.0",
      "[90-100), 95.0",
  })
  void bracketBecomesItsMidpoint(String bracket, double midpoint) {
    assertThat(AgeBands.midpoint(bracket)).isEqualTo(midpoint);
  }

  @Test
  void nullStaysNullForTheImputer() {
    assertThat(AgeBands.midpoint(null)).isNull();
  }

  @Test
  void textNotInBracketFormIsNullRatherThanAnError() {
    assertThat(AgeBands.midpoint("75")).isNull();
    assertThat(AgeBands.midpoint("[a-b)")).isNull();
    assertThat(AgeBands.midpoint("[80-70)")).isNull();
    assertThat(AgeBands.midpoint("")).isNull();
  }
}
