package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Clustered pods find each other through the headless Service their config names, on the port their config opens. */
class ClusteringTest {

  @Test
  void membersLookUpTheHeadlessServiceThatListsThem() {
    Rendered rendered = Overlay.CLUSTERED.render();
    ClusteringConfig cluster = PodConfig.of(rendered).cluster();

    assertThat(cluster.enabled() || PodConfig.clusterFlag(rendered)).as("clustered: cluster.enabled or --cluster").isTrue();
    assertThat(cluster.discovery()).isInstanceOf(ClusterDiscovery.Kubernetes.class);
    ClusterDiscovery.Kubernetes discovery = (ClusterDiscovery.Kubernetes) cluster.discovery();
    // a bare name (or <service>.<namespace>...) finds the Service in the pod's namespace
    String serviceName = discovery.lookupName().split("\\.")[0];
    Optional<Service> service = rendered.named(Service.class, serviceName);
    assertThat(service).as("clustered: a Service named %s (cluster.discovery.kubernetes.serviceDns %s); rendered: %s",
        serviceName, discovery.serviceDns(), rendered.services().stream().map(s -> s.getMetadata().getName()).toList())
        .isPresent();

    // a ClusterIP name resolves to one virtual address, which is no member at all
    assertThat(service.get().getSpec().getClusterIP()).as("clustered: %s clusterIP", serviceName).isEqualTo("None");
    // pods turn ready only after joining: unready ones must be listed, or a fresh rollout splits
    assertThat(service.get().getSpec().getPublishNotReadyAddresses()).as("publishNotReadyAddresses").isTrue();
    assertThat(rendered.selects(service.get().getSpec().getSelector())).as("clustered: %s selects the pods", serviceName)
        .isTrue();
    ServicePort member = service.get().getSpec().getPorts().stream().filter(p -> p.getPort() == cluster.port())
        .findFirst().orElseThrow(() -> new AssertionError("clustered: " + serviceName + " has no port " + cluster.port()
            + " (cluster.port), which Hazelcast dials"));
    Optional<ContainerPort> target = rendered.containerPort(member.getTargetPort());
    assertThat(target.map(ContainerPort::getContainerPort)).as("clustered: %s's port leads to container port", serviceName)
        .contains(cluster.port());
  }

  @Test
  void theMemberPortDoesNotWanderOffTheOneMembersDial() {
    ClusteringConfig cluster = PodConfig.of(Overlay.CLUSTERED.render()).cluster();

    assertThat(cluster.portAutoIncrement()).as("clustered: cluster.portAutoIncrement").isFalse();
  }

  @Test
  void theNetworkPolicyLetsOnlyMembersReachTheMemberPortAndEveryoneTheRest() {
    Rendered rendered = Overlay.CLUSTERED.render();
    int memberPort = PodConfig.of(rendered).cluster().port();
    List<NetworkPolicy> policies = rendered.all(NetworkPolicy.class).stream()
        .filter(p -> rendered.selects(p.getSpec().getPodSelector().getMatchLabels())).toList();
    assertThat(policies).as("clustered: NetworkPolicies on Ringway's pods").hasSize(1);
    List<NetworkPolicyIngressRule> rules = policies.getFirst().getSpec().getIngress();

    for (ContainerPort port : rendered.container().getPorts()) {
      List<NetworkPolicyIngressRule> admitting = rules.stream().filter(rule -> admits(rendered, rule, port)).toList();
      if (port.getContainerPort() == memberPort) {
        assertThat(admitting).as("clustered: rules admitting the member port %d", memberPort).isNotEmpty()
            .allMatch(rule -> rule.getFrom() != null && !rule.getFrom().isEmpty()
                && rule.getFrom().stream().allMatch(peer -> isRingwayPod(rendered, peer)));
      } else {
        // probes, clients and kubectl port-forward come from anywhere
        assertThat(admitting).as("clustered: rules admitting %s (%d) from anywhere", port.getName(), port.getContainerPort())
            .anyMatch(rule -> rule.getFrom() == null || rule.getFrom().isEmpty());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Overlay.class, names = {"STANDALONE", "TUN"})
  void theOtherOverlaysStartNoHazelcast(Overlay overlay) {
    Rendered rendered = overlay.render();

    assertThat(PodConfig.of(rendered).cluster().enabled()).as("%s: cluster.enabled", overlay).isFalse();
    assertThat(PodConfig.clusterFlag(rendered)).as("%s: --cluster", overlay).isFalse();
    assertThat(rendered.services()).as("%s: headless Services", overlay)
        .noneMatch(s -> "None".equals(s.getSpec().getClusterIP()));
  }

  private static boolean admits(Rendered rendered, NetworkPolicyIngressRule rule, ContainerPort port) {
    if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort allowed : rule.getPorts()) {
      String protocol = allowed.getProtocol() == null ? "TCP" : allowed.getProtocol();
      String portProtocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
      IntOrString number = allowed.getPort();
      if (protocol.equals(portProtocol) && (number == null
          || rendered.containerPort(number).map(ContainerPort::getContainerPort).orElse(-1).equals(port.getContainerPort()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isRingwayPod(Rendered rendered, NetworkPolicyPeer peer) {
    return peer.getIpBlock() == null && peer.getNamespaceSelector() == null && peer.getPodSelector() != null
        && rendered.selects(peer.getPodSelector().getMatchLabels());
  }
}
