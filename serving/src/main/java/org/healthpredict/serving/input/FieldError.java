package org.healthpredict.serving.input;

/**
 * One problem with one field of one record, as returned to the client.
 *
 * @param field the field's path, e.g. {@code age} or {@code records[3].age}
 * @param problem what is wrong, e.g. "missing", "wrong type", "out of range", "unknown field"
 * @param expected what would have been accepted
 */
public record FieldError(String field, String problem, String expected) {}
