package org.healthpredict.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class OutputExceptionTest {

  /** The chain S3A 3.4 throws when the endpoint refuses connections, as the S3 fault test met it. */
  private static Exception s3aConnectionRefused() {
    ConnectException root = new ConnectException("Connection refused");
    IOException http = new IOException("Connect to 127.0.0.1:41397 [/127.0.0.1] failed: Connection refused", root);
    RuntimeException sdk = new RuntimeException("Unable to execute HTTP request: Connect to 127.0.0.1:41397 "
        + "[/127.0.0.1] failed: Connection refused", http);
    ConnectException s3a = new ConnectException("Writing Object on batches/cursor.json: "
        + "software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: Connect to "
        + "127.0.0.1:41397 [/127.0.0.1] failed: Connection refused: Unable to execute HTTP request: …");
    s3a.initCause(sdk);
    return new IllegalStateException("[TASK_WRITE_FAILED] Task failed while writing rows", s3a);
  }

  @Test
  void theAnswerIsTheFailedCallThenTheCauseThatNamesTheEndpoint() {
    assertThat(OutputException.storageAnswer(s3aConnectionRefused())).isEqualTo("Writing Object on batches/cursor.json: "
        + "Unable to execute HTTP request: Connect to 127.0.0.1:41397 [/127.0.0.1] failed: Connection refused "
        + "(ConnectException)");
  }

  @Test
  void aFailureWithoutIoBelowItIsNotTheStorages() {
    assertThat(OutputException.isStorageFailure(s3aConnectionRefused())).isTrue();
    assertThat(OutputException.isStorageFailure(new UncheckedIOException("x", new IOException("disk full")))).isTrue();
    assertThat(OutputException.isStorageFailure(new IllegalArgumentException("missing columns"))).isFalse();
  }

  @Test
  void aLoneIoErrorIsGivenWithItsType() {
    assertThat(OutputException.storageAnswer(new IOException("rename a -> b failed"))).isEqualTo(
        "IOException: rename a -> b failed");
  }
}
