package org.healthpredict.jobs;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every registry decision (register, approve, rollback) names: the model, who decides, and the server. */
final class RegistryOptions {

  @Option(names = "--name", defaultValue = "HealthPredict", description = "Registered model name (default ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--actor", paramLabel = "NAME",
      description = "Who takes the decision, for the audit log (default: the user name).")
  String actor = System.getProperty("user.name", "unknown");

  @Mixin
  TrackingOptions tracking;
}
