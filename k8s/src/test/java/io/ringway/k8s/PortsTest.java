package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TcpListenerConfig;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Container and Service ports are the listeners the pod's config opens, no more and no fewer. */
class PortsTest {

  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]");

  /**
   * A port the pod listens on.
   *
   * @param port the number
   * @param protocol {@code TCP} or {@code UDP}
   */
  record Listening(int port, String protocol) {
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void containerPortsAreTheListenersTheConfigOpens(Overlay overlay) {
    Rendered rendered = overlay.render();

    Map<Listening, String> declared = new LinkedHashMap<>();
    for (ContainerPort port : rendered.container().getPorts()) {
      declared.put(new Listening(port.getContainerPort(), protocol(port.getProtocol())), port.getName());
    }

    assertThat(declared.keySet()).as("%s: container ports vs the config's listeners %s", overlay, listeners(rendered))
        .containsExactlyInAnyOrderElementsOf(listeners(rendered).keySet());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void everyServicePortLeadsToAContainerPortOfItsProtocol(Overlay overlay) {
    Rendered rendered = overlay.render();

    assertThat(rendered.services()).as("%s: Services", overlay).isNotEmpty();
    for (Service service : rendered.services()) {
      String name = service.getMetadata().getName();
      assertThat(rendered.selects(service.getSpec().getSelector()))
          .as("%s: Service %s selects Ringway's pods %s with %s", overlay, name, rendered.podLabels(), service.getSpec().getSelector())
          .isTrue();
      for (ServicePort port : service.getSpec().getPorts()) {
        Optional<ContainerPort> target = rendered.containerPort(port.getTargetPort() != null
            ? port.getTargetPort() : new IntOrString(port.getPort()));
        assertThat(target).as("%s: Service %s port %s targets %s, not a container port", overlay, name, port.getName(),
            port.getTargetPort()).isPresent();
        assertThat(protocol(port.getProtocol())).as("%s: Service %s port %s protocol", overlay, name, port.getName())
            .isEqualTo(protocol(target.get().getProtocol()));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void exposedListenersBindEveryInterface(Overlay overlay) {
    RingwayConfig config = PodConfig.of(overlay.render());

    // kubelet probes and Services come in on the pod's address, never on loopback
    assertThat(config.admin().host()).as("%s: admin.host", overlay).isIn(WILDCARDS);
    if (config.verticles().contains("tcp-proxy")) {
      assertThat(config.tcp().listeners()).extracting(TcpListenerConfig::host).as("%s: tcp listener hosts", overlay)
          .allMatch(WILDCARDS::contains);
    }
    if (config.verticles().contains("http-router")) {
      assertThat(config.http().listeners()).extracting(HttpListenerConfig::host).as("%s: http listener hosts", overlay)
          .allMatch(WILDCARDS::contains);
    }
    if (config.verticles().contains("tun-bridge")) {
      assertThat(config.tun().listenHost()).as("%s: tun.listenHost", overlay).isIn(WILDCARDS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void theDemoUpstreamStaysInsideThePod(Overlay overlay) {
    RingwayConfig config = PodConfig.of(overlay.render());

    if (config.verticles().contains("demo-upstream")) {
      assertThat(isLoopback(config.demoUpstream().host())).as("%s: demoUpstream.host %s is loopback", overlay,
          config.demoUpstream().host()).isTrue();
    }
  }

  @Test
  void theTunnelServiceKeepsPeersSourceAddresses() {
    Rendered rendered = Overlay.TUN.render();
    int listenPort = PodConfig.of(rendered).tun().listenPort();

    Service service = rendered.services().stream()
        .filter(s -> s.getSpec().getPorts().stream().anyMatch(p -> "UDP".equals(p.getProtocol()) && p.getPort() == listenPort))
        .findFirst().orElseThrow(() -> new AssertionError("tun: no Service with UDP port " + listenPort));
    // SNAT to a node's address would make the bridge learn the node as a roaming peer's endpoint
    assertThat(service.getSpec().getType()).isIn("LoadBalancer", "NodePort");
    assertThat(service.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
  }

  /** Every port the pod's config makes it listen on, with what opens it. */
  static Map<Listening, String> listeners(Rendered rendered) {
    RingwayConfig config = PodConfig.of(rendered);
    Map<Listening, String> listeners = new LinkedHashMap<>();
    listeners.put(new Listening(config.admin().port(), "TCP"), "admin");
    if (config.verticles().contains("tcp-proxy")) {
      config.tcp().listeners().forEach(l -> listeners.put(new Listening(l.port(), "TCP"), "tcp.listeners " + l.name()));
    }
    if (config.verticles().contains("http-router")) {
      config.http().listeners().forEach(l -> listeners.put(new Listening(l.port(), "TCP"), "http.listeners " + l.name()));
    }
    if (config.verticles().contains("tun-bridge") && config.tun().enabled()) {
      listeners.put(new Listening(config.tun().listenPort(), "UDP"), "tun");
    }
    if (config.cluster().enabled() || PodConfig.clusterFlag(rendered)) {
      listeners.put(new Listening(config.cluster().port(), "TCP"), "cluster (Hazelcast member)");
    }
    return listeners;
  }

  private static boolean isLoopback(String host) {
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
    return "localhost".equalsIgnoreCase(host) || address != null && address.isLoopbackAddress();
  }

  private static String protocol(String protocol) {
    return protocol == null ? "TCP" : protocol;
  }
}
