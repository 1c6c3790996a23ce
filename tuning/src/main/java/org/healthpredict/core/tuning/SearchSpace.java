package org.healthpredict.core.tuning;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * The hyperparameter search space of a sweep: per classifier family, the distributions of its
 * parameters and its ASHA resource, read from a YAML or JSON file (see default-space.yaml).
 *
 * @param families by name, in name order so sampling does not depend on the order keys were written
 */
public record SearchSpace(Map<String, FamilySpace> families) {

  /** Where the space shipped with the project lives on the classpath. */
  public static final String DEFAULT_RESOURCE = "/org/healthpredict/core/tuning/default-space.yaml";

  public SearchSpace {
    if (families.isEmpty()) {
      throw new IllegalArgumentException("a search space needs at least one family");
    }
    families.forEach((name, family) -> {
      if (!name.equals(family.name())) {
        throw new IllegalArgumentException("family keyed " + name + " is named " + family.name());
      }
    });
    families = Collections.unmodifiableMap(new TreeMap<>(families));
  }

  /** The family of that name; fails naming the families there are. */
  public FamilySpace family(String name) {
    FamilySpace family = families.get(name);
    if (family == null) {
      throw new NoSuchElementException("no family " + name + " in the search space; it has " + families.keySet());
    }
    return family;
  }

  /** Reads a file; {@code .yaml}/{@code .yml} as YAML, {@code .json} as JSON. */
  public static SearchSpace load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SearchSpaceException(file.toString(), "", "cannot read the file (" + e + ")");
    }
    return parse(text, file.toString());
  }

  /**
   * Parses the text of a space; {@code source} names it in errors and its extension picks the format,
   * so callers that read from a Hadoop URI can pass the URI.
   */
  public static SearchSpace parse(String text, String source) {
    return SearchSpaceReader.read(text, source);
  }

  /** The space shipped with the project: lr, rf and gbt. */
  public static SearchSpace defaultSpace() {
    try (InputStream in = SearchSpace.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default-space.yaml");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
