package org.healthpredict.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.healthpredict.core.data.RawSchema;

/**
 * One real encounter saved with a model as its MLflow input example, so a reader of the model can
 * see — and MLflow's tools can score — a record of exactly the shape the model expects.
 *
 * @param values the {@link ModelInput#columns()} in order, each a Long, Integer, String or null
 */
public record InputExample(Map<String, Object> values) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> LABELS = Set.of(RawSchema.READMITTED, RawSchema.TARGET);

  public InputExample {
    Map<String, Object> checked = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (StructField f : ModelInput.schema().fields()) {
      if (!values.containsKey(f.name())) {
        problems.add("column '" + f.name() + "' is missing");
        continue;
      }
      Object value = values.get(f.name());
      if (value == null) {
        if (!f.nullable()) {
          problems.add("column '" + f.name() + "' needs a value");
        }
        checked.put(f.name(), null);
        continue;
      }
      Object converted = convert(value, f.dataType());
      if (converted == null) {
        problems.add("column '" + f.name() + "' expects " + f.dataType().simpleString() + ", got "
            + value.getClass().getSimpleName() + " '" + value + "'");
      }
      checked.put(f.name(), converted);
    }
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(checked.keySet());
    unknown.removeAll(LABELS);
    if (!unknown.isEmpty()) {
      problems.add("unknown columns " + unknown);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("not a valid input example: " + String.join("; ", problems));
    }
    values = Collections.unmodifiableMap(checked);
  }

  /**
   * The example from a row with a schema, e.g. one of {@link RawSchema#typedSchema()}; its label
   * columns, if present, are left out because the model does not take them.
   */
  public static InputExample of(Row row) {
    if (row.schema() == null) {
      throw new IllegalArgumentException("the input example row has no schema; take it from a Dataset");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (String name : row.schema().fieldNames()) {
      values.put(name, row.get(row.fieldIndex(name)));
    }
    return new InputExample(values);
  }

  public static InputExample of(Map<String, ?> values) {
    return new InputExample(new LinkedHashMap<>(values));
  }

  /** {@code input_example.json}: the pandas "split" orient, {@code {"columns": [...], "data": [[...]]}}. */
  String splitJson() {
    return write(JSON, split());
  }

  /** {@code serving_input_example.json}: the body MLflow's scoring server accepts on /invocations. */
  String servingJson() {
    return write(PRETTY, Map.of("dataframe_split", split()));
  }

  private Map<String, Object> split() {
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("columns", List.copyOf(values.keySet()));
    split.put("data", List.of(new ArrayList<>(values.values())));
    return split;
  }

  private static String write(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the input example", e);
    }
  }

  /** The value as the column's Java type, or null if it cannot be one without loss. */
  private static Object convert(Object value, DataType type) {
    if (type.equals(DataTypes.StringType)) {
      return value instanceof String ? value : null;
    }
    if (!(value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)) {
      return null;
    }
    long n = ((Number) value).longValue();
    if (type.equals(DataTypes.LongType)) {
      return n;
    }
    if (type.equals(DataTypes.IntegerType)) {
      return n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? (Object) (int) n : null;
    }
    return null;
  }
}
