package org.healthpredict.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SearchSpaceTest {

  /** A one-family file with the given resource and params blocks (already indented for the family). */
  private static String gbt(String resource, String params) {
    return "families:\n  gbt:\n" + (resource == null ? "" : "    resource: " + resource + "\n")
        + "    params:\n" + params;
  }

  private static final String GBT_RESOURCE = "{kind: iterations, param: maxIter, min: 5, max: 135}";

  @Test
  void defaultSpaceHasLrRfAndGbtWithFourRungsEach() {
    SearchSpace space = SearchSpace.defaultSpace();

    assertThat(space.families()).containsOnlyKeys("gbt", "lr", "rf");
    FamilySpace lr = space.family("lr");
    assertThat(lr.resource()).isEqualTo(new ResourceSpec(ResourceSpec.Kind.ITERATIONS, "maxIter", 4, 100));
    assertThat(lr.params()).containsEntry("regParam", new Distribution.LogUniform(1e-3, 0.3))
        .containsEntry("elasticNetParam", new Distribution.Uniform(0.0, 0.25));
    FamilySpace rf = space.family("rf");
    assertThat(rf.resource().kind()).isEqualTo(ResourceSpec.Kind.TREES);
    assertThat(rf.resource().param()).isEqualTo("numTrees");
    assertThat(rf.params()).containsEntry("maxDepth", new Distribution.IntUniform(4, 12))
        .containsEntry("minWeightFractionPerNode", new Distribution.LogUniform(1e-4, 0.02))
        .containsEntry("featureSubsetStrategy", new Distribution.Choice(List.of("sqrt", "log2", "onethird")));
    assertThat(space.family("gbt").params())
        .containsOnlyKeys("maxDepth", "stepSize", "subsamplingRate", "minWeightFractionPerNode");
    space.families().values().forEach(f -> assertThat(f.resource().milestones(3)).hasSize(4));
  }

  @Test
  void jsonFileReadsLikeTheSameYaml() {
    SearchSpace yaml = SearchSpace.parse(gbt(GBT_RESOURCE, """
              maxDepth: {int: [2, 8]}
              minInfoGain: {choice: [0.0, 0.01]}
              impurity: {choice: [gini, entropy]}
              bins: {qint: [16, 64, 16]}
        """), "space.yaml");
    SearchSpace json = SearchSpace.parse("""
        {"families": {"gbt": {
          "resource": {"kind": "iterations", "param": "maxIter", "min": 5, "max": 135},
          "params": {"maxDepth": {"int": [2, 8]}, "minInfoGain": {"choice": [0.0, 0.01]},
                     "impurity": {"choice": ["gini", "entropy"]}, "bins": {"qint": [16, 64, 16]}}}}}
        """, "space.json");
    assertThat(json).isEqualTo(yaml);
  }

  @Test
  void loadsAFileByItsExtension(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("space.yml");
    Files.writeString(file, gbt(GBT_RESOURCE, "      maxDepth: {int: [2, 8]}\n"));
    assertThat(SearchSpace.load(file).family("gbt").params()).containsOnlyKeys("maxDepth");

    assertThatThrownBy(() -> SearchSpace.load(dir.resolve("missing.yaml")))
        .isInstanceOf(SearchSpaceException.class).hasMessageContaining("missing.yaml: cannot read the file");
  }

  @Test
  void familyNamedByClassRowsResourceAndWeightAreRead() {
    SearchSpace space = SearchSpace.parse("""
        families:
          org.apache.spark.ml.classification.LinearSVC:
            weight: 0.5
            resource: {kind: rows, min: 0.1, max: 1}
            params:
              regParam: {loguniform: [1e-4, 1]}
              fitIntercept: {choice: [true, false]}
        """, "svc.yaml");
    FamilySpace svc = space.family("org.apache.spark.ml.classification.LinearSVC");
    assertThat(svc.weight()).isEqualTo(0.5);
    assertThat(svc.resource()).isEqualTo(new ResourceSpec(ResourceSpec.Kind.ROWS, null, 0.1, 1.0));
    // YAML 1.1 reads 1e-4 (no dot) as text; it is taken as the number it was meant to be.
    assertThat(svc.params()).containsEntry("regParam", new Distribution.LogUniform(1e-4, 1))
        .containsEntry("fitIntercept", new Distribution.Choice(List.of(true, false)));
  }

  @Test
  void resourceParamDefaultsToMaxIterAndNumTrees() {
    SearchSpace space = SearchSpace.parse("""
        families:
          lr: {resource: {kind: iterations, min: 1, max: 9}}
          rf: {resource: {kind: trees, min: 1, max: 9}}
        """, "s.yaml");
    assertThat(space.family("lr").resource().param()).isEqualTo("maxIter");
    assertThat(space.family("rf").resource().param()).isEqualTo("numTrees");
    assertThat(space.family("lr").params()).isEmpty();
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("int with low > high", gbt(GBT_RESOURCE, "      maxDepth: {int: [8, 2]}\n"),
            "families.gbt.params.maxDepth: int expects [low, high] with low <= high, found [8, 2]"),
        Arguments.of("int with a fraction", gbt(GBT_RESOURCE, "      maxDepth: {int: [2.5, 8]}\n"),
            "families.gbt.params.maxDepth: int expects [low, high] with low <= high (whole numbers), found [2.5, 8]"),
        Arguments.of("uniform with low > high", gbt(GBT_RESOURCE, "      subsamplingRate: {uniform: [1.0, 0.5]}\n"),
            "families.gbt.params.subsamplingRate: uniform expects [low, high] with low <= high, found [1.0, 0.5]"),
        Arguments.of("uniform with one bound", gbt(GBT_RESOURCE, "      subsamplingRate: {uniform: [0.5]}\n"),
            "families.gbt.params.subsamplingRate: uniform expects [low, high] with low <= high, found [0.5]"),
        Arguments.of("loguniform from zero", gbt(GBT_RESOURCE, "      stepSize: {loguniform: [0, 0.3]}\n"),
            "families.gbt.params.stepSize: loguniform expects [low, high] with 0 < low <= high, found [0, 0.3]"),
        Arguments.of("loguniform with text", gbt(GBT_RESOURCE, "      stepSize: {loguniform: [small, 0.3]}\n"),
            "families.gbt.params.stepSize: loguniform expects [low, high] with 0 < low <= high, found [\"small\", 0.3]"),
        Arguments.of("qint with q = 0", gbt(GBT_RESOURCE, "      maxBins: {qint: [16, 128, 0]}\n"),
            "families.gbt.params.maxBins: qint expects [low, high, q] with low <= high and q >= 1, found [16, 128, 0]"),
        Arguments.of("empty choice", gbt(GBT_RESOURCE, "      impurity: {choice: []}\n"),
            "families.gbt.params.impurity: choice expects a non-empty list of strings, numbers or booleans, found []"),
        Arguments.of("nested choice", gbt(GBT_RESOURCE, "      impurity: {choice: [[a]]}\n"),
            "families.gbt.params.impurity: choice expects a non-empty list of strings, numbers or booleans, found [[\"a\"]]"),
        Arguments.of("unknown distribution", gbt(GBT_RESOURCE, "      maxDepth: {normal: [5, 1]}\n"),
            "families.gbt.params.maxDepth: unknown distribution 'normal'; expected one of uniform, loguniform, int, qint, choice"),
        Arguments.of("two distributions", gbt(GBT_RESOURCE, "      maxDepth: {int: [2, 8], uniform: [2, 8]}\n"),
            "families.gbt.params.maxDepth: expected one distribution such as {int: [2, 8]} or {choice: [a, b]}"),
        Arguments.of("bare value", gbt(GBT_RESOURCE, "      maxDepth: 5\n"),
            "families.gbt.params.maxDepth: expected one distribution such as {int: [2, 8]} or {choice: [a, b]}, found 5"),
        Arguments.of("resource searched", gbt(GBT_RESOURCE, "      maxIter: {int: [5, 50]}\n"),
            "families.gbt.params.maxIter: is this family's ASHA resource"),
        Arguments.of("missing resource", gbt(null, "      maxDepth: {int: [2, 8]}\n"),
            "families.gbt.resource: missing; every family needs its ASHA resource"),
        Arguments.of("unknown resource kind", gbt("{kind: epochs, min: 1, max: 9}", "      maxDepth: {int: [2, 8]}\n"),
            "families.gbt.resource.kind: unknown resource kind 'epochs'; expected iterations, trees or rows"),
        Arguments.of("resource min > max", gbt("{kind: iterations, min: 135, max: 5}", "      maxDepth: {int: [2, 8]}\n"),
            "families.gbt.resource: expects min <= max, found min 135, max 5"),
        Arguments.of("fractional iterations", gbt("{kind: iterations, min: 0.5, max: 5}", "      maxDepth: {int: [2, 8]}\n"),
            "families.gbt.resource.min: expects a whole number >= 1, found 0.5"),
        Arguments.of("missing resource max", gbt("{kind: trees, min: 5}", "      maxDepth: {int: [2, 8]}\n"),
            "families.gbt.resource.max: missing; expects a whole number >= 1"),
        Arguments.of("rows above 1", gbt("{kind: rows, min: 0.1, max: 2}", "      maxDepth: {int: [2, 8]}\n"),
            "families.gbt.resource.max: expects a fraction of rows in (0, 1], found 2"),
        Arguments.of("rows with a param", gbt("{kind: rows, param: maxIter, min: 0.1, max: 1}", "      maxDepth: {int: [2, 8]}\n"),
            "families.gbt.resource.param: rows needs no param"),
        Arguments.of("misspelt family key", "families:\n  gbt:\n    resource: " + GBT_RESOURCE + "\n    parms: {}\n",
            "families.gbt.parms: unknown key; expected resource, params or weight"),
        Arguments.of("zero weight", "families:\n  gbt:\n    weight: 0\n    resource: " + GBT_RESOURCE + "\n",
            "families.gbt.weight: weight expects a positive number, found 0"),
        Arguments.of("no families", "families: {}\n",
            "families: expected a non-empty mapping of family name to {resource, params}, found {}"),
        Arguments.of("unknown top-level key", "famlies: {}\n", "famlies: unknown key; expected families"),
        Arguments.of("duplicate key", gbt(GBT_RESOURCE, "      maxDepth: {int: [2, 8]}\n      maxDepth: {int: [2, 9]}\n"),
            "not valid YAML"),
        Arguments.of("broken YAML", "families: [gbt\n", "not valid YAML at line"),
        Arguments.of("empty file", "", "expected a mapping with the key families"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void badFileFailsNamingTheKeyPathAndWhatWasExpected(String name, String text, String message) {
    assertThatThrownBy(() -> SearchSpace.parse(text, "bad.yaml"))
        .isInstanceOf(SearchSpaceException.class)
        .hasMessageStartingWith("search space bad.yaml: ")
        .hasMessageContaining(message);
  }

  @Test
  void exceptionCarriesTheKeyPath() {
    assertThatThrownBy(() -> SearchSpace.parse(gbt(GBT_RESOURCE, "      maxDepth: {int: [8, 2]}\n"), "bad.yaml"))
        .isInstanceOfSatisfying(SearchSpaceException.class,
            e -> assertThat(e.keyPath()).isEqualTo("families.gbt.params.maxDepth"));
  }

  @Test
  void unknownExtensionIsRejected() {
    assertThatThrownBy(() -> SearchSpace.parse("families: {}", "space.txt"))
        .hasMessage("search space space.txt: unknown file type; expected a .yaml, .yml or .json file");
  }

  @Test
  void unknownFamilyIsNamedWithTheKnownOnes() {
    assertThatThrownBy(() -> SearchSpace.defaultSpace().family("svm"))
        .hasMessage("no family svm in the search space; it has [gbt, lr, rf]");
  }
}
