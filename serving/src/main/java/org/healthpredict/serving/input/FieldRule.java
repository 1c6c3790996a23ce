package org.healthpredict.serving.input;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one raw column accepts in a request, and how its JSON value becomes the typed value the
 * feature stages read. Missing values may be sent as {@code null}, {@code "?"} (the data set's own
 * marker) or left out; a required column must carry a value.
 */
public sealed interface FieldRule {

  boolean required();

  /**
   * Reads the value at the parser's current token. Returns the typed value, or null for missing or
   * when the value is bad (then an error is added under the field's path, see {@link #path}).
   *
   * @param record the record's index in a batch, or -1 for a single record
   */
  Object read(JsonParser p, int record, String name, List<FieldError> errors) throws IOException;

  /**
   * A field's path in error messages: {@code age} or {@code records[3].age}. Built only when there
   * is an error: concatenating it for every field cost as much as parsing the value.
   */
  static String path(int record, String name) {
    return record < 0 ? name : "records[" + record + "]." + name;
  }

  /** 64-bit identifiers: positive integers. */
  record Id(boolean required) implements FieldRule {
    @Override
    public Object read(JsonParser p, int record, String name, List<FieldError> errors) throws IOException {
      JsonToken t = p.currentToken();
      if (isMissing(p, t)) {
        return null;
      }
      if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
          && p.getLongValue() > 0) {
        return p.getLongValue();
      }
      errors.add(new FieldError(path(record, name), "wrong type or out of range", "a positive integer identifier"));
      p.skipChildren();
      return null;
    }
  }

  /** Counts and codes: integers within [min, max]. */
  record IntRange(boolean required, int min, int max, String meaning) implements FieldRule {
    @Override
    public Object read(JsonParser p, int record, String name, List<FieldError> errors) throws IOException {
      JsonToken t = p.currentToken();
      if (isMissing(p, t)) {
        return null;
      }
      if (t != JsonToken.VALUE_NUMBER_INT) {
        errors.add(new FieldError(path(record, name), "wrong type", "an integer (" + meaning + ")"));
        p.skipChildren();
        return null;
      }
      long v = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Long.MAX_VALUE : p.getLongValue();
      if (v < min || v > max) {
        errors.add(new FieldError(path(record, name), "out of range", "an integer from " + min + " to " + max + " (" + meaning + ")"));
        return null;
      }
      return (int) v;
    }
  }

  /**
   * Categories from a closed list the data set defines (age brackets, lab results, dosage changes).
   * A value is matched against the list in the parser's buffer and the list's own String returned:
   * no String per value, and the indexers' hash lookups find its hash code cached.
   */
  final class Vocabulary implements FieldRule {
    private final boolean required;
    private final Set<String> values;
    /** The values as an array: the lookup below runs for every field of every record. */
    private final String[] ordered;

    Vocabulary(boolean required, Set<String> values) {
      this.required = required;
      this.values = values;
      this.ordered = values.toArray(String[]::new);
    }

    @Override
    public boolean required() {
      return required;
    }

    public Set<String> values() {
      return values;
    }

    @Override
    public Object read(JsonParser p, int record, String name, List<FieldError> errors) throws IOException {
      JsonToken t = p.currentToken();
      if (isMissing(p, t)) {
        return null;
      }
      String known = t == JsonToken.VALUE_STRING ? find(p) : null;
      if (known != null) {
        return known;
      }
      errors.add(new FieldError(path(record, name), t == JsonToken.VALUE_STRING ? "unknown value" : "wrong type",
          "one of " + new TreeSet<>(values)));
      p.skipChildren();
      return null;
    }

    private String find(JsonParser p) throws IOException {
      char[] buffer = p.getTextCharacters();
      int offset = p.getTextOffset();
      int length = p.getTextLength();
      for (String value : ordered) {
        if (value.length() == length && matches(value, buffer, offset)) {
          return value;
        }
      }
      return null;
    }

    private static boolean matches(String value, char[] buffer, int offset) {
      for (int k = 0; k < value.length(); k++) {
        if (buffer[offset + k] != value.charAt(k)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Open categories (race, specialty, ICD-9 codes): any short string, since a value never seen in
   * training is valid input and scores through the "unseen" slot of its indexer.
   */
  record FreeText(boolean required, int maxLength) implements FieldRule {
    @Override
    public Object read(JsonParser p, int record, String name, List<FieldError> errors) throws IOException {
      JsonToken t = p.currentToken();
      if (isMissing(p, t)) {
        return null;
      }
      if (t == JsonToken.VALUE_STRING && p.getTextLength() <= maxLength) {
        return p.getText();
      }
      errors.add(new FieldError(path(record, name), t == JsonToken.VALUE_STRING ? "too long" : "wrong type",
          "a string of at most " + maxLength + " characters"));
      p.skipChildren();
      return null;
    }
  }

  /** Accepted and ignored: the label columns, which a scoring request may carry from a test file. */
  record Ignored() implements FieldRule {
    @Override
    public boolean required() {
      return false;
    }

    @Override
    public Object read(JsonParser p, int record, String name, List<FieldError> errors) throws IOException {
      p.skipChildren();
      return null;
    }
  }

  private static boolean isMissing(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return true;
    }
    if (t != JsonToken.VALUE_STRING) {
      return false;
    }
    // Read in the parser's buffer: asking for the text would build a String for every value.
    int length = p.getTextLength();
    return length == 0 || (length == 1 && p.getTextCharacters()[p.getTextOffset()] == '?');
  }
}
