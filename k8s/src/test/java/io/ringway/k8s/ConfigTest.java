package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.spi.ConfigError;
import io.ringway.spi.config.RingwayConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The config each overlay's pods start on comes from {@code conf/ringway.yaml} and validates, environment
 * included, with the loader Ringway itself uses.
 */
class ConfigTest {

  @Test
  void theBaseConfigIsACopyOfConfRingwayYaml() throws IOException {
    Path copy = Kustomize.k8sDir().resolve("base").resolve("ringway.yaml");

    assertThat(Files.mismatch(Kustomize.confFile(), copy))
        .as("k8s/base/ringway.yaml differs from conf/ringway.yaml; kustomize cannot read conf/, so copy it: "
            + "cp conf/ringway.yaml k8s/base/ringway.yaml (Kubernetes' own settings belong in the Deployment's env)")
        .isEqualTo(-1L);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Overlay.class, names = {"STANDALONE", "CLUSTERED"})
  void theProxyOverlaysStartOnTheDefaultConfig(Overlay overlay) throws IOException {
    assertThat(PodConfig.configText(overlay.render()))
        .as("%s: the file behind --conf", overlay)
        .isEqualTo(Files.readString(Kustomize.confFile()));
  }

  @Test
  void theTunnelConfigKeepsTheDefaultTransportAndAdminPort() throws IOException {
    JsonObject tun = document(PodConfig.configText(Overlay.TUN.render()));
    JsonObject conf = document(Files.readString(Kustomize.confFile()));

    for (String key : List.of("transport", "eventLoops", "transportOptions", "admin")) {
      assertThat(tun.getValue(key)).as("tun overlay's %s, vs conf/ringway.yaml", key).isEqualTo(conf.getValue(key));
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void thePodsConfigValidates(Overlay overlay) {
    RingwayConfig config = PodConfig.of(overlay.render());

    assertThat(config.verticles()).as("%s: verticles", overlay).contains("admin");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void withoutTheAdminTokenThePodWouldRefuseToStart(Overlay overlay) {
    ConfigResult result = PodConfig.load(overlay.render(), env -> env.remove("RINGWAY_ADMIN__TOKEN"));

    assertThat(result.errors()).extracting(ConfigError::path).as("%s: errors without the token", overlay)
        .containsExactly("admin.token");
  }

  private static JsonObject document(String text) {
    List<ConfigError> errors = new ArrayList<>();
    JsonObject document = ConfigLoader.parseDocument(text, errors);
    assertThat(errors).isEmpty();
    return document;
  }
}
