package org.healthpredict.serving.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.serving.ServingModels;

/**
 * Writes what {@code make bench-serving} sends and serves: the reference forest the serving issue
 * names (100 trees, depth 8, behind the feature pipeline, fitted on the sample) as an MLflow model
 * directory, one realistic request body and a batch of 1,000 records from the sample.
 *
 * <p>Usage: {@code BenchInputs <work dir>}; writes {@code reference-forest/}, {@code record.json},
 * {@code batch-1000.json}.
 */
public final class BenchInputs {

  private BenchInputs() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: BenchInputs <work dir>");
      System.exit(2);
    }
    Path work = Files.createDirectories(Path.of(args[0]));
    List<ObjectNode> records = ServingModels.records();
    Files.writeString(work.resolve("record.json"), records.get(0).toString(), StandardCharsets.UTF_8);
    StringBuilder batch = new StringBuilder("{\"records\": [");
    for (int i = 0; i < 1000; i++) {
      batch.append(i == 0 ? "" : ",").append(records.get(i % records.size()));
    }
    Files.writeString(work.resolve("batch-1000.json"), batch.append("]}"), StandardCharsets.UTF_8);
    System.out.println("bench-inputs: wrote record.json and batch-1000.json");
    Path forest = work.resolve("model-rf");
    if (!Files.exists(forest.resolve("MLmodel"))) {
      long start = System.nanoTime();
      ServingModels.writeDirectory(work, ServingModels.referenceForest(), ModelFamily.RF);
      System.out.printf("bench-inputs: fitted the reference forest (100 trees, depth 8) in %.1f s%n",
          (System.nanoTime() - start) / 1e9);
    }
    System.out.println("bench-inputs: reference forest at " + forest);
    System.exit(0);
  }
}
