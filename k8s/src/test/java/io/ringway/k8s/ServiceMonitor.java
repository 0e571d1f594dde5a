package io.ringway.k8s;

import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.util.List;

/**
 * The Prometheus operator's {@code monitoring.coreos.com/v1 ServiceMonitor}, as far as the monitoring component
 * uses it: fabric8's own model of it is not in the registry here, and a typo in a field must still fail the
 * strict parse ({@link KubernetesYaml}), so the fields are spelled out.
 */
// HasMetadata routes every implementation to fabric8's generic resource, which would swallow the spec unchecked
@JsonDeserialize(using = JsonDeserializer.None.class)
final class ServiceMonitor implements HasMetadata {

  static final String API_VERSION = "monitoring.coreos.com/v1";

  private String apiVersion;
  private ObjectMeta metadata;
  private Spec spec;

  /** @param selector the Services to scrape; @param endpoints how to scrape each */
  record Spec(LabelSelector selector, List<Endpoint> endpoints) {
  }

  record Endpoint(String port, String path, String interval, String scrapeTimeout, Authorization authorization) {
  }

  record Authorization(String type, SecretKeySelector credentials) {
  }

  @Override
  public ObjectMeta getMetadata() {
    return metadata;
  }

  @Override
  public void setMetadata(ObjectMeta metadata) {
    this.metadata = metadata;
  }

  @Override
  public String getApiVersion() {
    return apiVersion;
  }

  @Override
  public void setApiVersion(String apiVersion) {
    this.apiVersion = apiVersion;
  }

  @Override
  public String getKind() {
    return "ServiceMonitor";
  }

  /** Only for the parser: the kind is known from {@link KubernetesYaml#KINDS} already. */
  public void setKind(String kind) {
    if (!getKind().equals(kind)) {
      throw new IllegalArgumentException("kind: expected ServiceMonitor, got " + kind);
    }
  }

  public Spec getSpec() {
    return spec;
  }

  public void setSpec(Spec spec) {
    this.spec = spec;
  }
}
