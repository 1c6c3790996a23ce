package org.healthpredict.core.training;

import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.model.ModelInput;
import org.healthpredict.core.split.SplitManifest;
import org.healthpredict.core.tracking.DatasetInput;

/** A split output as the MLflow dataset input of the runs that train on it (`train`, `tune`). */
public final class SplitDatasetInput {

  private SplitDatasetInput() {}

  public static DatasetInput of(String splitUri, SplitManifest manifest) {
    String profile = "{\"train_rows\": " + manifest.parts().get("train").rows()
        + ", \"validation_rows\": " + manifest.parts().get("validation").rows()
        + ", \"test_rows\": " + manifest.parts().get("test").rows()
        + ", \"train_positive_rate\": " + manifest.parts().get("train").positiveRate() + "}";
    // MLflow's own column-spec format, so its UI shows the split's typed columns.
    String schema = "{\"mlflow_colspec\": " + ModelInput.colspecJson(RawSchema.typedSchema()) + "}";
    // MLflow keeps 36 characters of digest: a prefix of the raw input's SHA-256 identifies it.
    return DatasetInput.fromUri("split/initial", manifest.input().sha256().substring(0, 16), splitUri,
        schema, profile, "training");
  }
}
