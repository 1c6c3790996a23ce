package org.healthpredict.core.data.synthetic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.healthpredict.core.data.RawSchema;

/**
 * The fitted generator, saved as JSON beside the data it made: a tree of column models (each column
 * drawn given the states of its parent columns: its parent in a Chow–Liu tree, and further ones
 * where they add information) for the 47 features, and the teacher that labels
 * them. Loading the same file and seed gives the same rows on any cluster.
 */
public record GeneratorModel(
    int format,
    String source,
    long sourceRows,
    double encountersPerPatient,
    double positiveRate,
    double over30ShareOfNegatives,
    double smoothing,
    List<ColumnModel> columns,
    Teacher teacher) implements Serializable {

  /** Bumped whenever the meaning of a field changes; a file of another format is refused. */
  public static final int FORMAT = 1;

  private static final int DISPOSITION = FeatureColumns.index(RawSchema.DISCHARGE_DISPOSITION_ID);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @JsonCreator
  public GeneratorModel(@JsonProperty("format") int format, @JsonProperty("source") String source,
      @JsonProperty("sourceRows") long sourceRows, @JsonProperty("encountersPerPatient") double encountersPerPatient,
      @JsonProperty("positiveRate") double positiveRate,
      @JsonProperty("over30ShareOfNegatives") double over30ShareOfNegatives,
      @JsonProperty("smoothing") double smoothing, @JsonProperty("columns") List<ColumnModel> columns,
      @JsonProperty("teacher") Teacher teacher) {
    if (format != FORMAT) {
      throw new IllegalArgumentException("generator format " + format + " is not supported; expected " + FORMAT
          + " (refit it with this version's generate)");
    }
    if (columns.size() != FeatureColumns.NAMES.size()) {
      throw new IllegalArgumentException("generator: expected " + FeatureColumns.NAMES.size() + " columns, found "
          + columns.size());
    }
    boolean[] seen = new boolean[columns.size()];
    for (ColumnModel c : columns) {
      for (String parent : c.parents()) {
        if (!seen[FeatureColumns.index(parent)]) {
          throw new IllegalArgumentException("generator: column " + c.name() + " comes before its parent " + parent);
        }
      }
      seen[c.featureIndex()] = true;
    }
    this.format = format;
    this.source = source;
    this.sourceRows = sourceRows;
    this.encountersPerPatient = encountersPerPatient;
    this.positiveRate = positiveRate;
    this.over30ShareOfNegatives = over30ShareOfNegatives;
    this.smoothing = smoothing;
    this.columns = List.copyOf(columns);
    this.teacher = teacher;
  }

  /** One encounter's feature fields ({@link FeatureColumns} order), each column drawn given its parents. */
  String[] sampleFeatures(SplittableRandom random) {
    int[] drawn = new int[columns.size()];
    ColumnModel[] byFeature = new ColumnModel[columns.size()];
    String[] out = new String[columns.size()];
    for (ColumnModel c : columns) {
      int parentState = 0;
      for (int parent : c.parentIndices()) {
        ColumnModel p = byFeature[parent];
        parentState = parentState * p.states() + p.stateOf(drawn[parent]);
      }
      int v = c.draw(parentState, random);
      drawn[c.featureIndex()] = v;
      byFeature[c.featureIndex()] = c;
      out[c.featureIndex()] = c.values().get(v);
    }
    return out;
  }

  /** Whether the encounter ended in death or hospice: never readmitted, and left out of modelling by split. */
  static boolean terminal(String[] features) {
    String disposition = features[DISPOSITION];
    return !disposition.equals(RawSchema.MISSING)
        && RawSchema.TERMINAL_DISPOSITIONS.contains(Integer.parseInt(disposition));
  }

  /** The readmission probability of an encounter under a teacher: 0 when terminal. */
  static double probability(Teacher teacher, String[] features) {
    return terminal(features) ? 0 : teacher.probability(features);
  }

  public GeneratorModel withTeacher(Teacher changed) {
    return new GeneratorModel(format, source, sourceRows, encountersPerPatient, positiveRate, over30ShareOfNegatives,
        smoothing, columns, changed);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the generator as JSON", e);
    }
  }

  public static GeneratorModel fromJson(String json, String where) {
    try {
      return JSON.readValue(json, GeneratorModel.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": not a fitted generator: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * SHA-256 of the JSON without the source's location: the version a manifest names, the same for
   * the same fit wherever the source was read from.
   */
  public String sha256() {
    GeneratorModel anywhere = new GeneratorModel(format, "", sourceRows, encountersPerPatient, positiveRate,
        over30ShareOfNegatives, smoothing, columns, teacher);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(anywhere.toJson().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
