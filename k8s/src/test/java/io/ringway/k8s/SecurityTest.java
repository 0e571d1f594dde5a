package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.ringway.config.ConfigLoader;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TunBridgeConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Least privilege: what each overlay's pod may do, and where its secrets come from. */
class SecurityTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void theRootFilesystemIsReadOnlyAndTmpIsAnEmptyDir(Overlay overlay) {
    Rendered rendered = overlay.render();

    assertThat(effective(rendered, SecurityContext::getReadOnlyRootFilesystem, p -> null))
        .as("%s: readOnlyRootFilesystem", overlay).isTrue();
    // Netty and JNA unpack native libraries to java.io.tmpdir: without a writable /tmp no transport loads
    Optional<VolumeMount> tmp = rendered.container().getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals("/tmp")).findFirst();
    assertThat(tmp).as("%s: a mount on /tmp", overlay).isPresent();
    assertThat(volume(rendered, tmp.get().getName()).getEmptyDir()).as("%s: /tmp is an emptyDir", overlay).isNotNull();
    assertThat(tmp.get().getReadOnly()).as("%s: /tmp read-only", overlay).isNotEqualTo(Boolean.TRUE);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void noPrivilegeEscalationAndNoCapabilityButTheTunnelsNetAdmin(Overlay overlay) {
    Rendered rendered = overlay.render();
    SecurityContext context = rendered.container().getSecurityContext();
    Capabilities capabilities = context.getCapabilities();

    assertThat(context.getPrivileged()).as("%s: privileged", overlay).isNotEqualTo(Boolean.TRUE);
    assertThat(context.getAllowPrivilegeEscalation()).as("%s: allowPrivilegeEscalation", overlay).isFalse();
    assertThat(capabilities.getDrop()).as("%s: capabilities dropped", overlay).containsExactly("ALL");
    if (overlay == Overlay.TUN) {
      assertThat(capabilities.getAdd()).as("tun: capabilities added").containsExactly("NET_ADMIN");
    } else {
      assertThat(capabilities.getAdd()).as("%s: capabilities added", overlay).isNullOrEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Overlay.class, names = {"STANDALONE", "CLUSTERED"})
  void theProxiesRunAsANonRootUser(Overlay overlay) {
    Rendered rendered = overlay.render();

    assertThat(effective(rendered, SecurityContext::getRunAsNonRoot, PodSecurityContext::getRunAsNonRoot))
        .as("%s: runAsNonRoot", overlay).isTrue();
    // a numeric user lets kubelet check runAsNonRoot whatever the image says
    assertThat(effective(rendered, SecurityContext::getRunAsUser, PodSecurityContext::getRunAsUser))
        .as("%s: runAsUser", overlay).isNotNull().isNotZero();
  }

  @Test
  void theTunnelRunsAsRootWithNetAdminAndTheTunCloneDevice() {
    Rendered rendered = Overlay.TUN.render();
    TunBridgeConfig tun = PodConfig.of(rendered).tun();

    assertThat(PodConfig.of(rendered).verticles()).contains("tun-bridge");
    assertThat(tun.enabled()).isTrue();
    // Kubernetes gives an added capability to a non-root process in its bounding set only, not as effective
    assertThat(effective(rendered, SecurityContext::getRunAsUser, PodSecurityContext::getRunAsUser)).isZero();
    assertThat(rendered.container().getSecurityContext().getCapabilities().getAdd()).contains("NET_ADMIN");
    Optional<VolumeMount> device = rendered.container().getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals(tun.devicePath())).findFirst();
    assertThat(device).as("tun: a mount on tun.devicePath %s", tun.devicePath()).isPresent();
    Volume volume = volume(rendered, device.get().getName());
    assertThat(volume.getHostPath()).as("tun: %s comes from the node", tun.devicePath()).isNotNull();
    assertThat(volume.getHostPath().getPath()).isEqualTo("/dev/net/tun");
    assertThat(volume.getHostPath().getType()).isEqualTo("CharDevice");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void thePodStaysAwayFromTheApiAndTheNodesNetworkAndFiltersSyscalls(Overlay overlay) {
    PodSpec pod = overlay.render().podSpec();

    assertThat(pod.getAutomountServiceAccountToken()).as("%s: automountServiceAccountToken", overlay).isFalse();
    // Service links would put RINGWAY_PORT=tcp://... and the like among Ringway's config overrides
    assertThat(pod.getEnableServiceLinks()).as("%s: enableServiceLinks", overlay).isFalse();
    assertThat(pod.getHostNetwork()).as("%s: hostNetwork", overlay).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).as("%s: hostPID", overlay).isNotEqualTo(Boolean.TRUE);
    String seccomp = effective(overlay.render(), c -> c.getSeccompProfile() == null ? null : c.getSeccompProfile().getType(),
        p -> p.getSeccompProfile() == null ? null : p.getSeccompProfile().getType());
    assertThat(seccomp).as("%s: seccomp profile", overlay).isEqualTo("RuntimeDefault");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void theAdminTokenComesFromASecretNeverFromTheManifests(Overlay overlay) {
    Rendered rendered = overlay.render();
    JsonObject document = ConfigLoader.parseDocument(PodConfig.configText(rendered), new ArrayList<>());

    assertThat(document.getJsonObject("admin", new JsonObject()).containsKey("token"))
        .as("%s: admin.token written in the ConfigMap", overlay).isFalse();
    EnvVar token = env(rendered.container(), "RINGWAY_ADMIN__TOKEN");
    assertThat(token).as("%s: RINGWAY_ADMIN__TOKEN", overlay).isNotNull();
    assertThat(token.getValue()).as("%s: RINGWAY_ADMIN__TOKEN literal", overlay).isNull();
    assertThat(token.getValueFrom().getSecretKeyRef()).as("%s: RINGWAY_ADMIN__TOKEN from a Secret", overlay).isNotNull();
    assertThat(PodConfig.of(rendered).admin().token()).isEqualTo(PodConfig.secretStandIn(
        token.getValueFrom().getSecretKeyRef().getName(), token.getValueFrom().getSecretKeyRef().getKey()));
  }

  @Test
  void theTunnelReadsItsPrivateKeyFromASecretFile() {
    Rendered rendered = Overlay.TUN.render();
    RingwayConfig config = PodConfig.of(rendered);

    assertThat(config.tun().privateKeyEnv()).as("tun.privateKeyEnv: a variable shows in the process environment").isNull();
    Path keyFile = Path.of(config.tun().privateKeyFile());
    Optional<VolumeMount> mount = rendered.container().getVolumeMounts().stream()
        .filter(m -> Path.of(m.getMountPath()).equals(keyFile.getParent())).findFirst();
    assertThat(mount).as("tun: a mount on %s, the directory of tun.privateKeyFile", keyFile.getParent()).isPresent();
    SecretVolumeSource secret = volume(rendered, mount.get().getName()).getSecret();
    assertThat(secret).as("tun: the key's volume is a Secret").isNotNull();
    String file = keyFile.getFileName().toString();
    if (secret.getItems() != null && !secret.getItems().isEmpty()) {
      assertThat(secret.getItems()).as("tun: Secret %s items", secret.getSecretName())
          .anyMatch(item -> item.getPath().equals(file));
    }
    // owner-read only: the process runs as the file's owner (root), nobody else needs it
    assertThat(secret.getDefaultMode()).as("tun: key file mode").isEqualTo(0400);
  }

  /** A security setting as it applies to the container: its own, else the pod's. */
  private static <T> T effective(Rendered rendered, Function<SecurityContext, T> container, Function<PodSecurityContext, T> pod) {
    SecurityContext own = rendered.container().getSecurityContext();
    T value = own == null ? null : container.apply(own);
    PodSecurityContext podContext = rendered.podSpec().getSecurityContext();
    return value != null || podContext == null ? value : pod.apply(podContext);
  }

  private static Volume volume(Rendered rendered, String name) {
    return rendered.podSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(rendered.overlay() + ": no volume " + name));
  }

  private static EnvVar env(Container container, String name) {
    return Optional.ofNullable(container.getEnv()).orElse(List.of()).stream()
        .filter(e -> e.getName().equals(name)).findFirst().orElse(null);
  }
}
