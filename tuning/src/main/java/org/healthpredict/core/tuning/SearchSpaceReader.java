package org.healthpredict.core.tuning;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the text of a search-space file into a {@link SearchSpace}, checking every entry first so a
 * bad file stops a sweep before any trial runs, with the key path and what was expected.
 */
final class SearchSpaceReader {

  // Duplicate keys would otherwise silently keep the last one.
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private static final Set<String> TOP_KEYS = Set.of("families");
  private static final Set<String> FAMILY_KEYS = Set.of("resource", "params", "weight");
  private static final Set<String> RESOURCE_KEYS = Set.of("kind", "param", "min", "max");
  private static final List<String> DISTRIBUTIONS = List.of("uniform", "loguniform", "int", "qint", "choice");

  private final String source;

  private SearchSpaceReader(String source) {
    this.source = source;
  }

  static SearchSpace read(String text, String source) {
    String lower = source.toLowerCase(Locale.ROOT);
    boolean json = lower.endsWith(".json");
    if (!json && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
      throw new SearchSpaceException(source, "", "unknown file type; expected a .yaml, .yml or .json file");
    }
    JsonNode root;
    try {
      root = (json ? JSON : YAML).readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new SearchSpaceException(source, "", "not valid " + (json ? "JSON" : "YAML") + where + ": "
          + e.getOriginalMessage());
    }
    return new SearchSpaceReader(source).space(root);
  }

