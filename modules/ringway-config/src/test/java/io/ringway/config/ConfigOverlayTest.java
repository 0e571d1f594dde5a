package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.ringway.spi.config.RingwayConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigOverlayTest {

  private static final JsonObject FILE = new JsonObject()
      .put("admin", new JsonObject().put("host", "127.0.0.2").put("port", 9901))
      .put("transportOptions", new JsonObject().put("io_uring", new JsonObject().put("ringSize", 4096)));

  @Test
  void environmentOverridesTheFileKeyByKey() {
    RingwayConfig config = valid(Map.of(
        "RINGWAY_ADMIN__PORT", "9902",
        "RINGWAY_TRANSPORT", "nio",
        "RINGWAY_DEMO_UPSTREAM__HTTP_PORT", "18081",
        "RINGWAY_VERTICLES", "demo-upstream, admin"), Map.of());

    assertThat(config.admin().port()).isEqualTo(9902);
    assertThat(config.admin().host()).isEqualTo("127.0.0.2");
    assertThat(config.transport()).isEqualTo("nio");
    assertThat(config.demoUpstream().httpPort()).isEqualTo(18081);
    assertThat(config.verticles()).containsExactly("demo-upstream", "admin");
  }

  @Test
  void matchesNamesWithoutCaseOrUnderscores() {
    assertThat(valid(Map.of("RINGWAY_EVENT_LOOPS", "3"), Map.of()).eventLoops()).isEqualTo(3);
    assertThat(valid(Map.of("RINGWAY_EVENTLOOPS", "5"), Map.of()).eventLoops()).isEqualTo(5);
    assertThat(valid(Map.of(), Map.of("ringway.eventLoops", "6")).eventLoops()).isEqualTo(6);
    assertThat(valid(Map.of(), Map.of("ringway.demo_upstream.tcp-port", "19001")).demoUpstream().tcpPort()).isEqualTo(19001);
    assertThat(errors(Map.of("RINGWAY_EVENT_LOOPS", "3", "RINGWAY_EVENTLOOPS", "5"), Map.of()))
        .containsExactly("RINGWAY_EVENT_LOOPS: sets the same key as RINGWAY_EVENTLOOPS; remove one"
            + " (environment names are compared without case and '_')");
  }

  @Test
  void systemPropertiesBeatTheEnvironmentWhichBeatsTheFile() {
    assertThat(valid(Map.of(), Map.of()).admin().port()).isEqualTo(9901);
    assertThat(valid(Map.of("RINGWAY_ADMIN__PORT", "9902"), Map.of()).admin().port()).isEqualTo(9902);
    assertThat(valid(Map.of("RINGWAY_ADMIN__PORT", "9902"), Map.of("ringway.admin.port", "9903")).admin().port())
        .isEqualTo(9903);
  }

  @Test
  void aValueThatDoesNotFitNamesItsVariableOrProperty() {
    assertThat(errors(Map.of("RINGWAY_ADMIN__PORT", "abc"), Map.of()))
        .containsExactly("RINGWAY_ADMIN__PORT: expected an integer from 1 to 65535, got \"abc\"");
    assertThat(errors(Map.of(), Map.of("ringway.admin.port", "70000")))
        .containsExactly("-Dringway.admin.port: expected an integer from 1 to 65535, got \"70000\"");
    assertThat(errors(Map.of("RINGWAY_TRANSPORT", "uring"), Map.of()))
        .containsExactly("RINGWAY_TRANSPORT: unknown transport \"uring\" (known: auto, io_uring, epoll, nio)");
    assertThat(errors(Map.of("RINGWAY_VERTICLES", "admin,tcp"), Map.of()))
        .containsExactly("RINGWAY_VERTICLES[1]: unknown verticle \"tcp\" (known: admin, demo-upstream, tcp-proxy, http-router, tun-bridge)");
    assertThat(errors(Map.of("RINGWAY_VERTICLES", " , "), Map.of()))
        .containsExactly("RINGWAY_VERTICLES: expected a non-empty list, got \" , \"");
    assertThat(errors(Map.of("RINGWAY_ADMIN", "x"), Map.of()))
        .containsExactly("RINGWAY_ADMIN: expected an object, got \"x\"");
  }

  @Test
  void aNameBelowAKnownKeyThatMatchesNothingIsAnError() {
    assertThat(errors(Map.of("RINGWAY_ADMIN__PROT", "9902"), Map.of()))
        .containsExactly("RINGWAY_ADMIN__PROT: unknown key (known: host, port, token, drainTimeout, drainCloseSpread)");
    assertThat(errors(Map.of("RINGWAY_TRANSPORT_OPTIONS__URING__RING_SIZE", "8"), Map.of()))
        .containsExactly("RINGWAY_TRANSPORT_OPTIONS__URING__RING_SIZE: unknown transport \"URING\" (known: io_uring, epoll, nio)");
  }

  @Test
  void namesNotMeantForRingwayAreIgnored() {
    RingwayConfig config = valid(Map.of("RINGWAY_HOME", "/opt/ringway", "RINGWAY", "x", "PATH", "/bin"),
        Map.of("ringway.jar", "target/ringway.jar", "ringway", "y", "java.version", "21"));

    assertThat(config).isEqualTo(valid(Map.of(), Map.of()));
  }

  @Test
  void reachesIntoATransportPluginsOptions() {
    RingwayConfig config = valid(Map.of(
        "RINGWAY_TRANSPORT_OPTIONS__IO_URING__RING_SIZE", "1024",
        "RINGWAY_TRANSPORT_OPTIONS__IO_URING__SINGLE_ISSUER", "true",
        "RINGWAY_TRANSPORT_OPTIONS__IO_URING__BUFFER_RING__ENTRIES", "64"), Map.of());

    assertThat(config.transportOptions("io_uring")).isEqualTo(new JsonObject()
        .put("ringSize", 1024)
        .put("singleIssuer", true)
        .put("bufferRing", new JsonObject().put("entries", 64)));
    assertThat(errors(Map.of(), Map.of("ringway.transportOptions.io_uring.ringSize", "1000")))
        .containsExactly("-Dringway.transportOptions.io_uring.ringSize: expected a power of two from 2 to 32768, got 1000");
    assertThat(errors(Map.of("RINGWAY_TRANSPORT_OPTIONS__NIO__THREADS", "2"), Map.of()))
        .containsExactly("RINGWAY_TRANSPORT_OPTIONS__NIO__THREADS: unknown key (the nio transport takes no options)");
  }

  private static RingwayConfig valid(Map<String, String> env, Map<String, String> sysprops) {
    ConfigResult result = TestCatalogs.loader(env, sysprops).parse(FILE.copy());
    assertThat(result.errors()).isEmpty();
    return result.config();
  }

  private static List<String> errors(Map<String, String> env, Map<String, String> sysprops) {
    return TestCatalogs.loader(env, sysprops).parse(FILE.copy()).errors().stream().map(ConfigError::toString).toList();
  }
}
