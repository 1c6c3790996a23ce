package org.healthpredict.jobs;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `rollback`: moves `champion` back to `previous`. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = "Restores the previous champion: 'champion' moves to the 'previous' version, and 'previous' to the rolled-back one.")
final class RollbackCommand implements Callable<Integer> {

  @Option(names = "--reason", defaultValue = "manual rollback", description = "Why, for the audit log (default '${DEFAULT-VALUE}').")
  String reason;

  @Mixin
  RegistryOptions registry;

  @Override
  public Integer call() {
    return RegistryDecision.take("rollback", registry, promotion -> promotion.rollback(registry.name, reason, registry.actor));
  }
}