  private SearchSpace space(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw fail("", "expected a mapping with the key families, found " + render(root));
    }
    knownKeys("", root, TOP_KEYS, "families");
    JsonNode families = root.get("families");
    if (families == null || !families.isObject() || families.isEmpty()) {
      throw fail("families", "expected a non-empty mapping of family name to {resource, params}, found "
          + render(families));
    }
    Map<String, FamilySpace> out = new LinkedHashMap<>();
    families.properties().forEach(e -> out.put(e.getKey(), family("families." + e.getKey(), e.getKey(), e.getValue())));
    return new SearchSpace(out);
  }

  private FamilySpace family(String path, String name, JsonNode node) {
    if (name.isBlank()) {
      throw fail(path, "a family needs a name");
    }
    if (!node.isObject()) {
      throw fail(path, "expected a mapping with resource and params, found " + render(node));
    }
    knownKeys(path, node, FAMILY_KEYS, "resource, params or weight");
    double weight = 1;
    if (node.has("weight")) {
      weight = number(node.get("weight"));
      if (!(weight > 0)) {
        throw fail(path + ".weight", "weight expects a positive number, found " + render(node.get("weight")));
      }
    }
    if (!node.has("resource")) {
      throw fail(path + ".resource", "missing; every family needs its ASHA resource, e.g."
          + " {kind: iterations, param: maxIter, min: 5, max: 135}");
    }
    ResourceSpec resource = resource(path + ".resource", node.get("resource"));
    Map<String, Distribution> params = new LinkedHashMap<>();
    JsonNode paramsNode = node.get("params");
    if (paramsNode != null && !paramsNode.isNull()) {
      if (!paramsNode.isObject()) {
        throw fail(path + ".params", "expected a mapping of parameter name to distribution, found " + render(paramsNode));
      }
      paramsNode.properties().forEach(e -> {
        String paramPath = path + ".params." + e.getKey();
        if (e.getKey().equals(resource.param())) {
          throw fail(paramPath, "is this family's ASHA resource, which the scheduler sets rung by rung;"
              + " it cannot also be searched");
        }
        params.put(e.getKey(), distribution(paramPath, e.getValue()));
      });
    }
    return new FamilySpace(name, weight, resource, params);
  }

  private ResourceSpec resource(String path, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw fail(path, "expected {kind: iterations|trees|rows, param, min, max}, found " + render(node));
    }
    knownKeys(path, node, RESOURCE_KEYS, "kind, param, min or max");
    JsonNode kindNode = node.get("kind");
    if (kindNode == null || !kindNode.isTextual()) {
      throw fail(path + ".kind", "expected iterations, trees or rows, found " + render(kindNode));
    }
    ResourceSpec.Kind kind = switch (kindNode.asText()) {
      case "iterations" -> ResourceSpec.Kind.ITERATIONS;
      case "trees" -> ResourceSpec.Kind.TREES;
      case "rows" -> ResourceSpec.Kind.ROWS;
      default -> throw fail(path + ".kind", "unknown resource kind '" + kindNode.asText()
          + "'; expected iterations, trees or rows");
    };
    String param = kind.defaultParam();
    JsonNode paramNode = node.get("param");
    if (paramNode != null) {
      if (kind == ResourceSpec.Kind.ROWS) {
        throw fail(path + ".param", "rows needs no param: the resource is the fraction of training rows");
      }
      if (!paramNode.isTextual() || paramNode.asText().isBlank()) {
        throw fail(path + ".param", "expected the classifier parameter that carries the resource, e.g. maxIter,"
            + " found " + render(paramNode));
      }
      param = paramNode.asText();
    }
    String expect = kind.integral()
        ? "expects a whole number >= 1"
        : "expects a fraction of rows in (0, 1]";
    double min = resourceBound(path + ".min", node.get("min"), kind, expect);
    double max = resourceBound(path + ".max", node.get("max"), kind, expect);
    if (min > max) {
      throw fail(path, "expects min <= max, found min " + render(node.get("min")) + ", max " + render(node.get("max")));
    }
    return new ResourceSpec(kind, param, min, max);
  }

  private double resourceBound(String path, JsonNode node, ResourceSpec.Kind kind, String expect) {
    if (node == null) {
      throw fail(path, "missing; " + expect);
    }
    if (kind.integral()) {
      if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
        throw fail(path, expect + ", found " + render(node));
      }
      return node.intValue();
    }
    double v = number(node);
    if (!(v > 0 && v <= 1)) {
      throw fail(path, expect + ", found " + render(node));
    }
    return v;
  }

  private Distribution distribution(String path, JsonNode node) {
    if (!node.isObject() || node.size() != 1) {
      throw fail(path, "expected one distribution such as {int: [2, 8]} or {choice: [a, b]}, found " + render(node));
    }
    String name = node.fieldNames().next();
    JsonNode args = node.get(name);
    return switch (name) {
      case "uniform" -> {
        String expect = "uniform expects [low, high] with low <= high";
        double[] b = numbers(path, args, 2, expect);
        if (b[0] > b[1]) {
          throw fail(path, expect + ", found " + render(args));
        }
        yield new Distribution.Uniform(b[0], b[1]);
      }
      case "loguniform" -> {
        String expect = "loguniform expects [low, high] with 0 < low <= high";
        double[] b = numbers(path, args, 2, expect);
        if (!(b[0] > 0) || b[0] > b[1]) {
          throw fail(path, expect + ", found " + render(args));
        }
        yield new Distribution.LogUniform(b[0], b[1]);
      }
      case "int" -> {
        String expect = "int expects [low, high] with low <= high";
        int[] b = integers(path, args, 2, expect);
        if (b[0] > b[1] || (long) b[1] - b[0] >= Integer.MAX_VALUE) {
          throw fail(path, expect + ", found " + render(args));
        }
        yield new Distribution.IntUniform(b[0], b[1]);
      }
      case "qint" -> {
        String expect = "qint expects [low, high, q] with low <= high and q >= 1";
        int[] b = integers(path, args, 3, expect);
        if (b[0] > b[1] || b[2] < 1 || ((long) b[1] - b[0]) / b[2] >= Integer.MAX_VALUE) {
          throw fail(path, expect + ", found " + render(args));
        }
        yield new Distribution.QInt(b[0], b[1], b[2]);
      }
      case "choice" -> {
        String expect = "choice expects a non-empty list of strings, numbers or booleans";
        if (!args.isArray() || args.isEmpty()) {
          throw fail(path, expect + ", found " + render(args));
        }
        List<Object> values = new ArrayList<>();
        for (JsonNode v : args) {
          values.add(choiceValue(path, v, expect, args));
        }
        yield new Distribution.Choice(values);
      }
      default -> throw fail(path, "unknown distribution '" + name + "'; expected one of " + String.join(", ", DISTRIBUTIONS));
    };
  }

  private Object choiceValue(String path, JsonNode v, String expect, JsonNode all) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber() && v.canConvertToInt()) {
      return v.intValue();
    }
    if (v.isFloatingPointNumber() && Double.isFinite(v.doubleValue())) {
      return v.doubleValue();
    }
    throw fail(path, expect + ", found " + render(all));
  }

  private double[] numbers(String path, JsonNode args, int size, String expect) {
    if (args == null || !args.isArray() || args.size() != size) {
      throw fail(path, expect + ", found " + render(args));
    }
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = number(args.get(i));
      if (Double.isNaN(out[i])) {
        throw fail(path, expect + ", found " + render(args));
      }
    }
    return out;
  }

  private int[] integers(String path, JsonNode args, int size, String expect) {
    if (args == null || !args.isArray() || args.size() != size) {
      throw fail(path, expect + ", found " + render(args));
    }
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      JsonNode n = args.get(i);
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw fail(path, expect + " (whole numbers), found " + render(args));
      }
      out[i] = n.intValue();
    }
    return out;
  }

  /**
   * The finite number a node holds, or NaN. Text that reads as a number counts because YAML 1.1 takes
   * {@code 1e-4} (no dot) for a string, and whoever wrote it meant the number.
   */
  private static double number(JsonNode node) {
    double v = Double.NaN;
    if (node != null && node.isNumber()) {
      v = node.doubleValue();
    } else if (node != null && node.isTextual()) {
      try {
        v = Double.parseDouble(node.asText().trim());
      } catch (NumberFormatException e) {
        v = Double.NaN;
      }
    }
    return Double.isFinite(v) ? v : Double.NaN;
  }

  private void knownKeys(String path, JsonNode node, Set<String> allowed, String expected) {
    node.fieldNames().forEachRemaining(key -> {
      if (!allowed.contains(key)) {
        throw fail(path.isEmpty() ? key : path + "." + key, "unknown key; expected " + expected);
      }
    });
  }

  private static String render(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isArray()) {
      List<String> parts = new ArrayList<>();
      node.forEach(e -> parts.add(render(e)));
      return "[" + String.join(", ", parts) + "]";
    }
    return node.toString();
  }

  private SearchSpaceException fail(String path, String problem) {
    return new SearchSpaceException(source, path, problem);
  }
}
