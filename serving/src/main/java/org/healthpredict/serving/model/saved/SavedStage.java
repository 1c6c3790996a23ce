package org.healthpredict.serving.model.saved;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.healthpredict.core.storage.HadoopFiles;
import scala.Option;

/**
 * One saved Spark ML stage directory: its {@code metadata} (class, uid, params, and model figures
 * such as numFeatures) and its Parquet {@code data}. Params are set through Spark's own metadata
 * reader, so every param is decoded exactly as {@code PipelineModel.load} decodes it.
 */
final class SavedStage {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern MAJOR_VERSION = Pattern.compile("(\\d+)\\.");

  private final Configuration hadoop;
  private final String uri;
  private final String json;
  private final JsonNode metadata;

  private SavedStage(Configuration hadoop, String uri, String json) {
    this.hadoop = hadoop;
    this.uri = uri;
    this.json = json;
    this.metadata = parse(json, uri);
  }

  /** The stage saved at {@code uri} (its metadata is the first line of {@code metadata/part-*}). */
  static SavedStage at(Configuration hadoop, String uri) {
    String metadataDir = uri + "/metadata";
    String text = HadoopFiles.readString(hadoop, firstPart(hadoop, metadataDir));
    return new SavedStage(hadoop, uri, text.lines().findFirst().orElse(""));
  }

  /**
   * Metadata held in a string (the trees of an ensemble keep theirs in a table): params and figures
   * only, no data directory of its own.
   */
  static SavedStage inline(String uri, String json) {
    return new SavedStage(null, uri, json);
  }

  String uri() {
    return uri;
  }

  String className() {
    return metadata.path("class").asText();
  }

  String uid() {
    return metadata.path("uid").asText();
  }

  int intField(String name) {
    JsonNode value = metadata.path(name);
    if (!value.canConvertToInt()) {
      throw new IllegalArgumentException(uri + ": metadata has no integer '" + name + "'");
    }
    return value.asInt();
  }

  int intField(String name, int fallback) {
    JsonNode value = metadata.path(name);
    return value.canConvertToInt() ? value.asInt() : fallback;
  }

  /** A param as saved: set explicitly, or else its default. */
  String stringParam(String name) {
    JsonNode value = metadata.path("paramMap").path(name);
    if (value.isMissingNode()) {
      value = metadata.path("defaultParamMap").path(name);
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(uri + ": metadata has no string param '" + name + "'");
    }
    return value.asText();
  }

  /** A string-array param set explicitly, such as a pipeline's {@code stageUids}. */
  String[] stringArrayParam(String name) {
    JsonNode value = metadata.path("paramMap").path(name);
    if (!value.isArray()) {
      throw new IllegalArgumentException(uri + ": metadata has no string-array param '" + name + "'");
    }
    String[] out = new String[value.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = value.get(i).asText();
    }
    return out;
  }

  /** Saved with a Spark version whose data layout this reader knows (3.0 and later). */
  boolean fromSpark3OrLater() {
    Matcher major = MAJOR_VERSION.matcher(metadata.path("sparkVersion").asText(""));
    return major.lookingAt() && Integer.parseInt(major.group(1)) >= 3;
  }

  /** Sets the saved params (explicit and default) on {@code instance}, as Spark's readers do. */
  void setParams(Params instance) {
    DefaultParamsReader.Metadata parsed = DefaultParamsReader$.MODULE$.parseMetadata(json, className());
    parsed.getAndSetParams(instance, Option.empty());
  }

  List<Group> rows(String child) {
    return ParquetRows.read(hadoop, uri + "/" + child);
  }

  Group dataRow() {
    return ParquetRows.single(hadoop, uri + "/data");
  }

  boolean hasData() {
    return HadoopFiles.exists(hadoop, uri + "/data");
  }

  private static String firstPart(Configuration hadoop, String dir) {
    try {
      Path path = new Path(dir);
      for (FileStatus f : path.getFileSystem(hadoop).listStatus(path)) {
        if (f.getPath().getName().startsWith("part-")) {
          return f.getPath().toString();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    throw new IllegalArgumentException(dir + " holds no part file: not a saved Spark ML stage");
  }

  private static JsonNode parse(String json, String uri) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.path("class").isTextual()) {
        throw new IllegalArgumentException(uri + "/metadata is not Spark ML metadata: it names no class");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(uri + "/metadata is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
