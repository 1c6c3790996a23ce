package org.healthpredict.core.features;

/**
 * Maps an ICD-9 diagnosis code to one of nine clinical groups, following the grouping of Strack et
 * al. (2014), the paper that published this data set: 700+ distinct codes are too sparse to learn
 * from one by one.
 */
public final class Icd9Groups {

  public static final String CIRCULATORY = "circulatory";
  public static final String RESPIRATORY = "respiratory";
  public static final String DIGESTIVE = "digestive";
  public static final String DIABETES = "diabetes";
  public static final String INJURY = "injury";
  public static final String MUSCULOSKELETAL = "musculoskeletal";
  public static final String GENITOURINARY = "genitourinary";
  public static final String NEOPLASMS = "neoplasms";
  public static final String OTHER = "other";
  public static final String MISSING = Categories.MISSING;

  private Icd9Groups() {}

  /**
   * The group of a code such as "428", "250.83" or "V57". Only the part before the decimal point
   * decides (459.99 is still circulatory, 250.xx is diabetes). Supplementary V and E codes, and
   * anything that is not a number, are "other"; null is "missing".
   */
  public static String group(String code) {
    if (code == null) {
      return MISSING;
    }
    int category = category(code);
    if (category < 0) {
      return OTHER;
    }
    return group(category);
  }

  private static String group(int c) {
    if (c == 250) {
      return DIABETES;
    }
    if ((c >= 390 && c <= 459) || c == 785) {
      return CIRCULATORY;
    }
    if ((c >= 460 && c <= 519) || c == 786) {
      return RESPIRATORY;
    }
    if ((c >= 520 && c <= 579) || c == 787) {
      return DIGESTIVE;
    }
    if (c >= 800 && c <= 999) {
      return INJURY;
    }
    if (c >= 710 && c <= 739) {
      return MUSCULOSKELETAL;
    }
    if ((c >= 580 && c <= 629) || c == 788) {
      return GENITOURINARY;
    }
    if (c >= 140 && c <= 239) {
      return NEOPLASMS;
    }
    return OTHER;
  }

  /**
   * The integer part of a numeric code, or -1 for V/E codes and malformed text. Parsed by hand
   * because this runs for three columns of every row and should not allocate.
   */
  private static int category(String code) {
    int start = 0;
    int end = code.length();
    while (start < end && code.charAt(start) == ' ') {
      start++;
    }
    while (end > start && code.charAt(end - 1) == ' ') {
      end--;
    }
    int value = 0;
    int digits = 0;
    int i = start;
    for (; i < end; i++) {
      char ch = code.charAt(i);
      if (ch == '.') {
        break;
      }
      if (ch < '0' || ch > '9' || digits == 4) {
        return -1;
      }
      value = value * 10 + (ch - '0');
      digits++;
    }
    if (digits == 0) {
      return -1;
    }
    for (i++; i < end; i++) {
      char ch = code.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
    }
    return value;
  }
}
