package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.ringway.spi.config.FilterConfig;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gRPC through the router with grpc-java on both ends (h2c, prior knowledge): unary and server-streaming calls
 * pass with their trailers (grpc-status, grpc-message, custom metadata) intact, and the errors the router makes
 * itself reach the client as gRPC codes, not as an HTTP status the client would read as UNKNOWN.
 */
class GrpcTest {

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<byte[], byte[]> ECHO = method("test.Echo/Echo", MethodDescriptor.MethodType.UNARY);
  private static final MethodDescriptor<byte[], byte[]> COUNT =
      method("test.Echo/Count", MethodDescriptor.MethodType.SERVER_STREAMING);
  private static final MethodDescriptor<byte[], byte[]> FAIL = method("test.Echo/Fail", MethodDescriptor.MethodType.UNARY);
  private static final MethodDescriptor<byte[], byte[]> HANG = method("test.Echo/Hang", MethodDescriptor.MethodType.UNARY);
  private static final MethodDescriptor<byte[], byte[]> OTHER = method("other.Svc/Do", MethodDescriptor.MethodType.UNARY);
  private static final MethodDescriptor<byte[], byte[]> LIMITED = method("limited.Svc/Echo", MethodDescriptor.MethodType.UNARY);
  private static final MethodDescriptor<byte[], byte[]> GONE = method("gone.Svc/Echo", MethodDescriptor.MethodType.UNARY);
  private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void callsPassWithTrailersAndTheRoutersOwnErrorsAreGrpcCodes() throws Exception {
    Server backend = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service())
        .addService(ServerServiceDefinition.builder("limited.Svc").addMethod(LIMITED, ServerCalls.asyncUnaryCall(
            (request, response) -> {
              response.onNext(request);
              response.onCompleted();
            })).build())
        .build().start();
    try (RouterFixture fixture = RouterFixture.ioUring()) {
      Endpoint grpc = Endpoint.of(RouterFixture.HOST, backend.getPort());
      Endpoint closed = Endpoint.of(RouterFixture.HOST, Ports.freeTcpPort());
      FilterConfig oneCall = new FilterConfig("rate-limit", new JsonObject().put("requestsPerSecond", 0.01).put("burst", 1));
      fixture.start(List.of(ClusterConfig.of("grpc", List.of(grpc)).withProtocol(UpstreamProtocol.H2C),
              ClusterConfig.of("gone", List.of(closed)).withProtocol(UpstreamProtocol.H2C)), List.of(
          route("limited", "/limited.Svc/", "grpc", RoutePolicy.DEFAULTS, List.of(oneCall)),
          route("gone", "/gone.Svc/", "gone", RoutePolicy.DEFAULTS.withRetries(0), List.of()),
          route("hang", "/test.Echo/Hang", "grpc", RoutePolicy.DEFAULTS.withTimeout(Duration.ofMillis(500)), List.of()),
          route("echo", "/test.Echo/", "grpc", RoutePolicy.DEFAULTS, List.of())));
      ManagedChannel channel = Grpc.newChannelBuilderForAddress(RouterFixture.HOST, fixture.port,
          InsecureChannelCredentials.create()).build();
      try {
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        assertThat(ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, hello)).isEqualTo(hello);

        Iterator<byte[]> counted = ClientCalls.blockingServerStreamingCall(channel, COUNT, CallOptions.DEFAULT, new byte[] {5});
        List<Integer> messages = new ArrayList<>();
        counted.forEachRemaining(message -> messages.add((int) message[0]));
        assertThat(messages).containsExactly(0, 1, 2, 3, 4);

        // The backend's own error: status, message and custom trailer metadata arrive as sent.
        StatusRuntimeException failed = call(channel, FAIL);
        assertThat(failed.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failed.getStatus().getDescription()).isEqualTo("no such thing, 100% sure");
        assertThat(failed.getTrailers().get(DETAIL)).isEqualTo("trailer intact");

        // The router's own errors.
        assertThat(call(channel, OTHER).getStatus().getCode()).as("no route").isEqualTo(Status.Code.UNIMPLEMENTED);
        StatusRuntimeException unavailable = call(channel, GONE);
        assertThat(unavailable.getStatus().getCode()).as("no endpoint answers").isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(unavailable.getStatus().getDescription()).startsWith("upstream connect failed");
        assertThat(call(channel, HANG).getStatus().getCode()).as("route timeout").isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(ClientCalls.blockingUnaryCall(channel, LIMITED, CallOptions.DEFAULT, hello)).isEqualTo(hello);
        StatusRuntimeException limited = call(channel, LIMITED);
        assertThat(limited.getStatus().getCode()).as("rate limit").isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(limited.getStatus().getDescription()).isEqualTo("rate limited");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aGrpcHealthCheckTakesANotServingEndpointOutOfRotation() throws Exception {
    MethodDescriptor<byte[], byte[]> check = method("grpc.health.v1.Health/Check", MethodDescriptor.MethodType.UNARY);
    // HealthCheckResponse{status}: SERVING = 1, NOT_SERVING = 2, written as protobuf by hand (field 1, varint).
    Server serving = healthServer(check, "serving", 1);
    Server notServing = healthServer(check, "not-serving", 2);
    try (RouterFixture fixture = RouterFixture.ioUring()) {
      io.ringway.spi.upstream.HealthCheckConfig health = new io.ringway.spi.upstream.HealthCheckConfig(
          Duration.ofMillis(500), Duration.ofMillis(500), 1, 2, null, null).withGrpcService("test.Echo");
      fixture.start(List.of(ClusterConfig.of("grpc", List.of(Endpoint.of(RouterFixture.HOST, serving.getPort()),
              Endpoint.of(RouterFixture.HOST, notServing.getPort())))
          .withProtocol(UpstreamProtocol.H2C).withHealthCheck(health)),
          List.of(route("echo", "/test.Echo/", "grpc", RoutePolicy.DEFAULTS.withRetries(0), List.of())));
      ManagedChannel channel = Grpc.newChannelBuilderForAddress(RouterFixture.HOST, fixture.port,
          InsecureChannelCredentials.create()).build();
      try {
        Eventually.await("not-serving ejected", Duration.ofSeconds(10), () -> {
          List<String> answers = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            try {
              answers.add(new String(ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, new byte[0]),
                  StandardCharsets.UTF_8));
            } catch (StatusRuntimeException e) {
              // A probe of the serving endpoint slower than its timeout on a loaded machine: wait for the next one.
              answers.add(e.getStatus().toString());
            }
          }
          return answers.stream().allMatch("serving"::equals);
        });
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      serving.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      notServing.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A server whose Echo answers its own name and whose health service says {@code status} for test.Echo. */
  private static Server healthServer(MethodDescriptor<byte[], byte[]> check, String name, int status) throws IOException {
    return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(ServerServiceDefinition.builder("test.Echo").addMethod(ECHO, ServerCalls.asyncUnaryCall(
            (request, response) -> {
              response.onNext(name.getBytes(StandardCharsets.UTF_8));
              response.onCompleted();
            })).build())
        .addService(ServerServiceDefinition.builder("grpc.health.v1.Health").addMethod(check, ServerCalls.asyncUnaryCall(
            (request, response) -> {
              // HealthCheckRequest{service = "test.Echo"}: field 1, length-delimited.
              byte[] expected = ("\n\u0009test.Echo").getBytes(StandardCharsets.UTF_8);
              if (!java.util.Arrays.equals(request, expected)) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("unexpected request").asRuntimeException());
                return;
              }
              response.onNext(new byte[] {0x08, (byte) status});
              response.onCompleted();
            })).build())
        .build().start();
  }

  private static StatusRuntimeException call(ManagedChannel channel, MethodDescriptor<byte[], byte[]> method) {
    return catchThrowableOfType(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
            new byte[] {1}));
  }

  private static RouteConfig route(String name, String prefix, String cluster, RoutePolicy policy, List<FilterConfig> filters) {
    return new RouteConfig(name, RouteMatch.path(new PathMatch(PathMatch.Kind.PREFIX, prefix)), ForwardAction.to(cluster),
        policy, filters);
  }

  private static ServerServiceDefinition service() {
    return ServerServiceDefinition.builder("test.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(request);
          response.onCompleted();
        }))
        .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((request, response) -> {
          for (int i = 0; i < request[0]; i++) {
            response.onNext(new byte[] {(byte) i});
          }
          response.onCompleted();
        }))
        .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, response) -> {
          Metadata trailers = new Metadata();
          trailers.put(DETAIL, "trailer intact");
          response.onError(Status.NOT_FOUND.withDescription("no such thing, 100% sure").asRuntimeException(trailers));
        }))
        .addMethod(HANG, ServerCalls.asyncUnaryCall((request, response) -> { }))
        .build();
  }

  private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName(name)
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }
}
