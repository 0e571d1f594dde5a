package io.ringway.k8s;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a stream of Kubernetes YAML documents into fabric8's typed objects, refusing what the API server
 * would not know: a kind outside {@link #KINDS} and any field the model lacks ({@code readinesProbe},
 * {@code containerport}). fabric8 keeps unknown fields in an {@code additionalProperties} map instead of
 * failing; that catch-all is taken away here, so {@code FAIL_ON_UNKNOWN_PROPERTIES} applies.
 */
final class KubernetesYaml {

  /** The kinds the overlays may render, by {@code apiVersion/kind}. */
  static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "v1/ConfigMap", ConfigMap.class,
      "v1/Secret", Secret.class,
      "v1/Service", Service.class,
      "apps/v1/Deployment", Deployment.class,
      "apps/v1/StatefulSet", StatefulSet.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
      "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
      ServiceMonitor.API_VERSION + "/ServiceMonitor", ServiceMonitor.class);

  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .addModule(new SimpleModule("no-additional-properties").setDeserializerModifier(new BeanDeserializerModifier() {
        @Override
        public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                                                     BeanDeserializerBuilder builder) {
          if (bean.getBeanClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
            builder.setAnySetter(null);
          }
          return builder;
        }
      }))
      .build();

  private KubernetesYaml() {
  }

  /** Every non-empty document of {@code yaml}, typed; fails naming the document and the field it cannot place. */
  static List<HasMetadata> parseAll(String yaml) {
    Yaml parser = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<HasMetadata> objects = new ArrayList<>();
    int index = 0;
    for (Object document : parser.loadAll(yaml)) {
      if (document != null) {
        objects.add(parse(document, index));
      }
      index++;
    }
    return objects;
  }

  private static HasMetadata parse(Object document, int index) {
    if (!(document instanceof Map<?, ?> fields)) {
      throw new AssertionError("document " + index + " is not a mapping: " + document);
    }
    String type = fields.get("apiVersion") + "/" + fields.get("kind");
    Class<? extends HasMetadata> kind = KINDS.get(type);
    if (kind == null) {
      throw new AssertionError("document " + index + " is a " + type + ", which the tests do not know (known: "
          + KINDS.keySet().stream().sorted().toList() + ")");
    }
    try {
      return STRICT.convertValue(document, kind);
    } catch (IllegalArgumentException e) {
      Object name = fields.get("metadata") instanceof Map<?, ?> metadata ? metadata.get("name") : null;
      throw new AssertionError("document " + index + " (" + type + " " + name + ") does not fit the Kubernetes model: "
          + e.getMessage(), e);
    }
  }
}
