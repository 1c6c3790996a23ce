package org.healthpredict.core.tuning;

/**
 * A snapshot of one trial for tracking.
 *
 * @param rung the rung it runs at, or the last one it reported at once terminal
 * @param resource that rung's resource for the trial's family
 */
public record TrialStatus(int id, TrialConfig config, int bracket, TrialState state, int rung, double resource) {}
