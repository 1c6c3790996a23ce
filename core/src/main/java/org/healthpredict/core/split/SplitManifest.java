package org.healthpredict.core.split;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.healthpredict.core.storage.CommitMarker;
import org.healthpredict.core.storage.HadoopFiles;

/**
 * What a split produced, written as {@code manifest.json} beside the outputs: the input's identity,
 * the options, and rows, patients and positive rate of every part. Training runs log it as their
 * dataset input, so any model can be traced back to the exact data it saw.
 */
public record SplitManifest(
    int schemaVersion,
    String createdAt,
    Input input,
    SplitOptions options,
    Long initialCutoffEncounterId,
    Counts counts,
    Map<String, Part> parts,
    List<String> rejectionSamples) {

  public static final String FILE_NAME = "manifest.json";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * The raw input: its URI, the files read and the SHA-256 of their bytes; for generated input, the
   * generator's own manifest (its version, the oracle, any scheduled drift), else null.
   */
  public record Input(String uri, List<String> files, String sha256, Map<String, Object> generated) {

    /** Run parameters naming generated input: the generator's version and the scheduled drift; none for real data. */
    public Map<String, String> generatorParams() {
      Map<String, String> params = new LinkedHashMap<>();
      if (generated != null) {
        params.put("data_generation_mode", String.valueOf(generated.get("mode")));
        if (generated.get("generator") instanceof Map<?, ?> g) {
          params.put("data_generator_sha256", String.valueOf(g.get("sha256")));
        }
        if (generated.get("drift") instanceof Map<?, ?> d) {
          params.put("data_drift", d.get("name") + " (" + d.get("kind") + ", from encounter_id "
              + d.get("onsetEncounterId") + ")");
        }
      }
      return params;
    }
  }

  /** Row accounting: every line read is accepted or rejected; every accepted row is excluded or placed. */
  public record Counts(long linesRead, long accepted, long rejected, long excludedTerminal,
      long modelling, long initial, long future) {}

  /** One output part: where it is, how many rows and patients, and the share of 30-day readmissions. */
  public record Part(String path, long rows, long patients, long positives, double positiveRate) {}

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the split manifest", e);
    }
  }

  public static SplitManifest fromJson(String json) {
    try {
      return JSON.readValue(json, SplitManifest.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a split manifest: " + e.getOriginalMessage(), e);
    }
  }

  /** Reads the manifest of a split output directory, refusing one whose commit was interrupted. */
  public static SplitManifest read(Configuration hadoop, String splitOutputUri) {
    CommitMarker.requireComplete(hadoop, splitOutputUri, "the split");
    return fromJson(HadoopFiles.readString(hadoop, splitOutputUri + "/" + FILE_NAME));
  }
}
