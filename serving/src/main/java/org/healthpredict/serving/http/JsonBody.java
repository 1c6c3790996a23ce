package org.healthpredict.serving.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.healthpredict.serving.input.FieldError;

/** Writes response bodies with Jackson's streaming generator: no object tree per response. */
final class JsonBody {

  private static final JsonFactory JSON = JsonFactory.builder().build();

  @FunctionalInterface
  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private JsonBody() {}

  static byte[] of(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  /** The error body every failure answers with: what went wrong, every offending field, the request id. */
  static byte[] error(String error, String message, List<FieldError> fields, String requestId) {
    return of(g -> {
      g.writeStartObject();
      g.writeStringField("error", error);
      g.writeStringField("message", message);
      if (!fields.isEmpty()) {
        g.writeArrayFieldStart("fields");
        for (FieldError f : fields) {
          g.writeStartObject();
          g.writeStringField("field", f.field());
          g.writeStringField("problem", f.problem());
          g.writeStringField("expected", f.expected());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeStringField("request_id", requestId);
      g.writeEndObject();
    });
  }

  static void writeStringMap(JsonGenerator g, String name, Map<String, ?> values) throws IOException {
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, ?> e : new java.util.TreeMap<>(values).entrySet()) {
      Object v = e.getValue();
      if (v instanceof Number n) {
        g.writeNumberField(e.getKey(), n.doubleValue());
      } else {
        g.writeStringField(e.getKey(), String.valueOf(v));
      }
    }
    g.writeEndObject();
  }
}
