package org.healthpredict.core.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The storage failed while a job wrote one of its outputs. The message names what was being written,
 * where, what the storage answered (for s3a://, the call, the path and e.g. "Connection refused"), and
 * what is left at the target, so a scheduler log says all an operator needs without a stack trace.
 */
public final class OutputException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  private static final int MAX_CALL_MESSAGE = 300;

  public OutputException(String message, Throwable cause) {
    super(message, cause instanceof IOException io ? io : new IOException(cause));
  }

  /** True when the failure came from I/O (the storage), not from the job's own checks. */
  public static boolean isStorageFailure(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * What the storage said, in one line: the failed call as the first I/O error in the chain names it
   * (S3A: "Writing Object on key"), then the most specific cause that still says where, e.g. "Unable to
   * execute HTTP request: Connect to 127.0.0.1:9000 [/127.0.0.1] failed: Connection refused".
   */
  public static String storageAnswer(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable c = e; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    int call = 0;
    while (call < chain.size() - 1 && !(chain.get(call) instanceof IOException && chain.get(call).getMessage() != null)) {
      call++;
    }
    Throwable root = chain.get(chain.size() - 1);
    String head = shorten(firstLine(chain.get(call)).split(": (software\\.amazon|com\\.amazonaws)\\.", 2)[0]);
    if (call == chain.size() - 1) {
      return root.getClass().getSimpleName() + ": " + head;
    }
    // From the root up, while each message repeats the one below it and adds context (the endpoint).
    String detail = firstLine(root);
    for (int i = chain.size() - 2; i > call; i--) {
      String message = firstLine(chain.get(i));
      if (!message.contains(detail) || message.length() > MAX_CALL_MESSAGE) {
        break;
      }
      detail = message;
    }
    return head + ": " + detail + " (" + root.getClass().getSimpleName() + ")";
  }

  private static String firstLine(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst().orElse("");
  }

  /** A call's message can hold a long path and the SDK's whole message; a few hundred characters say it all. */
  private static String shorten(String s) {
    return s.length() <= MAX_CALL_MESSAGE ? s : s.substring(0, MAX_CALL_MESSAGE) + "…";
  }
}
