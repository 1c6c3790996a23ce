package org.healthpredict.jobs;

import java.util.function.Function;
import org.healthpredict.core.registry.AuditEntry;
import org.healthpredict.core.registry.AuditLog;
import org.healthpredict.core.registry.ModelRegistry;
import org.healthpredict.core.registry.Promotion;
import org.healthpredict.core.tracking.Tracking;

/**
 * The body the human registry commands share: take one audited decision on a registered model and
 * print where its aliases ended, e.g. {@code approve: OK name=HealthPredict champion=4 previous=3 actor=ana}.
 */
final class RegistryDecision {

  private RegistryDecision() {}

  static int take(String command, RegistryOptions options, Function<Promotion, AuditEntry> decision) {
    try (Tracking t = options.tracking.connect()) {
      AuditEntry e = decision.apply(new Promotion(new ModelRegistry(t), new AuditLog(t)));
      System.out.println(command + ": OK name=" + options.name + " champion=" + e.championAfter() + " previous="
          + (e.championBefore() == null ? "none" : e.championBefore()) + " actor=" + e.actor());
    }
    return HealthPredictCli.EXIT_OK;
  }
}
