package org.healthpredict.jobs;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Where a test stops the real S3 server: an AWS SDK interceptor that S3A adds to its client
 * ({@link #INTERCEPTORS_KEY}). Armed, it runs the fault (stopping S3Proxy) just before the first
 * matching request goes out, so the fault hits an exact step of a job (the upload of a part file, the
 * second copy of a commit) instead of racing it with a timer. Nothing is simulated: that request and
 * every one after it meet a dead endpoint.
 */
public final class S3FaultPoint implements ExecutionInterceptor {

  public static final String INTERCEPTORS_KEY = "fs.s3a.audit.execution.interceptors";

  /** A request as the fault point sees it: "PutObject", "CopyObject" … and the object key it writes. */
  public record Request(String operation, String bucket, String key) {

    public boolean writes(String operation, String bucket, String keyPattern) {
      return this.operation.equals(operation) && bucket.equals(this.bucket) && key != null && key.matches(keyPattern);
    }
  }

  private record Armed(Predicate<Request> where, Runnable fault) {}

  private static final AtomicReference<Armed> ARMED = new AtomicReference<>();
  private static final AtomicReference<Request> FIRED_AT = new AtomicReference<>();

  /** Runs {@code fault} once, before the first request matching {@code where}. */
  public static void arm(Predicate<Request> where, Runnable fault) {
    FIRED_AT.set(null);
    ARMED.set(new Armed(where, fault));
  }

  public static void disarm() {
    ARMED.set(null);
  }

  /** The request the fault ran before, or null if it has not run. */
  public static Request firedAt() {
    return FIRED_AT.get();
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    Armed armed = ARMED.get();
    if (armed == null) {
      return;
    }
    Request request = describe(context.request());
    // Several task threads send requests at once: exactly one of them runs the fault.
    if (armed.where().test(request) && ARMED.compareAndSet(armed, null)) {
      FIRED_AT.set(request);
      armed.fault().run();
    }
  }

  private static Request describe(SdkRequest request) {
    String operation = request.getClass().getSimpleName().replaceFirst("Request$", "");
    if (request instanceof PutObjectRequest put) {
      return new Request(operation, put.bucket(), put.key());
    }
    if (request instanceof CreateMultipartUploadRequest upload) {
      return new Request(operation, upload.bucket(), upload.key());
    }
    if (request instanceof CopyObjectRequest copy) {
      return new Request(operation, copy.destinationBucket(), copy.destinationKey());
    }
    return new Request(operation, null, null);
  }
}
