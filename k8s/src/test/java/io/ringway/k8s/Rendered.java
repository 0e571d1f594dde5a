package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One overlay's rendered objects, with the lookups the tests share.
 *
 * @param overlay which overlay
 * @param objects every document, in kustomize's order
 */
record Rendered(Overlay overlay, List<HasMetadata> objects) {

  /** The name of Ringway's container in the pod. */
  static final String CONTAINER = "ringway";

  <T extends HasMetadata> List<T> all(Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  <T extends HasMetadata> Optional<T> named(Class<T> kind, String name) {
    return all(kind).stream().filter(object -> name.equals(object.getMetadata().getName())).findFirst();
  }

  Optional<ConfigMap> configMap(String name) {
    return named(ConfigMap.class, name);
  }

  Optional<Secret> secret(String name) {
    return named(Secret.class, name);
  }

  List<Service> services() {
    return all(Service.class);
  }

  /** The one workload that runs Ringway: a Deployment or a StatefulSet. */
  HasMetadata workload() {
    List<HasMetadata> workloads = objects.stream()
        .filter(object -> object instanceof Deployment || object instanceof StatefulSet).toList();
    assertThat(workloads).as("%s: Ringway's workloads", overlay).hasSize(1);
    return workloads.getFirst();
  }

  PodTemplateSpec podTemplate() {
    return switch (workload()) {
      case Deployment deployment -> deployment.getSpec().getTemplate();
      case StatefulSet statefulSet -> statefulSet.getSpec().getTemplate();
      default -> throw new IllegalStateException();
    };
  }

  Map<String, String> podLabels() {
    return podTemplate().getMetadata().getLabels();
  }

  PodSpec podSpec() {
    return podTemplate().getSpec();
  }

  Container container() {
    Optional<Container> container = podSpec().getContainers().stream().filter(c -> CONTAINER.equals(c.getName())).findFirst();
    assertThat(container).as("%s: a container named %s", overlay, CONTAINER).isPresent();
    return container.get();
  }

  /** The container port a Service's or probe's {@code targetPort}/{@code port} means: by number or by name. */
  Optional<ContainerPort> containerPort(IntOrString port) {
    List<ContainerPort> ports = container().getPorts();
    if (port == null) {
      return Optional.empty();
    }
    return port.getIntVal() != null
        ? ports.stream().filter(p -> p.getContainerPort().equals(port.getIntVal())).findFirst()
        : ports.stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst();
  }

  /** Whether a selector picks the pods of the workload. */
  boolean selects(Map<String, String> selector) {
    return selector != null && !selector.isEmpty() && podLabels().entrySet().containsAll(selector.entrySet());
  }
}
