package org.healthpredict.core.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.healthpredict.core.tuning.Decision;
import org.healthpredict.core.tuning.RungScore;
import org.healthpredict.core.tuning.TrialConfig;
import org.healthpredict.core.tuning.TrialEvent;

/**
 * The JSON form of one {@link SweepJournal} line, e.g. (each one line in the file)
 * <pre>{@code
 * {"event":"started","trialId":0,"family":"gbt",
 *  "params":{"maxDepth":{"int":5},"stepSize":{"double":0.1}},"childRunId":"9f0c…"}
 * {"event":"result","trialId":0,"family":"gbt","rung":0,"resource":10.0,"metric":0.61,
 *  "cutoff":0.61,"decision":{"action":"CONTINUE","rung":1,"resource":30.0},
 *  "score":{"standardError":0.012,"folds":2,"degenerate":false,"complexity":310.0}}
 * {"event":"result","trialId":2,"family":"rf","rung":0,"resource":4.0,"metric":0.55,
 *  "cutoff":"NaN","decision":{"action":"WAIT"}}
 * {"event":"decided","trialId":2,"rung":0,"decision":{"action":"CONTINUE","rung":1,"resource":12.0}}
 * {"event":"failed","trialId":1,"reason":"java.lang.OutOfMemoryError"}
 * }</pre>
 * Each parameter names its type, because JSON alone cannot keep Integer 5 apart from Double 5.0
 * or the String "NaN" apart from Double NaN, and {@code AshaScheduler.restore} compares configs
 * exactly. Doubles are written as {@code Double.toString} does, which reads back bit for bit;
 * NaN and the infinities, which JSON has no numbers for, as the strings Jackson uses for them.
 */
final class JournalLines {

  /** One parsed line: the event and, for a started trial, its MLflow run (null if not recorded). */
  record Entry(TrialEvent event, String childRunId) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JournalLines() {}

  static String write(TrialEvent event, String childRunId) {
    ObjectNode line = MAPPER.createObjectNode();
    if (event instanceof TrialEvent.Started started) {
      line.put("event", "started");
      line.put("trialId", started.trialId());
      line.put("family", started.config().family());
      ObjectNode params = line.putObject("params");
      started.config().params().forEach((name, value) -> {
        ObjectNode typed = params.putObject(name);
        if (value instanceof Integer i) {
          typed.put("int", i);
        } else if (value instanceof Double d) {
          typed.put("double", d);
        } else if (value instanceof Boolean b) {
          typed.put("boolean", b);
        } else {
          typed.put("string", (String) value);
        }
      });
      if (childRunId != null) {
        line.put("childRunId", childRunId);
      }
    } else if (event instanceof TrialEvent.Result result) {
      line.put("event", "result");
      line.put("trialId", result.trialId());
      line.put("family", result.family());
      line.put("rung", result.rung());
      line.put("resource", result.resource());
      line.put("metric", result.metric());
      line.put("cutoff", result.cutoff());
      writeDecision(line, result.decision());
      RungScore score = result.score();
      ObjectNode typed = line.putObject("score");
      typed.put("standardError", score.standardError());
      typed.put("folds", score.folds());
      typed.put("degenerate", score.degenerate());
      typed.put("complexity", score.complexity());
    } else if (event instanceof TrialEvent.Decided decided) {
      line.put("event", "decided");
      line.put("trialId", decided.trialId());
      line.put("rung", decided.rung());
      writeDecision(line, decided.decision());
    } else if (event instanceof TrialEvent.Failed failed) {
      line.put("event", "failed");
      line.put("trialId", failed.trialId());
      line.put("reason", failed.reason());
    }
    try {
      return MAPPER.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write journal entry " + event + " as JSON", e);
    }
  }

  private static void writeDecision(ObjectNode line, Decision d) {
    ObjectNode decision = line.putObject("decision");
    decision.put("action", d.action().name());
    if (d instanceof Decision.Continue next) {
      decision.put("rung", next.rung());
      decision.put("resource", next.resource());
    } else if (d instanceof Decision.Stop stop) {
      decision.put("reason", stop.reason().name());
    }
  }

