package org.healthpredict.core.data.synthetic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.features.AgeBands;
import org.healthpredict.core.features.Icd9Groups;

/**
 * One factor of a teacher term, read from a raw feature field: an indicator of a value or an ICD-9
 * group, or a standardised number (a missing number is 0, the mean).
 */
public record TeacherFactor(Kind kind, String column, String value, double center, double scale)
    implements Serializable {

  /** How the field becomes a number. */
  public enum Kind {
    /** 1 if the field equals {@code value}. */
    LEVEL,
    /** 1 if the field differs from {@code value}. */
    NOT,
    /** 1 if the ICD-9 code's group ({@link Icd9Groups}) is {@code value}. */
    GROUP,
    /** (x - center) / scale of a count. */
    LINEAR,
    /** (log(1 + x) - center) / scale of a count: diminishing returns of one more visit or drug. */
    LOG,
    /** 1 if the count is at least {@code center}: a step a tree can find and a line cannot. */
    AT_LEAST,
    /** (age bracket midpoint - center) / scale. */
    AGE
  }

  @JsonCreator
  public TeacherFactor(@JsonProperty("kind") Kind kind, @JsonProperty("column") String column,
      @JsonProperty("value") String value, @JsonProperty("center") double center,
      @JsonProperty("scale") double scale) {
    FeatureColumns.index(column);
    if ((kind == Kind.LEVEL || kind == Kind.NOT || kind == Kind.GROUP) && value == null) {
      throw new IllegalArgumentException(kind + " factor of " + column + " needs a value");
    }
    if ((kind == Kind.LINEAR || kind == Kind.LOG || kind == Kind.AGE) && !(scale > 0)) {
      throw new IllegalArgumentException(kind + " factor of " + column + ": scale must be positive, found " + scale);
    }
    this.kind = kind;
    this.column = column;
    this.value = value;
    this.center = center;
    this.scale = scale;
  }

  static TeacherFactor level(String column, String value) {
    return new TeacherFactor(Kind.LEVEL, column, value, 0, 0);
  }

  static TeacherFactor not(String column, String value) {
    return new TeacherFactor(Kind.NOT, column, value, 0, 0);
  }

  static TeacherFactor group(String column, String group) {
    return new TeacherFactor(Kind.GROUP, column, group, 0, 0);
  }

  static TeacherFactor atLeast(String column, int threshold) {
    return new TeacherFactor(Kind.AT_LEAST, column, null, threshold, 0);
  }

  /** The factor's value on one encounter's feature fields ({@link FeatureColumns} order). */
  double of(String[] features) {
    String raw = features[FeatureColumns.index(column)];
    return switch (kind) {
      case LEVEL -> raw.equals(value) ? 1 : 0;
      case NOT -> raw.equals(value) ? 0 : 1;
      case GROUP -> Icd9Groups.group(missingAsNull(raw)).equals(value) ? 1 : 0;
      case LINEAR -> raw.equals(RawSchema.MISSING) ? 0 : (Integer.parseInt(raw) - center) / scale;
      case LOG -> raw.equals(RawSchema.MISSING) ? 0 : (Math.log1p(Integer.parseInt(raw)) - center) / scale;
      case AT_LEAST -> !raw.equals(RawSchema.MISSING) && Integer.parseInt(raw) >= center ? 1 : 0;
      case AGE -> {
        Double midpoint = AgeBands.midpoint(missingAsNull(raw));
        yield midpoint == null ? 0 : (midpoint - center) / scale;
      }
    };
  }

  /** The raw number a numeric factor reads, before standardising (for fitting its center and scale). */
  static double rawNumber(Kind kind, String raw) {
    if (raw.equals(RawSchema.MISSING)) {
      return Double.NaN;
    }
    return switch (kind) {
      case LINEAR -> Integer.parseInt(raw);
      case LOG -> Math.log1p(Integer.parseInt(raw));
      case AGE -> {
        Double midpoint = AgeBands.midpoint(raw);
        yield midpoint == null ? Double.NaN : midpoint;
      }
      default -> throw new IllegalArgumentException(kind + " is not a standardised number");
    };
  }

  static String missingAsNull(String raw) {
    return raw.equals(RawSchema.MISSING) ? null : raw;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case LEVEL -> column + "=" + value;
      case NOT -> column + "!=" + value;
      case GROUP -> column + " in " + value;
      case AT_LEAST -> column + ">=" + (int) center;
      case LINEAR -> column;
      case LOG -> "log1p(" + column + ")";
      case AGE -> "age midpoint";
    };
  }
}
