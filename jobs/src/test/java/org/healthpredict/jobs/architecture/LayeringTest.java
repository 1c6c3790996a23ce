package org.healthpredict.jobs.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.healthpredict.core.sweep.SweepRunner;
import org.healthpredict.core.tracking.Tracking;
import org.healthpredict.core.tracking.ForbiddenImport;
import org.healthpredict.core.tuning.AshaScheduler;
import org.healthpredict.core.tuning.fixture.SparkInTuning;
import org.healthpredict.jobs.HealthPredictCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production classes of every module the jobs jar is built from keep the {@link Layering} rules, and
 * each kind of rule fails on a class that breaks it (fixtures in this module's test sources).
 */
class LayeringTest {

  /** Test classes (this module's fixtures, other modules' test jars) are not the product. */
  private static final ImportOption PRODUCTION_ONLY = location ->
      !location.contains("/test-classes/") && !location.contains("-tests.jar");

  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production = new ClassFileImporter().withImportOption(PRODUCTION_ONLY).importPackages("org.healthpredict");
  }

  @Test
  void theImportSeesEveryModuleTheJobsAreBuiltFrom() {
    // Guards the rules against passing on an empty or partial import.
    assertThat(production.contain(Tracking.class)).isTrue();
    assertThat(production.contain(AshaScheduler.class)).isTrue();
    assertThat(production.contain(SweepRunner.class)).isTrue();
    assertThat(production.contain("org.healthpredict.core.drift.DriftRunner")).isTrue();
    assertThat(production.contain(HealthPredictCli.class)).isTrue();
    assertThat(production.contain(ForbiddenImport.class)).isFalse();
  }

  @Test
  void theProductionClassesKeepEveryRule() {
    for (ArchRule rule : Layering.ALL) {
      rule.check(production);
    }
  }

  @Test
  void aFoundationThatImportsTheSweepBreaksItsRule() {
    JavaClasses withFixture = new ClassFileImporter().importClasses(ForbiddenImport.class, SweepRunner.class,
        Tracking.class);
    assertThatThrownBy(() -> Layering.foundation("org.healthpredict.core.tracking..").check(withFixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(ForbiddenImport.class.getName())
        .hasMessageContaining(SweepRunner.class.getName());
    assertThatThrownBy(() -> Layering.THE_LIBRARY_STAYS_BELOW.check(withFixture))
        .hasMessageContaining(ForbiddenImport.class.getName());
  }

  @Test
  void sparkInTheTuningPackageBreaksItsRule() {
    JavaClasses withFixture = new ClassFileImporter().importClasses(SparkInTuning.class);
    assertThatThrownBy(() -> Layering.TUNING_IS_PURE_JAVA.check(withFixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(SparkInTuning.class.getName())
        .hasMessageContaining("org.apache.spark.sql.Dataset");
  }

  @Test
  void aCycleBetweenPackagesBreaksItsRule() {
    // ForbiddenImport (in tracking) reaches the sweep, and the sweep uses tracking: a cycle.
    JavaClasses withFixture = new ClassFileImporter().importClasses(ForbiddenImport.class, SweepRunner.class,
        Tracking.class);
    assertThatThrownBy(() -> Layering.NO_CYCLES.check(withFixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Cycle detected");
  }
}
