package org.healthpredict.core.split;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
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

  /** The raw input: its URI, the files read and the SHA-256 of their bytes. */
  public record Input(String uri, List<String> files, String sha256) {}

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

  /** Reads the manifest of a split output directory. */
  public static SplitManifest read(Configuration hadoop, String splitOutputUri) {
    return fromJson(HadoopFiles.readString(hadoop, splitOutputUri + "/" + FILE_NAME));
  }
}
