package org.healthpredict.core.sweep;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock that moves only when told, so a time budget runs out at a known point of a test. */
final class ManualClock implements InstantSource {

  private Instant now;

  ManualClock(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  synchronized void advance(Duration by) {
    now = now.plus(by);
  }
}
