package org.healthpredict.serving.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.healthpredict.serving.Predictor;
import org.healthpredict.serving.ServingConfig;
import org.healthpredict.serving.input.InvalidInputException;
import org.healthpredict.serving.input.RecordReader;
import org.healthpredict.serving.input.ScoringRequest;
import org.healthpredict.serving.metrics.ServingMetrics;
import org.healthpredict.serving.model.LoadedModel;
import org.healthpredict.serving.model.ModelReloader;
import org.healthpredict.serving.model.ModelSlots;
import org.healthpredict.serving.traffic.TrafficRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the service (Javalin on Jetty). Every route runs inside {@link #route}, which
 * gives each request an id, counts it in flight (for draining), turns every failure into a JSON
 * error body with the right status, and records its metrics. Request bodies are never logged:
 * they are patient records.
 */
public final class ScoringServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ScoringServer.class);
  private static final String JSON = "application/json";
  static final String REQUEST_ID = "X-Request-Id";
  static final String API_KEY = "X-API-Key";
  private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  @FunctionalInterface
  interface RouteBody {
    /** Handles the request and returns the variant label for metrics ("none" when no model answered). */
    String handle(Context ctx) throws Exception;
  }

  private final ServingConfig config;
  private final ModelSlots slots;
  private final ServingMetrics metrics;
  private final Predictor predictor;
  private final RecordReader reader;
  private final ModelReloader reloader;
  private final byte[] openApi;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;
  private Javalin app;

  public ScoringServer(ServingConfig config, ModelSlots slots, ServingMetrics metrics, ModelReloader reloader) {
    this.config = config;
    this.slots = slots;
    this.metrics = metrics;
    this.reloader = reloader;
    this.predictor = new Predictor(new TrafficRouter(config.abMode(), config.challengerShare()), metrics);
    this.reader = new RecordReader(config.unknownFields(), config.maxBatchRecords());
    this.openApi = OpenApiDocument.build(config);
  }

  /** Starts listening; returns at once. Readiness follows the model slots. */
  public ScoringServer start() {
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.jetty.host = config.host();
      cfg.jetty.port = config.port();
      cfg.http.maxRequestSize = config.maxBodyBytes();
      cfg.routes.get("/health/live", ctx -> route(ctx, "/health/live", this::live));
      cfg.routes.get("/health/ready", ctx -> route(ctx, "/health/ready", this::ready));
      cfg.routes.post("/predict", ctx -> route(ctx, "/predict", this::predictOne));
      cfg.routes.post("/predict/batch", ctx -> route(ctx, "/predict/batch", this::predictBatch));
      cfg.routes.get("/model", ctx -> route(ctx, "/model", this::model));
      cfg.routes.get("/metrics", ctx -> route(ctx, "/metrics", this::scrape));
      cfg.routes.get("/openapi.json", ctx -> route(ctx, "/openapi.json", c -> {
        c.contentType(JSON).result(openApi);
        return "none";
      }));
      cfg.routes.post("/admin/reload", ctx -> route(ctx, "/admin/reload", this::reload));
      cfg.routes.error(404, ctx -> fail(ctx, 404, "not_found", "no route " + ctx.method() + " " + ctx.path()
          + "; see GET /openapi.json"));
      cfg.routes.error(405, ctx -> fail(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on "
          + ctx.path()));
    }).start();
    LOG.info("listening on http://{}:{}", config.host(), port());
    return this;
  }

  public int port() {
    return app.port();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Graceful stop: turn unready at once, keep serving for the shutdown delay (so load balancers
   * notice), wait for requests in flight up to the drain timeout, then stop the server.
   */
  public void shutdown() {
    draining = true;
    LOG.info("shutting down: unready now, serving {} more, then draining", config.shutdownDelay());
    sleep(config.shutdownDelay());
    long deadline = System.nanoTime() + config.drainTimeout().toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(10));
    }
    int left = inFlight.get();
    if (left > 0) {
      LOG.warn("drain timeout {} reached with {} requests in flight; stopping anyway", config.drainTimeout(), left);
    } else {
      LOG.info("drained: no request in flight");
    }
    app.stop();
  }

  @Override
  public void close() {
    if (app != null) {
      app.stop();
    }
  }

  // ---- routes -------------------------------------------------------------------------------

  private String live(Context ctx) {
    ctx.contentType(JSON).result("{\"status\":\"live\"}");
    return "none";
  }

  private String ready(Context ctx) {
    Optional<ModelSlots.Serving> serving = slots.current();
    if (draining || serving.isEmpty()) {
      String reason = draining ? "shutting down" : "no model loaded yet";
      ctx.status(503).contentType(JSON).result(JsonBody.of(g -> {
        g.writeStartObject();
        g.writeStringField("status", "not ready");
        g.writeStringField("reason", reason);
        g.writeEndObject();
      }));
      return "none";
    }
    LoadedModel champion = serving.get().champion();
    ctx.contentType(JSON).result(JsonBody.of(g -> {
      g.writeStartObject();
      g.writeStringField("status", "ready");
      g.writeStringField("model", champion.name());
      g.writeStringField("version", champion.version());
      g.writeEndObject();
    }));
    return "none";
  }

  private String predictOne(Context ctx) {
    requireKey(ctx, config.apiKeys(), false);
    ModelSlots.Serving serving = servingOrUnavailable();
    ScoringRequest request = reader.readOne(body(ctx));
    Predictor.Prediction p = predictor.predict(serving, request);
    String requestId = ctx.attribute(REQUEST_ID);
    ctx.contentType(JSON).result(JsonBody.of(g -> {
      g.writeStartObject();
      g.writeNumberField("probability", p.probability());
      g.writeNumberField("label", p.label());
      g.writeBooleanField("readmitted_within_30_days", p.label() == 1);
      g.writeNumberField("threshold", p.model().threshold());
      writeModel(g, p.model());
      g.writeStringField("variant", p.variant().label());
      writeIgnored(g, request.ignoredFields());
      g.writeStringField("request_id", requestId);
      g.writeEndObject();
    }));
    return p.variant().label();
  }

  private String predictBatch(Context ctx) {
    requireKey(ctx, config.apiKeys(), false);
    ModelSlots.Serving serving = servingOrUnavailable();
    List<ScoringRequest> requests = reader.readBatch(body(ctx));
    List<Predictor.Prediction> predictions = predictor.predictAll(serving, requests);
    String requestId = ctx.attribute(REQUEST_ID);
    ctx.contentType(JSON).result(JsonBody.of(g -> {
      g.writeStartObject();
      g.writeNumberField("count", predictions.size());
      writeModel(g, serving.champion());
      g.writeArrayFieldStart("predictions");
      for (int i = 0; i < predictions.size(); i++) {
        Predictor.Prediction p = predictions.get(i);
        g.writeStartObject();
        g.writeNumberField("probability", p.probability());
        g.writeNumberField("label", p.label());
        g.writeStringField("variant", p.variant().label());
        g.writeStringField("model_version", p.model().version());
        writeIgnored(g, requests.get(i).ignoredFields());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("request_id", requestId);
      g.writeEndObject();
    }));
    // A batch may mix variants; its request is counted under the champion's.
    return serving.challenger() == null ? "champion" : "mixed";
  }

  private String model(Context ctx) {
    ModelSlots.Serving serving = servingOrUnavailable();
    ctx.contentType(JSON).result(JsonBody.of(g -> {
      g.writeStartObject();
      writeModelFields(g, serving.champion());
      if (serving.challenger() != null) {
        g.writeObjectFieldStart("challenger");
        writeModelFields(g, serving.challenger());
        g.writeEndObject();
        g.writeObjectFieldStart("traffic");
        g.writeStringField("mode", config.abMode().name().toLowerCase());
        g.writeNumberField("challenger_share", config.challengerShare());
        g.writeStringField("key", "patient_nbr");
        g.writeEndObject();
      }
      g.writeEndObject();
    }));
    return "none";
  }

  private String scrape(Context ctx) {
    ctx.contentType(metrics.contentType()).result(metrics.scrape());
    return "none";
  }

  private String reload(Context ctx) {
    requireKey(ctx, config.adminKeys(), true);
    ModelReloader.Outcome outcome = reloader.reload("admin");
    ctx.status(outcome.ok() ? 200 : 502).contentType(JSON).result(JsonBody.of(g -> {
      g.writeStartObject();
      g.writeBooleanField("reloaded", outcome.ok());
      if (outcome.ok()) {
        g.writeStringField("champion_before", outcome.championBefore());
        g.writeStringField("champion_after", outcome.championAfter());
      } else {
        g.writeStringField("error", "reload_failed");
        g.writeStringField("message", outcome.message() + "; the previous model keeps serving");
      }
      g.writeStringField("request_id", (String) ctx.attribute(REQUEST_ID));
      g.writeEndObject();
    }));
    return "none";
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private void route(Context ctx, String route, RouteBody body) {
    long start = System.nanoTime();
    inFlight.incrementAndGet();
    String requestId = requestId(ctx);
    String variant = "none";
    try {
      variant = body.handle(ctx);
    } catch (InvalidInputException e) {
      fail(ctx, e.status(), errorName(e.status()), e.getMessage(), e);
    } catch (HttpResponseException e) {
      // Jetty/Javalin refusals, e.g. a body over maxRequestSize while reading it.
      fail(ctx, e.getStatus(), errorName(e.getStatus()), e.getMessage());
    } catch (Unauthorized e) {
      ctx.header("WWW-Authenticate", "ApiKey header=\"" + API_KEY + "\"");
      fail(ctx, e.status, e.status == 401 ? "unauthorized" : "forbidden", e.getMessage());
    } catch (Unavailable e) {
      fail(ctx, 503, "unavailable", e.getMessage());
    } catch (Exception e) {
      // A fault of ours: the client gets the request id to quote, the log gets the stack trace.
      LOG.error("request {} on {} failed", requestId, route, e);
      fail(ctx, 500, "internal_error", "the server failed to answer; quote request id " + requestId);
    } finally {
      inFlight.decrementAndGet();
      int status = ctx.statusCode();
      metrics.request(route, status, variant, (System.nanoTime() - start) / 1e9);
      // Probes answering 503 while the model loads are expected, not worth a line each.
      if (status >= 400 && !route.startsWith("/health/")) {
        LOG.info("request {} {} {} -> {}", requestId, ctx.method(), route, status);
      }
    }
  }

  private static String requestId(Context ctx) {
    String given = ctx.header(REQUEST_ID);
    // Accept a caller's id only when it is short and plain, so it cannot forge log lines.
    String id = given != null && PLAIN_ID.matcher(given).matches() ? given : newRequestId();
    ctx.attribute(REQUEST_ID, id);
    ctx.header(REQUEST_ID, id);
    return id;
  }

  private byte[] body(Context ctx) {
    long declared = ctx.contentLength();
    if (declared > config.maxBodyBytes()) {
      throw new InvalidInputException(InvalidInputException.TOO_LARGE,
          "the body is " + declared + " bytes; the limit is " + config.maxBodyBytes());
    }
    return ctx.bodyAsBytes();
  }

  private ModelSlots.Serving servingOrUnavailable() {
    if (draining) {
      // Still answered while draining: load balancers may send a few more after readiness fell.
      return slots.current().orElseThrow(() -> new Unavailable("shutting down"));
    }
    return slots.current().orElseThrow(() -> new Unavailable("no model loaded yet; see /health/ready"));
  }

  private static void requireKey(Context ctx, ApiKeys keys, boolean alwaysRequired) {
    if (keys.isEmpty()) {
      if (alwaysRequired) {
        throw new Unauthorized(403, "admin endpoints are disabled: no admin API key is configured (ADMIN_API_KEYS)");
      }
      return;
    }
    String presented = ctx.header(API_KEY);
    if (presented == null) {
      String auth = ctx.header("Authorization");
      presented = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
    }
    if (presented == null) {
      throw new Unauthorized(401, "an API key is required in the " + API_KEY + " header");
    }
    if (!keys.accepts(presented)) {
      throw new Unauthorized(401, "the API key is not valid");
    }
  }

  /**
   * A random version-4 UUID from the thread's generator: a request id needs no secrecy, and
   * UUID.randomUUID() would take SecureRandom's shared lock on every request of the hot path.
   */
  private static String newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private void fail(Context ctx, int status, String error, String message) {
    fail(ctx, status, error, message, null);
  }

  private void fail(Context ctx, int status, String error, String message, InvalidInputException e) {
    String requestId = ctx.attribute(REQUEST_ID) == null ? requestId(ctx) : ctx.attribute(REQUEST_ID);
    ctx.status(status).contentType(JSON).result(
        JsonBody.error(error, message, e == null ? List.of() : e.errors(), requestId));
  }

  private static String errorName(int status) {
    return switch (status) {
      case 400 -> "malformed_request";
      case 413 -> "too_large";
      case 422 -> "invalid_record";
      default -> "bad_request";
    };
  }

  private static void writeModel(JsonGenerator g, LoadedModel m) throws IOException {
    g.writeObjectFieldStart("model");
    g.writeStringField("name", m.name());
    g.writeStringField("version", m.version());
    g.writeEndObject();
  }

  private static void writeModelFields(JsonGenerator g, LoadedModel m) throws IOException {
    g.writeStringField("name", m.name());
    g.writeStringField("version", m.version());
    g.writeStringField("run_id", m.runId());
    g.writeStringField("uri", m.uri());
    g.writeStringField("family", m.family());
    g.writeNumberField("threshold", m.threshold());
    JsonBody.writeStringMap(g, "metrics", m.metrics());
    g.writeStringField("loaded_at", m.loadedAt().toString());
    g.writeStringField("scorer", m.scorerDescription());
  }

  private static void writeIgnored(JsonGenerator g, List<String> ignored) throws IOException {
    if (!ignored.isEmpty()) {
      g.writeArrayFieldStart("ignored_fields");
      for (String f : ignored) {
        g.writeString(f);
      }
      g.writeEndArray();
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Unauthorized extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Unauthorized(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }
  }
}
