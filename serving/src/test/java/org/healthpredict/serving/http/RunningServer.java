package org.healthpredict.serving.http;

import java.util.List;
import org.healthpredict.serving.FixtureModelSource;
import org.healthpredict.serving.ServingConfig;
import org.healthpredict.serving.metrics.ServingMetrics;
import org.healthpredict.serving.model.LoadedModel;
import org.healthpredict.serving.model.ModelReloader;
import org.healthpredict.serving.model.ModelSlots;

/** A started service on a free loopback port over fixture models, with its parts at hand. */
final class RunningServer implements AutoCloseable {

  final ScoringServer server;
  final ModelSlots slots;
  final ModelReloader reloader;
  final Http http;

  RunningServer(ServingConfig config, List<LoadedModel> champions, List<LoadedModel> challengers, boolean load) {
    FixtureModelSource source = new FixtureModelSource(config.modelUri(), champions, challengers);
    slots = new ModelSlots(source, config.modelUri(), config.challengerUri());
    ServingMetrics metrics = new ServingMetrics();
    reloader = new ModelReloader(slots, metrics);
    if (load) {
      reloader.reload("test");
    }
    server = new ScoringServer(config, slots, metrics, reloader).start();
    http = new Http(server.port());
  }

  static RunningServer of(ServingConfig config, LoadedModel champion) {
    return new RunningServer(config, List.of(champion), List.of(), true);
  }

  @Override
  public void close() {
    reloader.close();
    server.close();
  }
}
