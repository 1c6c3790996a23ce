package org.healthpredict.jobs;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `approve`: the human step that completes a promotion held by `register --require-approval`. */
// No mixinStandardHelpOptions: its -V/--version would collide with the version to approve.
@Command(name = "approve",
    description = "Completes the promotion of a version that `register --require-approval` left pending.")
final class ApproveCommand implements Callable<Integer> {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--version", required = true, paramLabel = "N", description = "The pending version to approve.")
  String version;

  @Mixin
  RegistryOptions registry;

  @Override
  public Integer call() {
    return RegistryDecision.take("approve", registry, promotion -> promotion.approve(registry.name, version, registry.actor));
  }
}
