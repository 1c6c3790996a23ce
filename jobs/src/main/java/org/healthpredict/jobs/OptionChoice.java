package org.healthpredict.jobs;

/** Reads an option whose values are an enum's constants, written in lower case with '-' for '_'. */
final class OptionChoice {

  private OptionChoice() {}

  /** An enum constant from its option value, case and '-' insensitive, or an error naming the choices. */
  static <E extends Enum<E>> E parse(String option, String value, Class<E> type) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value.replace('-', '_'))) {
        return e;
      }
    }
    throw new IllegalArgumentException(option + ": expected one of " + java.util.Arrays.stream(type.getEnumConstants())
        .map(e -> e.name().toLowerCase().replace('_', '-')).toList() + ", found '" + value + "'");
  }
}
