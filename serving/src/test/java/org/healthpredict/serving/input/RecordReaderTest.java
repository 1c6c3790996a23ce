package org.healthpredict.serving.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.healthpredict.core.data.RawSchema;
import org.junit.jupiter.api.Test;

class RecordReaderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final RecordSchema schema = RecordSchema.get();
  private final RecordReader reader = new RecordReader(UnknownFields.REJECT, 3);

  /** The sample's first encounter (encounter 2278392), as a client would send it. */
  static ObjectNode record() {
    ObjectNode r = JSON.createObjectNode();
    r.put("encounter_id", 2278392L).put("patient_nbr", 8222157L).put("race", "Caucasian").put("gender", "Female")
        .put("age", "[0-10)").put("weight", "?").put("admission_type_id", 6).put("discharge_disposition_id", 25)
        .put("admission_source_id", 1).put("time_in_hospital", 1).put("payer_code", "?")
        .put("medical_specialty", "Pediatrics-Endocrinology").put("num_lab_procedures", 41).put("num_procedures", 0)
        .put("num_medications", 1).put("number_outpatient", 0).put("number_emergency", 0).put("number_inpatient", 0)
        .put("diag_1", "250.83").put("diag_2", "?").put("diag_3", "?").put("number_diagnoses", 1)
        .put("max_glu_serum", "None").put("A1Cresult", "None");
    for (String med : RawSchema.MEDICATIONS) {
      r.put(med, "No");
    }
    r.put("change", "No").put("diabetesMed", "No").put("readmitted", "NO");
    return r;
  }

  private static byte[] bytes(Object json) {
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private List<FieldError> errorsOf(Object json) {
    try {
      reader.readOne(bytes(json));
    } catch (InvalidInputException e) {
      assertThat(e.status()).isEqualTo(422);
      return e.errors();
    }
    throw new AssertionError("expected the record to be refused: " + json);
  }

  /**
   * Columns in the data set's order take the parser's byte-compare fast path; any other order, an
   * alias, an unknown column in the middle or one after the last column take the general path. The
   * typed record must not depend on which.
   */
  @Test
  void fieldOrderAliasesAndExtraFieldsGiveTheSameTypedRecord() {
    ObjectNode inOrder = record();
    ObjectNode reversed = JSON.createObjectNode();
    List<String> names = new java.util.ArrayList<>();
    inOrder.fieldNames().forEachRemaining(names::add);
    java.util.Collections.reverse(names);
    names.forEach(n -> reversed.set(n.replace('-', '_'), inOrder.get(n)));
    ObjectNode shuffled = JSON.createObjectNode();
    java.util.Collections.shuffle(names, new java.util.Random(7));
    names.forEach(n -> shuffled.set(n, inOrder.get(n)));
    RecordReader ignoring = new RecordReader(UnknownFields.IGNORE, 3);
    ObjectNode withExtras = JSON.createObjectNode().put("note", "first");
    inOrder.fields().forEachRemaining(e -> {
      withExtras.set(e.getKey(), e.getValue());
      if (e.getKey().equals("diag_2")) {
        withExtras.put("ward", 7);
      }
    });
    withExtras.put("source", "last");

    Object[] expected = reader.readOne(bytes(inOrder)).typed();
    assertThat(expected[schema.index("glyburide-metformin")]).isEqualTo("No");
    assertThat(reader.readOne(bytes(reversed)).typed()).containsExactly(expected);
    assertThat(reader.readOne(bytes(shuffled)).typed()).containsExactly(expected);
    ScoringRequest extras = ignoring.readOne(bytes(withExtras));
    assertThat(extras.typed()).containsExactly(expected);
    assertThat(extras.ignoredFields()).containsExactly("note", "ward", "source");
  }

  @Test
  void aValidRecordBecomesTypedValuesInSchemaOrder() {
    ScoringRequest r = reader.readOne(bytes(record()));
    Object[] typed = r.typed();
    assertThat(typed).hasSize(RawSchema.typedSchema().fields().length);
    assertThat(typed[schema.index("encounter_id")]).isEqualTo(2278392L);
    assertThat(typed[schema.index("admission_type_id")]).isEqualTo(6);
    assertThat(typed[schema.index("age")]).isEqualTo("[0-10)");
    assertThat(typed[schema.index("medical_specialty")]).isEqualTo("Pediatrics-Endocrinology");
    // "?" is the data set's missing marker, read as missing exactly as the CSV parser does.
    assertThat(typed[schema.index("weight")]).isNull();
    assertThat(typed[schema.index("diag_2")]).isNull();
    assertThat(typed[schema.index("readmitted")]).isNull();
    assertThat(r.patientKey()).isEqualTo(8222157L);
    assertThat(r.ignoredFields()).isEmpty();
  }

  @Test
  void hyphenatedColumnsAcceptTheirSnakeCaseAlias() {
    ObjectNode r = record();
    r.remove("glyburide-metformin");
    r.put("glyburide_metformin", "Up");
    assertThat(reader.readOne(bytes(r)).typed()[schema.index("glyburide-metformin")]).isEqualTo("Up");
  }

  @Test
  void optionalFieldsMayBeNullOrLeftOut() {
    ObjectNode r = record();
    r.remove(List.of("race", "encounter_id", "patient_nbr", "diag_1", "A1Cresult", "readmitted"));
    r.putNull("medical_specialty");
    ScoringRequest read = reader.readOne(bytes(r));
    assertThat(read.typed()[schema.index("race")]).isNull();
    assertThat(read.typed()[schema.index("medical_specialty")]).isNull();
    assertThat(read.patientKey()).isNull();
  }

  @Test
  void unseenCategoriesOfOpenColumnsAreValid() {
    ObjectNode r = record().put("medical_specialty", "Space-Medicine").put("diag_1", "V99.9").put("race", "Martian");
    assertThat(reader.readOne(bytes(r)).typed()[schema.index("medical_specialty")]).isEqualTo("Space-Medicine");
  }

  @Test
  void everyMissingRequiredFieldIsNamed() {
    ObjectNode r = record();
    r.remove(List.of("age", "num_medications", "insulin"));
    r.putNull("gender");
    assertThat(errorsOf(r)).extracting(FieldError::field, FieldError::problem).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("gender", "missing value"),
        org.assertj.core.groups.Tuple.tuple("age", "missing"),
        org.assertj.core.groups.Tuple.tuple("num_medications", "missing"),
        org.assertj.core.groups.Tuple.tuple("insulin", "missing"));
  }

  @Test
  void wrongTypesAndOutOfRangeValuesAreNamedWithWhatWasExpected() {
    ObjectNode r = record().put("num_lab_procedures", -3).put("time_in_hospital", 15).put("age", "[100-110)")
        .put("number_inpatient", "two").put("encounter_id", "abc").put("insulin", "Lots");
    r.put("num_procedures", 1.5);
    List<FieldError> errors = errorsOf(r);
    assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("num_lab_procedures",
        "time_in_hospital", "age", "number_inpatient", "encounter_id", "insulin", "num_procedures");
    FieldError age = errors.stream().filter(e -> e.field().equals("age")).findFirst().orElseThrow();
    assertThat(age.problem()).isEqualTo("unknown value");
    assertThat(age.expected()).contains("[90-100)").contains("[0-10)");
    FieldError stay = errors.stream().filter(e -> e.field().equals("time_in_hospital")).findFirst().orElseThrow();
    assertThat(stay.problem()).isEqualTo("out of range");
    assertThat(stay.expected()).contains("from 1 to 14");
  }

  @Test
  void unknownFieldsAreRejectedOrIgnoredAsConfigured() {
    ObjectNode r = record().put("A1C_result", ">8").put("favourite_colour", "blue");
    assertThat(errorsOf(r)).extracting(FieldError::field, FieldError::problem).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("A1C_result", "unknown field"),
        org.assertj.core.groups.Tuple.tuple("favourite_colour", "unknown field"));
    ScoringRequest lenient = new RecordReader(UnknownFields.IGNORE, 3).readOne(bytes(r));
    assertThat(lenient.ignoredFields()).containsExactly("A1C_result", "favourite_colour");
  }

  @Test
  void aColumnSentTwiceUnderNameAndAliasIsRefused() {
    ObjectNode r = record().put("glyburide_metformin", "Up");
    assertThat(errorsOf(r)).extracting(FieldError::field, FieldError::problem)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("glyburide_metformin", "duplicate"));
  }

  @Test
  void malformedBodiesAre400WithTheLocation() {
    assertThatThrownBy(() -> reader.readOne("{\"age\": ".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("malformed JSON").hasMessageContaining("line 1");
    assertThatThrownBy(() -> reader.readOne("[1, 2]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("one JSON object");
    assertThatThrownBy(() -> reader.readOne((record() + " {}").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void batchesReadInOrderWrappedOrBare() {
    String two = "[" + record() + "," + record().put("age", "[50-60)") + "]";
    List<ScoringRequest> bare = reader.readBatch(two.getBytes(StandardCharsets.UTF_8));
    List<ScoringRequest> wrapped = reader.readBatch(("{\"records\": " + two + "}").getBytes(StandardCharsets.UTF_8));
    for (List<ScoringRequest> batch : List.of(bare, wrapped)) {
      assertThat(batch).extracting(r -> r.typed()[schema.index("age")]).containsExactly("[0-10)", "[50-60)");
    }
  }

  @Test
  void batchErrorsNameTheRecordIndex() {
    ObjectNode bad = record().put("age", "old");
    String body = "{\"records\": [" + record() + "," + bad + "]}";
    assertThatThrownBy(() -> reader.readBatch(body.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.status()).isEqualTo(422);
          assertThat(e.errors()).extracting(FieldError::field).containsExactly("records[1].age");
        });
  }

  @Test
  void batchesOverTheLimitAre413AndEmptyOnes422() {
    String four = "[" + record() + "," + record() + "," + record() + "," + record() + "]";
    assertThatThrownBy(() -> reader.readBatch(four.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessageContaining("at most 3 records");
    assertThatThrownBy(() -> reader.readBatch("{\"records\": []}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.status()).isEqualTo(422));
    assertThatThrownBy(() -> reader.readBatch("{\"rows\": []}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.status()).isEqualTo(400));
  }
}
