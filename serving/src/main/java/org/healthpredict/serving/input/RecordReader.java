package org.healthpredict.serving.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.healthpredict.core.data.RawSchema;

/**
 * Turns request bodies into typed records, collecting every offending field before refusing, so a
 * client learns all its mistakes at once. Reads with Jackson's streaming parser: no tree per
 * record, which matters for batches of a thousand.
 */
public final class RecordReader {

  private static final JsonFactory JSON = JsonFactory.builder().build();

  private final RecordSchema schema = RecordSchema.get();
  private final UnknownFields unknownFields;
  private final int maxBatch;
  private final int patientIndex = schema.index(RawSchema.PATIENT_NBR);

  public RecordReader(UnknownFields unknownFields, int maxBatch) {
    this.unknownFields = unknownFields;
    this.maxBatch = maxBatch;
  }

  /** One JSON object, as for {@code POST /predict}. */
  public ScoringRequest readOne(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidInputException(InvalidInputException.MALFORMED,
            "the body must be one JSON object keyed by the data set's column names");
      }
      List<FieldError> errors = new ArrayList<>();
      ScoringRequest request = readRecord(p, -1, errors);
      expectEnd(p);
      failOn(errors);
      return request;
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new IllegalStateException("reading an in-memory body cannot fail", e);
    }
  }

  /** {@code {"records": [...]}} or a bare array, as for {@code POST /predict/batch}. */
  public List<ScoringRequest> readBatch(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken first = p.nextToken();
      boolean wrapped = first == JsonToken.START_OBJECT;
      if (wrapped) {
        if (p.nextToken() != JsonToken.FIELD_NAME || !"records".equals(p.currentName())
            || p.nextToken() != JsonToken.START_ARRAY) {
          throw new InvalidInputException(InvalidInputException.MALFORMED,
              "the body must be {\"records\": [ ...objects... ]} or a JSON array of objects");
        }
      } else if (first != JsonToken.START_ARRAY) {
        throw new InvalidInputException(InvalidInputException.MALFORMED,
            "the body must be {\"records\": [ ...objects... ]} or a JSON array of objects");
      }
      List<ScoringRequest> out = new ArrayList<>();
      List<FieldError> errors = new ArrayList<>();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
        if (out.size() == maxBatch) {
          throw new InvalidInputException(InvalidInputException.TOO_LARGE,
              "a batch holds at most " + maxBatch + " records; split it");
        }
        out.add(readRecord(p, out.size(), errors));
      }
      if (t != JsonToken.END_ARRAY) {
        throw new InvalidInputException(InvalidInputException.MALFORMED,
            "records[" + out.size() + "] must be a JSON object");
      }
      if (wrapped && p.nextToken() != JsonToken.END_OBJECT) {
        throw new InvalidInputException(InvalidInputException.MALFORMED,
            "only the field \"records\" is allowed at the top level of a batch");
      }
      expectEnd(p);
      if (out.isEmpty()) {
        throw new InvalidInputException(InvalidInputException.UNPROCESSABLE, "the batch holds no records");
      }
      failOn(errors);
      return out;
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new IllegalStateException("reading an in-memory body cannot fail", e);
    }
  }

  private ScoringRequest readRecord(JsonParser p, int record, List<FieldError> errors) throws IOException {
    Object[] typed = new Object[schema.size()];
    boolean[] seen = new boolean[schema.size()];
    List<String> ignored = List.of();
    int expected = 0;
    while (true) {
      // Clients usually send the columns in the data set's order: then the next name is compared
      // byte for byte with the expected one, skipping the parser's name hashing and our map lookup,
      // which together took about a third of the parse. Any other order takes the general path.
      int i;
      String name;
      if (expected < typed.length && p.nextFieldName(schema.encodedName(expected))) {
        i = expected;
        name = schema.field(i);
      } else {
        if (expected == typed.length) {
          p.nextToken();  // past the last column: nothing expected to compare with
        }
        if (p.currentToken() != JsonToken.FIELD_NAME) {
          break;
        }
        name = p.currentName();
        i = schema.index(name);
      }
      p.nextToken();
      if (i >= 0) {
        expected = i + 1;
      }
      if (i < 0) {
        p.skipChildren();
        if (unknownFields == UnknownFields.REJECT) {
          errors.add(new FieldError(FieldRule.path(record, name), "unknown field", "a column of the data set (see GET /openapi.json)"));
        } else {
          ignored = ignored.isEmpty() ? new ArrayList<>() : ignored;
          ignored.add(name);
        }
        continue;
      }
      if (seen[i]) {
        // Covers a column sent under both its name and its alias, e.g. glyburide-metformin and glyburide_metformin.
        errors.add(new FieldError(FieldRule.path(record, name), "duplicate", "each column once"));
        p.skipChildren();
        continue;
      }
      seen[i] = true;
      int before = errors.size();
      Object value = schema.rule(i).read(p, record, name, errors);
      typed[i] = value;
      if (value == null && errors.size() == before && schema.rule(i).required()) {
        errors.add(new FieldError(FieldRule.path(record, name), "missing value", "a value; this column is never empty in the data set"));
      }
    }
    for (int i : schema.requiredIndexes()) {
      if (!seen[i]) {
        errors.add(new FieldError(FieldRule.path(record, schema.field(i)), "missing", "a value; this column is never empty in the data set"));
      }
    }
    return new ScoringRequest(typed, (Long) typed[patientIndex], ignored);
  }

  private static void expectEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new InvalidInputException(InvalidInputException.MALFORMED, "unexpected content after the JSON value");
    }
  }

  private static void failOn(List<FieldError> errors) {
    if (!errors.isEmpty()) {
      throw new InvalidInputException(InvalidInputException.UNPROCESSABLE,
          errors.size() + " field" + (errors.size() == 1 ? " does" : "s do") + " not match the record schema", errors);
    }
  }

  private static InvalidInputException malformed(JsonProcessingException e) {
    // The original message names line and column; the body itself is never echoed (patient data).
    String where = e.getLocation() == null ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    return new InvalidInputException(InvalidInputException.MALFORMED, "malformed JSON: " + e.getOriginalMessage() + where);
  }
}
