package org.healthpredict.serving.scoring;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each column of the pipeline lives in a {@link RowFrame}: decided once, while the scorer is
 * built, by following the stages' input and output columns. A stage that writes a column Spark
 * would replace (same name) gets a fresh slot and the name moves to it, as withColumn does.
 */
final class ColumnLayout {

  /** How a column is held. */
  enum Kind {
    /** A boxed value in {@link RowFrame#values}: Long, Integer, Double or String, null when missing. */
    VALUE,
    /** A double in {@link RowFrame#numbers}. */
    NUMBER,
    /**
     * A 0/1 vector of {@code size} with at most {@code places} ones, held as their positions in
     * {@code places} consecutive {@link RowFrame#numbers} from {@code index} (-1: no one there). One
     * place for a one-hot column; one per input column for several encoded into one vector.
     */
    ONE_HOT,
    /** A dense {@code double[]} of {@code size} in {@link RowFrame#values}. */
    VECTOR
  }

  /** A column's place: which array, which index, for vectors their size, and for one-hot vectors their places. */
  record Slot(String column, Kind kind, int index, int size, int places) {}

  private final Map<String, Slot> byName = new HashMap<>();
  private int values;
  private int numbers;

  Slot value(String column) {
    return bind(new Slot(column, Kind.VALUE, values++, 1, 1));
  }

  Slot number(String column) {
    return bind(new Slot(column, Kind.NUMBER, numbers++, 1, 1));
  }

  Slot oneHot(String column, int size) {
    return oneHot(column, size, 1);
  }

  /** A 0/1 vector of {@code size} with one hot place in each of {@code places} blocks. */
  Slot oneHot(String column, int size, int places) {
    Slot slot = bind(new Slot(column, Kind.ONE_HOT, numbers, size, places));
    numbers += places;
    return slot;
  }

  Slot vector(String column, int size) {
    return bind(new Slot(column, Kind.VECTOR, values++, size, 1));
  }

  /** The slot currently holding a column; a stage reading a column no earlier stage wrote is a broken pipeline. */
  Slot get(String column) {
    Slot slot = byName.get(column);
    if (slot == null) {
      throw new IllegalArgumentException("column " + column + " is read by a stage but written by none before it");
    }
    return slot;
  }

  /** The index of a column held as a boxed value, for stages that read raw or engineered values. */
  int valueIndex(String column) {
    Slot slot = get(column);
    if (slot.kind() != Kind.VALUE) {
      throw new IllegalArgumentException("column " + column + " is read as a value, but an earlier stage made it "
          + slot.kind());
    }
    return slot.index();
  }

  int valueCount() {
    return values;
  }

  int numberCount() {
    return numbers;
  }

  private Slot bind(Slot slot) {
    byName.put(slot.column(), slot);
    return slot;
  }
}
