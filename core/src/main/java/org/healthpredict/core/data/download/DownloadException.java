package org.healthpredict.core.data.download;

/** Fetching or verifying the data set failed; {@link #reason()} tells a job which exit code fits. */
public final class DownloadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why the download failed. */
  public enum Reason {
    /** The address could not be reached or answered with an error: an environment problem. */
    UNREACHABLE,
    /** The fetched bytes are not the ones asked for (--sha256). */
    CHECKSUM_MISMATCH,
    /** Not a readable zip archive, or an entry fails its CRC. */
    CORRUPT_ZIP,
    /** The archive lacks diabetic_data.csv. */
    MISSING_ENTRY,
    /** diabetic_data.csv does not start with the 50 raw columns. */
    BAD_HEADER
  }

  private final Reason reason;

  public DownloadException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public DownloadException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** True when the data itself is wrong (as opposed to the network or machine). */
  public boolean isInvalidData() {
    return reason != Reason.UNREACHABLE;
  }
}
