package io.ringway.spi.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigError;
import io.ringway.spi.ConfigRejected;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.ringway.spi.config.TunPeerConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.ringway.spi.upstream.HealthTransition;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageCodecsTest {

  private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
  private static final TunPeerConfig PEER = new TunPeerConfig("b", "S2V5", "10.0.0.2:51820", List.of("10.77.0.2/32"), 25);
  private static final InstanceStats STATS = new InstanceStats("tcp-proxy", "tcp-proxy-1", 2, 3,
      new JsonObject().put("configVersion", 7).put("listeners", new JsonArray().add(new JsonObject().put("listener", "l4")
          .put("bytesIn", 10L))));

  /** One sample of every message record that crosses nodes. */
  private static final List<Object> SAMPLES = List.of(
      new ConfigRejected("admin", List.of(new ConfigError("http.routes[2].cluster", "unknown cluster \"api\"")), 4),
      new ConfigApply(5, new JsonObject().put("admin", new JsonObject().put("port", 9902)), "PUT /config on a"),
      new ConfigApplyResult(false, 4, List.of(new ConfigError("admin.port", "wrong"))),
      new ConfigPut("admin: {port: 9902}", 4L),
      new ConfigPut("admin: {port: 9902}", null),
      new ConfigStored(5),
      new ConfigCheck("admin: {port: 99999}"),
      new ConfigChecked(List.of(new ConfigError("admin.port", "expected 1..65535, got 99999"))),
      new ConfigChecked(List.of()),
      new NodeInfo("1.2.3", "io_uring", 4, 7, AT, NodePhase.READY),
      new NodeInfo("1.2.3", "io_uring", 2, 7, AT, NodePhase.READY, "[1, 0]",
          List.of(new io.ringway.spi.LoopPlacement("vert.x-eventloop-thread-0", "1"),
              new io.ringway.spi.LoopPlacement("vert.x-eventloop-thread-1", "0"))),
      new NodeInfo("1.2.3", "io_uring", 1, 7, AT, NodePhase.READY, "none", List.of(),
          new io.ringway.spi.WarmupReport(17_849, 84_558, 0, 13_069, true, null)),
      new NodeInfo("1.2.3", "io_uring", 1, 7, AT, NodePhase.STARTING, "none", List.of(),
          io.ringway.spi.WarmupReport.skipped("java.net.BindException: Address already in use")),
      new DrainOrder(AT),
      new DrainStatus(NodePhase.DRAINING, AT),
      new StatsRequest("ringway.admin.stats.1"),
      STATS,
      new CollectedStats(List.of(STATS, new InstanceStats("http-router", "http-router-1", 1, 0, null)), false),
      new EndpointsUpdate("api", List.of(Endpoint.of("10.0.0.1", 80), new Endpoint("::1", 8080, 3))),
      new HealthTransition("10.0.0.1:80", false, "timeout after 1000 ms"),
      new RegisterEndpoint("api", new Endpoint("10.0.0.1", 80, 2)),
      new EndpointRegistered("api", Endpoint.of("10.0.0.1", 80), "member-1"),
      new EndpointOwners(List.of(new EndpointRegistered("api", Endpoint.of("10.0.0.1", 80), "member-1"),
          new EndpointRegistered("api", Endpoint.of("10.0.0.1", 80), "member-2")), Map.of("member-1", "node-1")),
      PEER,
      TunPeerConfig.of("roaming", "S2V5", null, List.of()),
      new TunPeer(PEER, "member-1"),
      new TunPeers(List.of(new TunPeer(PEER, "member-1"))));

  @Test
  void everyRecordWithACodecHasASample() {
    List<Class<?>> withJson = MessageCodecs.codecs().stream().filter(RecordCodec::clustered)
        .<Class<?>>map(RecordCodec::type).toList();
    List<Class<?>> sampled = SAMPLES.stream().<Class<?>>map(Object::getClass).distinct().toList();
    assertThat(withJson).containsExactlyInAnyOrderElementsOf(sampled);
  }

  @Test
  void everyRecordRoundTripsThroughItsJsonFormAndTheWire() {
    Map<Class<?>, RecordCodec<?>> byType = MessageCodecs.codecs().stream()
        .collect(Collectors.toMap(RecordCodec::type, Function.identity()));
    for (Object sample : SAMPLES) {
      RecordCodec<?> codec = byType.get(sample.getClass());
      assertThat(jsonRoundTrip(codec, sample)).as("JSON form of %s", sample).isEqualTo(sample);
      assertThat(wire(codec, sample)).as("wire form of %s", sample).isEqualTo(sample);
    }
  }

  @Test
  void theWireFormStartsAnywhereInTheBuffer() {
    RecordCodec<?> codec = MessageCodecs.codecs().stream().filter(c -> c.type() == StatsRequest.class).findFirst().orElseThrow();
    Buffer buffer = Buffer.buffer("header");
    encode(codec, buffer, new StatsRequest("x"));
    buffer.appendString("trailer");
    assertThat(codec.decodeFromWire(6, buffer)).isEqualTo(new StatsRequest("x"));
  }

  @Test
  void aLocalOnlyRecordRefusesTheWire() {
    RecordCodec<?> codec = MessageCodecs.codecs().stream().filter(c -> c.type() == ConfigSnapshot.class).findFirst().orElseThrow();
    assertThat(codec.clustered()).isFalse();
    assertThatThrownBy(() -> encode(codec, Buffer.buffer(), new ConfigSnapshot(1, null, "test")))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("local only");
  }

  @Test
  void localDeliveryPassesTheRecordByReference() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      MessageCodecs.registerAll(vertx);
      MessageCodecs.registerAll(vertx); // a second verticle registering again is fine
      TunPeers sent = new TunPeers(List.of(new TunPeer(PEER, "member-1")));
      Promise<Object> received = Promise.promise();
      vertx.eventBus().localConsumer(Addresses.TUN_PEERS, message -> received.tryComplete(message.body()))
          .completion().await(5, TimeUnit.SECONDS);
      vertx.eventBus().publish(Addresses.TUN_PEERS, sent, new DeliveryOptions().setLocalOnly(true));
      assertThat(received.future().await(5, TimeUnit.SECONDS)).isSameAs(sent);
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void instanceStatsKeepTheFlatFormTheStatsContractDocuments() {
    JsonObject json = STATS.toJson();
    assertThat(json.getString("verticle")).isEqualTo("tcp-proxy");
    assertThat(json.getLong("inFlight")).isEqualTo(3);
    assertThat(json.getJsonArray("listeners").getJsonObject(0).getLong("bytesIn")).isEqualTo(10);
    // the record holds a copy: changing what was handed in or handed out changes nothing
    STATS.counters().put("configVersion", 8);
    assertThat(STATS.toJson().getInteger("configVersion")).isEqualTo(7);
    assertThatThrownBy(() -> new InstanceStats("v", "v-1", 1, 0, new JsonObject().put("inFlight", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("counters.inFlight:");
  }

  static Stream<Arguments> brokenMessages() {
    JsonObject stats = STATS.toJson();
    return Stream.of(
        broken(ConfigRejected::fromJson, "{\"source\":\"a\",\"errors\":[{\"path\":\"x\"}],\"runningVersion\":1}",
            "errors[0].message: missing"),
        broken(ConfigApply::fromJson, "{\"version\":\"5\",\"document\":{},\"source\":\"a\"}", "version: expected an integer"),
        broken(ConfigApply::fromJson, "{\"version\":5,\"source\":\"a\"}", "document: missing"),
        broken(ConfigApplyResult::fromJson, "{\"applied\":\"yes\",\"version\":1,\"errors\":[]}", "applied: expected true or false"),
        broken(ConfigPut::fromJson, "{\"ifVersion\":3}", "text: missing"),
        broken(ConfigPut::fromJson, "{\"text\":\"\",\"ifVersion\":1.5}", "ifVersion: expected an integer"),
        broken(ConfigStored::fromJson, "{}", "version: missing"),
        broken(NodeInfo::fromJson, "{\"version\":\"1\",\"transport\":\"nio\",\"eventLoops\":1,\"configVersion\":1,"
            + "\"startedAt\":\"yesterday\",\"phase\":\"READY\"}", "startedAt: \"yesterday\" is not an ISO-8601 instant"),
        broken(NodeInfo::fromJson, "{\"version\":\"1\",\"transport\":\"nio\",\"eventLoops\":1,\"configVersion\":1,"
            + "\"startedAt\":\"2026-11-23T10:00:00Z\",\"phase\":\"ASLEEP\"}", "phase: unknown value \"ASLEEP\""),
        broken(DrainOrder::fromJson, "{\"deadline\":42}", "deadline: expected a string, got 42"),
        broken(DrainStatus::fromJson, "{\"deadline\":\"2026-11-23T10:00:00Z\"}", "phase: missing"),
        broken(StatsRequest::fromJson, "{\"replyTo\":\" \"}", "replyTo: must not be blank"),
        broken(InstanceStats::fromJson, stats.copy().put("instances", 0).encode(), "instances: 0 must be at least 1"),
        broken(InstanceStats::fromJson, stats.copy().put("instances", 3_000_000_000L).encode(), "instances: 3000000000 is out of range"),
        broken(CollectedStats::fromJson, "{\"complete\":true,\"instances\":[" + stats.copy().put("verticle", 1).encode() + "]}",
            "instances[0].verticle: expected a string, got 1"),
        broken(CollectedStats::fromJson, "{\"complete\":true,\"instances\":[1]}", "instances[0]: expected an object, got 1"),
        broken(EndpointsUpdate::fromJson, "{\"cluster\":\"api\",\"endpoints\":[{\"host\":\"a\",\"port\":\"80\"}]}",
            "endpoints[0].port: expected an integer"),
        broken(EndpointsUpdate::fromJson, "{\"endpoints\":[]}", "cluster: missing"),
        broken(HealthTransition::fromJson, "{\"healthy\":true}", "endpoint: missing"),
        broken(RegisterEndpoint::fromJson, "{\"cluster\":\"api\",\"endpoint\":{\"port\":80}}", "endpoint.host: missing"),
        broken(RegisterEndpoint::fromJson, "{\"cluster\":\"api\",\"endpoint\":{\"host\":\"a\",\"port\":80,\"weight\":500}}",
            "endpoint.weight: 500 is outside 1..128"),
        broken(EndpointRegistered::fromJson, "{\"cluster\":\"api\",\"endpoint\":{\"host\":\"a\",\"port\":80}}", "owner: missing"),
        broken(TunPeerConfig::fromJson, "{\"name\":\"b\",\"publicKey\":\"k\",\"allowedPrefixes\":[\"10.0.0.0/8\",7]}",
            "allowedPrefixes[1]: expected a string, got 7"),
        broken(TunPeer::fromJson, "{\"name\":\"b\",\"publicKey\":\"k\"}", "owner: missing"),
        broken(TunPeers::fromJson, "{\"peers\":[{\"name\":\"b\",\"owner\":\"m\"}]}", "peers[0].publicKey: missing"),
        broken(TunPeers::fromJson, null, "peers: missing"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("brokenMessages")
  void aBrokenMessageFailsNamingTheField(Function<JsonObject, ?> fromJson, String json, String expected) {
    assertThatThrownBy(() -> fromJson.apply(json == null ? null : new JsonObject(json)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(expected);
  }

  private static Arguments broken(Function<JsonObject, ?> fromJson, String json, String expected) {
    return Arguments.of(fromJson, json, expected);
  }

  /** What crosses nodes, decoded again on the other side. */
  private static <T> T wire(RecordCodec<T> codec, Object sample) {
    Buffer buffer = Buffer.buffer();
    encode(codec, buffer, sample);
    return codec.decodeFromWire(0, buffer);
  }

  private static <T> void encode(RecordCodec<T> codec, Buffer buffer, Object sample) {
    codec.encodeToWire(buffer, codec.type().cast(sample));
  }

  /** {@code toJson}, encoded as text (as a stored value holds it), then {@code fromJson}. */
  private static <T> T jsonRoundTrip(RecordCodec<T> codec, Object sample) {
    return codec.fromJson(new JsonObject(codec.toJson(codec.type().cast(sample)).encode()));
  }
}
