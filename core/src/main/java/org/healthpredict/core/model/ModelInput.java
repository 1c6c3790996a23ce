package org.healthpredict.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.healthpredict.core.data.RawSchema;

/**
 * The columns a model scores — one raw encounter without its label — and their MLflow signature,
 * the column-spec JSON that {@code mlflow.pyfunc} enforces on input.
 */
public final class ModelInput {

  /**
   * The output spec MLflow infers for a Spark model: pyfunc returns the unnamed {@code prediction}
   * column (a double), see {@code mlflow.spark._PyFuncModelWrapper.predict}.
   */
  static final String OUTPUTS_JSON = "[{\"type\": \"double\", \"required\": true}]";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final StructType SCHEMA = buildSchema();

  private ModelInput() {}

  /** {@link RawSchema#typedSchema()} without {@code readmitted} and {@code readmitted_binary}. */
  public static StructType schema() {
    return SCHEMA;
  }

  public static List<String> columns() {
    return List.of(SCHEMA.fieldNames());
  }

  /** MLflow's name for a Spark column type, as {@code mlflow.types.DataType} spells it. */
  static String mlflowType(DataType type) {
    if (type.equals(DataTypes.LongType)) {
      return "long";
    }
    if (type.equals(DataTypes.IntegerType)) {
      return "integer";
    }
    if (type.equals(DataTypes.StringType)) {
      return "string";
    }
    if (type.equals(DataTypes.DoubleType)) {
      return "double";
    }
    throw new IllegalArgumentException("no MLflow column type for Spark type " + type.simpleString());
  }

  /** The signature's {@code inputs}: a JSON list of {@code {"type", "name", "required"}} column specs. */
  static String inputsJson() {
    return colspecJson(SCHEMA);
  }

  /**
   * MLflow's column-spec JSON of a schema, as model signatures and dataset inputs carry it, e.g. for
   * the split's typed columns.
   */
  public static String colspecJson(StructType schema) {
    List<String> specs = new ArrayList<>();
    for (StructField f : schema.fields()) {
      // "required" is about values, as the split validated them; json.dumps spacing, as MLflow writes it.
      specs.add("{\"type\": " + quote(mlflowType(f.dataType())) + ", \"name\": " + quote(f.name())
          + ", \"required\": " + !f.nullable() + "}");
    }
    return "[" + String.join(", ", specs) + "]";
  }

  private static String quote(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot quote " + text, e);
    }
  }

  private static StructType buildSchema() {
    List<StructField> fields = new ArrayList<>();
    for (StructField f : RawSchema.typedSchema().fields()) {
      if (!f.name().equals(RawSchema.READMITTED) && !f.name().equals(RawSchema.TARGET)) {
        fields.add(f);
      }
    }
    return DataTypes.createStructType(fields);
  }
}
