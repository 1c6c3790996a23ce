package org.healthpredict.core.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Icd9GroupsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "139.8, other",
      "140, neoplasms",
      "239.9, neoplasms",
      "240, other",
      "249.99, other",
      "250, diabetes",
      "250.01, diabetes",
      "250.83, diabetes",
      "251, other",
      "389.9, other",
      "390, circulatory",
      "428, circulatory",
      "459.99, circulatory",
      "460, respiratory",
      "519.9, respiratory",
      "520, digestive",
      "579, digestive",
      "580, genitourinary",
      "629.9, genitourinary",
      "630, other",
      "709.9, other",
      "710, musculoskeletal",
      "739.9, musculoskeletal",
      "740, other",
      "784.9, other",
      "785, circulatory",
      "785.5, circulatory",
      "786, respiratory",
      "786.05, respiratory",
      "787, digestive",
      "788, genitourinary",
      "789, other",
      "799.9, other",
      "800, injury",
      "996.81, injury",
      "999, injury",
      "8, other",
      "276, other",
      "V27, other",
      "V57, other",
      "V99, other",
      "E909, other",
      "E888, other",
  })
  void groupsCodesByTheirCategoryNumber(String code, String group) {
    assertThat(Icd9Groups.group(code)).isEqualTo(group);
  }

  @Test
  void nullIsMissing() {
    assertThat(Icd9Groups.group(null)).isEqualTo("missing");
  }

  @Test
  void malformedCodesAreOtherRatherThanFailing() {
    assertThat(Icd9Groups.group("")).isEqualTo("other");
    assertThat(Icd9Groups.group("abc")).isEqualTo("other");
    assertThat(Icd9Groups.group("250.x")).isEqualTo("other");
    assertThat(Icd9Groups.group("99999")).isEqualTo("other");
  }

  @Test
  void surroundingSpacesAreIgnored() {
    assertThat(Icd9Groups.group(" 428 ")).isEqualTo("circulatory");
  }
}
