package org.healthpredict.core.data.synthetic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.healthpredict.core.storage.HadoopFiles;

/**
 * {@code _manifest.json} of a generated data set: the mode, size and seed; for the fitted mode the
 * generator's version and what it was fitted on, where the oracle is, and any scheduled drift with
 * the encounter it starts at. A benchmark reads the drift onset from here, not from the command line.
 */
public final class GenerationManifest {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private GenerationManifest() {}

  /**
   * The generation manifest of an input directory written by generate, or null when there is none
   * (real data, a single file, a glob): what a split records of where its input came from.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> readBeside(Configuration hadoop, String inputUri) {
    if (inputUri.contains("*") || !isDirectory(hadoop, inputUri)) {
      // Only a directory can hold one; asking an object store for a key below a file's key can fail.
      return null;
    }
    String uri = inputUri.replaceAll("/+$", "") + "/" + SyntheticEncounters.MANIFEST_FILE;
    if (!HadoopFiles.exists(hadoop, uri)) {
      return null;
    }
    try {
      return JSON.readValue(HadoopFiles.readString(hadoop, uri), Map.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(uri + ": not a generation manifest: " + e.getOriginalMessage(), e);
    }
  }

  private static boolean isDirectory(Configuration hadoop, String uri) {
    Path path = new Path(uri);
    try {
      return path.getFileSystem(hadoop).getFileStatus(path).isDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + uri, e);
    }
  }

  static String json(SyntheticEncounters.Options options, int partitions, FittedRows fitted) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", options.mode().name().toLowerCase(Locale.ROOT));
    m.put("rows", options.rows());
    m.put("seed", options.seed());
    m.put("partitions", partitions);
    m.put("firstEncounterId", SyntheticRows.ENCOUNTER_ID_BASE);
    if (fitted == null) {
      m.put("memorisable", true);
      m.put("note", "real rows resampled with their labels: for throughput figures only, not model quality");
    } else {
      GeneratorModel g = fitted.model();
      m.put("memorisable", false);
      Map<String, Object> generator = new LinkedHashMap<>();
      generator.put("file", SyntheticEncounters.GENERATOR_FILE);
      generator.put("format", g.format());
      generator.put("sha256", g.sha256());
      generator.put("source", g.source());
      generator.put("sourceRows", g.sourceRows());
      generator.put("positiveRate", g.positiveRate());
      generator.put("oracleRocAucTarget", GeneratorFit.ORACLE_ROC_AUC);
      m.put("generator", generator);
      m.put("oracle", Map.of("path", SyntheticEncounters.ORACLE, "columns",
          List.of("encounter_id", SyntheticEncounters.ORACLE_PROBABILITY, SyntheticEncounters.ORACLE_DRIFTED)));
      DriftSpec d = options.drift();
      if (d != null) {
        Map<String, Object> drift = new LinkedHashMap<>();
        drift.put("name", d.name());
        drift.put("description", d.description());
        drift.put("kind", d.kind().name().toLowerCase(Locale.ROOT));
        long onset = d.onsetIndex(options.rows());
        long ramp = d.rampRows(options.rows());
        drift.put("onsetIndex", onset);
        drift.put("onsetEncounterId", SyntheticRows.ENCOUNTER_ID_BASE + onset);
        drift.put("rampRows", ramp);
        drift.put("fullFromEncounterId", SyntheticRows.ENCOUNTER_ID_BASE + onset + Math.max(0, ramp - 1));
        drift.put("covariate", d.covariate());
        drift.put("concept", Map.of("scale", d.concept()));
        m.put("drift", drift);
      }
    }
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the generation manifest", e);
    }
  }
}
