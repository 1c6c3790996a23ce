package org.healthpredict.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of files in the project checkout, for tests run from any module directory. */
public final class ProjectFiles {

  private ProjectFiles() {}

  public static Path root() {
    String configured = System.getProperty("project.root");
    Path start = Path.of(configured != null ? configured : ".").toAbsolutePath().normalize();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("data/sample")) && Files.exists(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the project root (data/sample) from " + start);
  }

  /** The bundled real sample: 4,999 encounters of the UCI data set. */
  public static Path sampleCsv() {
    return root().resolve("data/sample/diabetic_data_sample.csv");
  }

  public static Path idsMapping() {
    return root().resolve("data/sample/IDs_mapping.csv");
  }
}
