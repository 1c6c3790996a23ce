package org.healthpredict.core.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the batch simulation stands, as the small JSON document at {@code --state}: which future data
 * it cuts, the batch size, and every batch cut so far with its encounter-id range, so that batch k is
 * always the same rows whether it is cut for the first time or again after a crash.
 *
 * @param version format version of this document
 * @param future the future data being cut
 * @param batchSize rows per batch (the last one may be smaller)
 * @param batches the batches cut and recorded so far, in order (ids 1, 2, 3 …)
 */
public record CursorState(int version, String future, long batchSize, List<Batch> batches) {

  public static final int VERSION = 1;

  // A batch cut without a key is written without one, as before keys existed.
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * One batch: encounters with {@code firstEncounterId <= encounter_id <= lastEncounterId}.
   *
   * @param id 1 for the first batch
   * @param path where it was written
   * @param key the caller's idempotency key that cut it (e.g. a scheduler's run id), or null
   */
  public record Batch(int id, long firstEncounterId, long lastEncounterId, long rows, String path, String key) {}

  public CursorState {
    batches = List.copyOf(batches);
  }

  public static CursorState start(String future, long batchSize) {
    return new CursorState(VERSION, future, batchSize, List.of());
  }

  public Optional<Batch> last() {
    return batches.isEmpty() ? Optional.empty() : Optional.of(batches.get(batches.size() - 1));
  }

  public int lastId() {
    return last().map(Batch::id).orElse(0);
  }

  /** The batch first cut under this idempotency key, if any. */
  public Optional<Batch> batchWithKey(String key) {
    return batches.stream().filter(b -> key.equals(b.key())).findFirst();
  }

  public Optional<Batch> batch(int id) {
    return id >= 1 && id <= batches.size() ? Optional.of(batches.get(id - 1)) : Optional.empty();
  }

  public CursorState with(Batch batch) {
    if (batch.id() != lastId() + 1) {
      throw new IllegalStateException("batch " + batch.id() + " cannot follow batch " + lastId());
    }
    List<Batch> all = new ArrayList<>(batches);
    all.add(batch);
    return new CursorState(version, future, batchSize, all);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the cursor state", e);
    }
  }

  /** Reads a state document; {@code source} names it in the error. */
  public static CursorState fromJson(String json, String source) {
    try {
      CursorState state = JSON.readValue(json, CursorState.class);
      if (state.version() != VERSION || state.future() == null || state.batchSize() < 1) {
        throw new IllegalArgumentException("the cursor state " + source + " is not a version " + VERSION
            + " state with 'future' and a positive 'batchSize'");
      }
      return state;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the cursor state " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
