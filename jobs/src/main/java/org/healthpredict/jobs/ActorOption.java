package org.healthpredict.jobs;

import picocli.CommandLine.Option;

/** Who takes a registry decision, as the audit log records it. */
final class ActorOption {

  @Option(names = "--actor", paramLabel = "NAME",
      description = "Who takes the decision, for the audit log (default: the user name).")
  String actor = System.getProperty("user.name", "unknown");
}
