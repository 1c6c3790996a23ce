package org.healthpredict.core.data.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.healthpredict.core.data.CsvLine;
import org.healthpredict.core.data.RawReader;
import org.healthpredict.core.data.RawSchema;
import org.healthpredict.core.evaluation.BinaryEvaluation;
import org.healthpredict.core.evaluation.ScoredPairs;
import org.healthpredict.core.features.FeatureFit;
import org.healthpredict.core.features.FeaturePipeline;
import org.healthpredict.core.features.ModelFamily;
import org.healthpredict.core.split.EncounterSplitter;
import org.healthpredict.core.testing.SampleRows;
import org.healthpredict.core.testing.TestSpark;
import org.healthpredict.core.training.Classifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated rows teach what real rows teach (train on synthetic, test on real), and no model fitted
 * on them beats the oracle, whose probabilities made their labels.
 */
class TrainOnSyntheticTest {

  private static final int PATIENT = RawSchema.columns().indexOf(RawSchema.PATIENT_NBR);

  @TempDir
  Path dir;

  @Test
  void modelsFittedOnGeneratedRowsReachNinetyPercentOfTheRealOnesOnRealPatients() throws IOException {
    List<String[]> train = new ArrayList<>();
    List<String[]> test = new ArrayList<>();
    for (String[] row : SampleRows.raw()) {
      (Math.floorMod(SeedMix.mix(1, 2, Long.parseLong(row[PATIENT])), 4) == 0 ? test : train).add(row);
    }
    // The generator sees the training patients only: the held-out ones stay unseen by it and its teacher.
    GeneratorModel model = GeneratorFit.fit("train patients", train, line -> { });
    FittedRows generated = new FittedRows(model, null, 21, 20_000);
    List<String[]> synthetic = new ArrayList<>();
    for (long i = 0; i < generated.rows(); i++) {
      synthetic.add(generated.row(i));
    }
    Dataset<Row> realTrain = modelling(write("real-train", train));
    Dataset<Row> realTest = modelling(write("real-test", test));
    Dataset<Row> syntheticTrain = modelling(write("synthetic", synthetic));

    for (String family : List.of("lr", "gbt")) {
      double real = rocAuc(family, realTrain, realTest);
      double onSynthetic = rocAuc(family, syntheticTrain, realTest);
      System.out.printf("train on synthetic, test on real: %s real %.4f synthetic %.4f ratio %.3f%n", family, real,
          onSynthetic, onSynthetic / real);
      assertThat(real).as(family + " fitted on real rows").isGreaterThan(0.58);
      assertThat(onSynthetic).as(family + " fitted on generated rows, real %.4f", real).isGreaterThanOrEqualTo(0.9 * real);
    }
  }

  @Test
  void noModelFittedOnGeneratedRowsBeatsTheOracleOnTheirTestRows() throws IOException {
    GeneratorModel model = GeneratorFit.fit("sample", SampleRows.raw(), line -> { });
    FittedRows generated = new FittedRows(model, null, 8, 40_000);
    List<String[]> train = new ArrayList<>();
    List<String[]> test = new ArrayList<>();
    List<Double> oracle = new ArrayList<>();
    List<Double> labels = new ArrayList<>();
    int readmitted = RawSchema.columns().indexOf(RawSchema.READMITTED);
    for (long i = 0; i < generated.rows(); i++) {
      FittedRows.Encounter e = generated.encounter(i);
      if (i < 30_000) {
        train.add(e.fields());
      } else {
        test.add(e.fields());
        if (!GeneratorModel.terminal(FeatureColumns.of(e.fields()))) {
          oracle.add(e.probability());
          labels.add(e.fields()[readmitted].equals(RawSchema.READMITTED_POSITIVE) ? 1.0 : 0.0);
        }
      }
    }
    double oracleAuc = new ScoredPairs(oracle.stream().mapToDouble(Double::doubleValue).toArray(),
        labels.stream().mapToDouble(Double::doubleValue).toArray()).metrics().rocAuc();
    Dataset<Row> trainRows = modelling(write("gen-train", train));
    Dataset<Row> testRows = modelling(write("gen-test", test));
    assertThat(testRows.count()).isEqualTo(oracle.size());

    assertThat(oracleAuc).isBetween(0.64, 0.73);
    for (String family : List.of("lr", "gbt")) {
      double auc = rocAuc(family, trainRows, testRows);
      System.out.printf("generated test rows: %s %.4f, oracle %.4f (%.3f of it)%n", family, auc, oracleAuc, auc / oracleAuc);
      assertThat(auc).as(family).isGreaterThan(0.6).isLessThan(oracleAuc);
    }
  }

  private static double rocAuc(String family, Dataset<Row> train, Dataset<Row> test) {
    var model = FeatureFit.fit(FeaturePipeline.pipeline(ModelFamily.valueOf(family.toUpperCase(java.util.Locale.ROOT)), Classifiers.create(family, Map.of(), 42)),
        train);
    return BinaryEvaluation.evaluate(model.transform(test), RawSchema.TARGET, "probability").rocAuc();
  }

  private Path write(String name, List<String[]> rows) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(CsvLine.join(RawSchema.columns()));
    rows.forEach(r -> lines.add(CsvLine.join(List.of(r))));
    Path file = dir.resolve(name + ".csv");
    Files.write(file, lines);
    return file;
  }

  /** Valid rows of a raw file, terminal encounters excluded, as split leaves them for modelling. */
  private static Dataset<Row> modelling(Path file) {
    return RawReader.read(TestSpark.session(), file.toUri().toString()).accepted()
        .filter(functions.not(EncounterSplitter.terminal())).cache();
  }
}
