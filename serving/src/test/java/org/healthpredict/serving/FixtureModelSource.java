package org.healthpredict.serving;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthpredict.serving.model.LoadedModel;
import org.healthpredict.serving.model.ModelSource;

/**
 * A model source that hands out prepared models: for each URI a list of versions, and every load
 * serves the next one (round robin), as if the alias moved between loads. Stands in for the
 * registry in the HTTP tests only; the registry path itself is tested against a real MLflow server.
 */
public final class FixtureModelSource implements ModelSource {

  private final String championUri;
  private final List<LoadedModel> championVersions;
  private final List<LoadedModel> challengerVersions;
  private final AtomicInteger championLoads = new AtomicInteger();
  private final AtomicInteger challengerLoads = new AtomicInteger();

  public FixtureModelSource(String championUri, List<LoadedModel> championVersions,
      List<LoadedModel> challengerVersions) {
    this.championUri = championUri;
    this.championVersions = championVersions;
    this.challengerVersions = challengerVersions;
  }

  @Override
  public LoadedModel load(String uri) {
    if (uri.equals(championUri)) {
      return championVersions.get(championLoads.getAndIncrement() % championVersions.size());
    }
    return challengerVersions.get(challengerLoads.getAndIncrement() % challengerVersions.size());
  }

  @Override
  public String currentVersion(String uri) {
    List<LoadedModel> versions = uri.equals(championUri) ? championVersions : challengerVersions;
    AtomicInteger loads = uri.equals(championUri) ? championLoads : challengerLoads;
    return versions.get(Math.max(0, loads.get() - 1) % versions.size()).version();
  }
}
