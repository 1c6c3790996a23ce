package org.healthpredict.jobs;

import java.util.concurrent.Callable;
import org.healthpredict.core.registry.AuditEntry;
import org.healthpredict.core.registry.AuditLog;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.Promotion;
import org.healthpredict.core.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `rollback`: moves `champion` back to `previous`. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = "Restores the previous champion: 'champion' moves to the 'previous' version, and 'previous' to the rolled-back one.")
final class RollbackCommand implements Callable<Integer> {

  @Option(names = "--name", defaultValue = "HealthPredict", description = "Registered model name (default ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--reason", defaultValue = "manual rollback", description = "Why, for the audit log (default '${DEFAULT-VALUE}').")
  String reason;

  @Mixin
  TrackingOptions tracking;

  @Mixin
  ActorOption actor;

  @Override
  public Integer call() {
    try (Tracking t = tracking.connect()) {
      AuditEntry e = new Promotion(new ModelRegistry(t), new AuditLog(t)).rollback(name, reason, actor.actor);
      System.out.println("rollback: OK name=" + name + " champion=" + e.championAfter() + " previous=" + e.championBefore());
    }
    return HealthPredictCli.EXIT_OK;
  }
}
