package org.healthpredict.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.healthpredict.core.testing.MlflowServer;
import org.junit.jupiter.api.Test;

/** Which tracking server is used, and what the user is told when it is the wrong one. */
class TrackingConnectionTest {

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void anUnreachableServerGivesAnErrorNamingItsUri() throws IOException {
    String uri = "http://127.0.0.1:" + closedPort();
    // No retries: how long a server is waited for is MlflowHttpRetryTest's subject.
    try (Tracking tracking = Tracking.connect(uri, RetryPolicy.none())) {
      assertThatThrownBy(() -> tracking.experiment("readmission"))
          .isInstanceOf(TrackingException.class)
          .hasMessageContaining("cannot reach the MLflow tracking server at " + uri)
          .hasMessageContaining("readmission")
          .hasMessageContaining(Tracking.TRACKING_URI_ENV);
    }
  }

  @Test
  void aUriThatIsNotAnMlflowServerGivesAnErrorNamingIt() {
    String uri = MlflowServer.shared().trackingUri() + "/not-mlflow";
    try (Tracking tracking = Tracking.connect(uri)) {
      assertThatThrownBy(() -> tracking.experiment("readmission"))
          .isInstanceOf(TrackingException.class)
          .hasMessageContaining(uri)
          .hasMessageContaining("HTTP 404");
    }
  }

  @Test
  void uriThatIsNotAnHttpServerIsRejectedNamingIt() {
    for (String uri : new String[] {"localhost:5000", "file:///tmp/mlruns", "databricks", " "}) {
      assertThatThrownBy(() -> Tracking.connect(uri))
          .as(uri)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(uri.isBlank() ? Tracking.TRACKING_URI_ENV : "'" + uri + "'");
    }
  }

  @Test
  void trackingUriComesFromTheEnvironmentElseTheLocalDefault() {
    assertThat(Tracking.defaultTrackingUri(Map.of())).isEqualTo("http://127.0.0.1:5000");
    assertThat(Tracking.defaultTrackingUri(Map.of("MLFLOW_TRACKING_URI", " ")))
        .isEqualTo(Tracking.DEFAULT_TRACKING_URI);
    assertThat(Tracking.defaultTrackingUri(Map.of("MLFLOW_TRACKING_URI", "http://mlflow:5000")))
        .isEqualTo("http://mlflow:5000");
  }

  @Test
  void aTrailingSlashInTheUriIsHarmless() {
    try (Tracking tracking = Tracking.connect(MlflowServer.shared().trackingUri() + "/")) {
      assertThat(tracking.trackingUri()).isEqualTo(MlflowServer.shared().trackingUri());
      assertThat(tracking.experiment("trailing-slash").id()).isNotBlank();
    }
  }
}