  /**
   * Parses one line.
   *
   * @throws IllegalArgumentException naming what is wrong, for the caller to prefix with where
   */
  static Entry read(String text) {
    JsonNode line;
    try {
      line = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (line == null || !line.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String kind = string(line, "event");
    int trialId = integer(line, "trialId");
    switch (kind) {
      case "started" -> {
        Map<String, Object> params = new LinkedHashMap<>();
        JsonNode all = field(line, "params");
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> param = it.next();
          params.put(param.getKey(), param(param.getKey(), param.getValue()));
        }
        TrialConfig config = new TrialConfig(string(line, "family"), params);
        String childRunId = line.has("childRunId") ? string(line, "childRunId") : null;
        return new Entry(new TrialEvent.Started(trialId, config), childRunId);
      }
      case "result" -> {
        String family = string(line, "family");
        int rung = integer(line, "rung");
        double resource = real(line, "resource");
        double metric = real(line, "metric");
        double cutoff = real(line, "cutoff");
        Decision decision = decision(field(line, "decision"));
        // Lines written before sweeps were cross-validated carry a single validation score.
        RungScore score = line.has("score") ? score(metric, field(line, "score")) : RungScore.of(metric);
        return new Entry(new TrialEvent.Result(trialId, family, rung, resource, metric, cutoff, decision, score), null);
      }
      case "decided" -> {
        return new Entry(new TrialEvent.Decided(trialId, integer(line, "rung"),
            decision(field(line, "decision"))), null);
      }
      case "failed" -> {
        return new Entry(new TrialEvent.Failed(trialId, string(line, "reason")), null);
      }
      default -> throw new IllegalArgumentException("unknown event '" + kind
          + "' (expected started, result, decided or failed)");
    }
  }

  private static Decision decision(JsonNode decision) {
    String action = string(decision, "action");
    switch (action) {
      case "CONTINUE" -> {
        return new Decision.Continue(integer(decision, "rung"), real(decision, "resource"));
      }
      case "STOP" -> {
        String reason = string(decision, "reason");
        try {
          return new Decision.Stop(Decision.Reason.valueOf(reason));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("unknown stop reason '" + reason + "'", e);
        }
      }
      case "WAIT" -> {
        return new Decision.Wait();
      }
      case "COMPLETE" -> {
        return new Decision.Complete();
      }
      default -> throw new IllegalArgumentException("unknown decision '" + action
          + "' (expected CONTINUE, WAIT, STOP or COMPLETE)");
    }
  }

  private static Object param(String name, JsonNode typed) {
    if (!typed.isObject() || typed.size() != 1) {
      throw new IllegalArgumentException("parameter " + name
          + " is not one {\"<type>\": value} pair: " + typed);
    }
    String type = typed.fieldNames().next();
    return switch (type) {
      case "int" -> integer(typed, type);
      case "double" -> real(typed, type);
      case "boolean" -> {
        if (!typed.get(type).isBoolean()) {
          throw new IllegalArgumentException("parameter " + name + " is not a boolean: " + typed);
        }
        yield typed.get(type).booleanValue();
      }
      case "string" -> string(typed, type);
      default -> throw new IllegalArgumentException("parameter " + name + " has unknown type '"
          + type + "' (expected int, double, boolean or string)");
    };
  }

  private static JsonNode field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("field '" + name + "' is missing");
    }
    return value;
  }

  private static String string(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("field '" + name + "' is not a string: " + value);
    }
    return value.textValue();
  }

  private static RungScore score(double mean, JsonNode score) {
    JsonNode degenerate = field(score, "degenerate");
    if (!degenerate.isBoolean()) {
      throw new IllegalArgumentException("field 'degenerate' is not a boolean: " + degenerate);
    }
    return new RungScore(mean, real(score, "standardError"), integer(score, "folds"), degenerate.booleanValue(),
        real(score, "complexity"));
  }

  private static int integer(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isInt()) {
      throw new IllegalArgumentException("field '" + name + "' is not an int: " + value);
    }
    return value.intValue();
  }

  private static double real(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isTextual()) {
      switch (value.textValue()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw new IllegalArgumentException("field '" + name + "' is not a number: " + value);
  }
}
