package org.healthpredict.serving.input;

/** What to do with a request field that is not a column of the data set. */
public enum UnknownFields {
  /** Answer 422 naming the field: catches typos such as {@code A1C_result} before they score as missing. */
  REJECT,
  /** Score anyway and list the ignored fields in the response. */
  IGNORE
}
