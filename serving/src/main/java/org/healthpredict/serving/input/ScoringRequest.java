package org.healthpredict.serving.input;

import java.util.List;

/**
 * One record ready to score: typed values in {@link RecordSchema} order, the key that picks its
 * traffic variant (the patient number, when sent) and the unknown fields that were ignored.
 */
public record ScoringRequest(Object[] typed, Long patientKey, List<String> ignoredFields) {}
