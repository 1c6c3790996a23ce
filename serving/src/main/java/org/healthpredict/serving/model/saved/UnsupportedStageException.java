package org.healthpredict.serving.model.saved;

/** A saved stage {@link SavedPipelineReader} has no reader for; Spark's own loader can still read it. */
public final class UnsupportedStageException extends RuntimeException {

  public UnsupportedStageException(String message) {
    super(message);
  }
}
