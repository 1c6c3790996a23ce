package org.healthpredict.core.testhook;

/**
 * Test-only: stalls the process at a named point so a test can SIGKILL it exactly there, where a
 * crash leaves the most half-done work (python/tests/test_killed_late.py). Off unless the
 * environment variable {@value #ENV} names the point; never set in normal use.
 */
public final class PausePoint {

  public static final String ENV = "HP_TEST_PAUSE_AT";
  /** Long enough for any test to see the line and kill; a run nobody kills goes on afterwards. */
  private static final long PAUSE_MILLIS = 300_000;

  private PausePoint() {}

  /** Pauses here if {@value #ENV} is {@code name}, after printing {@code pausing at <name>} on stdout. */
  public static void reach(String name) {
    if (!name.equals(System.getenv(ENV))) {
      return;
    }
    System.out.println("pausing at " + name + " (" + ENV + ")");
    System.out.flush();
    try {
      Thread.sleep(PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
