package org.healthpredict.core.tracking;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a run's artifacts go and are read back from: the tracking server's artifact proxy, or a
 * file system directly.
 */
interface ArtifactStore {

  /** A local file and the path it gets under the run's artifact root. */
  record Upload(Path localFile, String artifactFile) {}

  /** Uploads the files, replacing any artifact of the same path. */
  void upload(List<Upload> uploads);

  /** Writes bytes as one artifact file, replacing any artifact of the same path. */
  void write(byte[] content, String artifactFile);

  /** The bytes of one artifact file; empty if there is none at that path. */
  Optional<byte[]> read(String artifactFile);
}
