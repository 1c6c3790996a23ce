package org.healthpredict.jobs.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.List;

/**
 * The layering of the modules and packages (docs/architecture.md), as rules over the compiled classes.
 * Maven already stops a module from compiling against a module it does not depend on; these rules also
 * hold inside a module, where nothing else would notice a new import that runs back up.
 */
final class Layering {

  private static final String ROOT = "org.healthpredict..";

  /** The packages everything builds on: each knows only itself (and the JDK and libraries). */
  static final List<String> FOUNDATIONS = List.of("org.healthpredict.core.storage..",
      "org.healthpredict.core.tracking..", "org.healthpredict.core.evaluation..",
      "org.healthpredict.core.testhook..");

  /** What the sweep, drift and the applications add on top of the library the service loads models with. */
  private static final String[] ABOVE_THE_LIBRARY = {"org.healthpredict.core.sweep..",
      "org.healthpredict.core.drift..", "org.healthpredict.core.tuning..", "org.healthpredict.jobs..",
      "org.healthpredict.serving..", "org.healthpredict.bench.."};

  static final ArchRule NO_CYCLES = slices().matching("org.healthpredict.(**)").should().beFreeOfCycles()
      .because("a cycle between packages ties them into one unit that can be neither tested nor moved alone");

  static final ArchRule FOUNDATIONS_KNOW_ONLY_THEMSELVES = CompositeArchRule.of(FOUNDATIONS.stream()
      .map(Layering::foundation).toList());

  static final ArchRule TUNING_IS_PURE_JAVA = classes().that().resideInAPackage("org.healthpredict.core.tuning..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.healthpredict.core.tuning..",
          "com.fasterxml.jackson..", "org.apache.commons.math3..")
      .because("the scheduler and samplers are tested and reused without Spark or MLflow");

  static final ArchRule THE_LIBRARY_STAYS_BELOW = noClasses().that().resideInAPackage("org.healthpredict.core..")
      .and().resideOutsideOfPackages(ABOVE_THE_LIBRARY)
      .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_LIBRARY)
      .because("the scoring service loads models with this library and carries nothing of tuning, sweeps,"
          + " drift or the command line");

  static final ArchRule SWEEP_AND_DRIFT_ARE_INDEPENDENT = CompositeArchRule
      .of(noClasses().that().resideInAPackage("org.healthpredict.core.sweep..").should().dependOnClassesThat()
          .resideInAPackage("org.healthpredict.core.drift.."))
      .and(noClasses().that().resideInAPackage("org.healthpredict.core.drift..").should().dependOnClassesThat()
          .resideInAPackage("org.healthpredict.core.sweep.."));

  static final List<ArchRule> ALL = List.of(NO_CYCLES, FOUNDATIONS_KNOW_ONLY_THEMSELVES, TUNING_IS_PURE_JAVA,
      THE_LIBRARY_STAYS_BELOW, SWEEP_AND_DRIFT_ARE_INDEPENDENT);

  private Layering() {}

  /** The rule of one foundation package: it depends on no other package of the project. */
  static ArchRule foundation(String pkg) {
    return noClasses().that().resideInAPackage(pkg).should()
        .dependOnClassesThat(resideInAPackage(ROOT).and(not(resideInAnyPackage(pkg))))
        .because(pkg + " is a foundation: what builds on it may change without touching it");
  }
}
