package org.healthpredict.serving.model;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The models currently serving: the champion and, optionally, a challenger. A request reads one
 * {@link Serving} snapshot at its start and scores with it to the end, so a swap never changes a
 * model under a request in flight; a reload builds the new models completely before one atomic
 * swap, so new requests see either the old pair or the new pair, never a half-loaded one.
 */
public final class ModelSlots {

  /** One consistent pair of models. {@code challenger} is null when no challenger is configured. */
  public record Serving(LoadedModel champion, LoadedModel challenger) {
    public Optional<LoadedModel> challengerIfAny() {
      return Optional.ofNullable(challenger);
    }
  }

  /** What a reload did. */
  public record ReloadResult(boolean swapped, Serving before, Serving after) {}

  private final ModelSource source;
  private final String championUri;
  private final String challengerUri;
  private final AtomicReference<Serving> current = new AtomicReference<>();

  public ModelSlots(ModelSource source, String championUri, String challengerUri) {
    this.source = Objects.requireNonNull(source, "source");
    this.championUri = Objects.requireNonNull(championUri, "championUri");
    this.challengerUri = challengerUri == null || challengerUri.isBlank() ? null : challengerUri;
  }

  /** The pair to score a request with, or empty before the first successful load. */
  public Optional<Serving> current() {
    return Optional.ofNullable(current.get());
  }

  public boolean loaded() {
    return current.get() != null;
  }

  /** Loads both URIs anew and swaps; on failure the serving pair is left as it was and the error thrown. */
  public synchronized ReloadResult reload() {
    Serving before = current.get();
    LoadedModel champion = source.load(championUri);
    LoadedModel challenger = challengerUri == null ? null : source.load(challengerUri);
    Serving after = new Serving(champion, challenger);
    current.set(after);
    return new ReloadResult(true, before, after);
  }

  /**
   * Reloads only when an alias now names another version than the one serving (what the registry
   * poll calls; an unchanged registry costs two small REST calls, not a model download).
   */
  public synchronized ReloadResult reloadIfChanged() {
    Serving before = current.get();
    if (before != null && !moved(championUri, before.champion())
        && (challengerUri == null || (before.challenger() != null && !moved(challengerUri, before.challenger())))) {
      return new ReloadResult(false, before, before);
    }
    return reload();
  }

  private boolean moved(String uri, LoadedModel serving) {
    return !source.currentVersion(uri).equals(serving.version());
  }

  public String championUri() {
    return championUri;
  }

  public Optional<String> challengerUri() {
    return Optional.ofNullable(challengerUri);
  }
}
