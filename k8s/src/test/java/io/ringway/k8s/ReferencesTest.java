package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every ConfigMap and Secret a pod needs exists: rendered by kustomize, or (a Secret only) created by a
 * {@code kubectl create secret} command that k8s/README.md gives, with the very name and key the pod reads.
 */
class ReferencesTest {

  /** {@code kubectl create secret generic NAME ...}: the rest of its line and of any lines continued with {@code \\}. */
  private static final Pattern CREATE = Pattern.compile("kubectl create secret generic ([a-z0-9.-]+)([^\\n]*(?:\\\\\\n[^\\n]*)*)");
  /** {@code --from-literal=KEY=VALUE}, {@code --from-file=KEY=PATH} or {@code --from-file=PATH} (key: the file's name). */
  private static final Pattern FROM = Pattern.compile("--from-(literal|file)=([^=\\s]+)(=)?");

  /**
   * A reference from the pod.
   *
   * @param name ConfigMap or Secret name
   * @param key the key read, or null for the whole object
   * @param where what refers to it
   */
  record Reference(String name, String key, String where) {
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void everyConfigMapThePodReadsIsRenderedWithItsKeys(Overlay overlay) {
    Rendered rendered = overlay.render();

    List<Reference> references = configMaps(rendered);
    assertThat(references).as("%s: ConfigMap references", overlay).isNotEmpty();
    for (Reference reference : references) {
      Optional<ConfigMap> configMap = rendered.configMap(reference.name());
      assertThat(configMap).as("%s: ConfigMap %s (%s) is rendered", overlay, reference.name(), reference.where()).isPresent();
      if (reference.key() != null) {
        assertThat(configMap.get().getData()).as("%s: ConfigMap %s (%s) keys", overlay, reference.name(), reference.where())
            .containsKey(reference.key());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void everySecretThePodReadsIsRenderedOrCreatedAsTheReadmeSays(Overlay overlay) throws IOException {
    Rendered rendered = overlay.render();
    Map<String, Set<String>> documented = documentedSecrets();

    for (Reference reference : secrets(rendered)) {
      Optional<Secret> secret = rendered.secret(reference.name());
      if (secret.isPresent()) {
        if (reference.key() != null) {
          Set<String> keys = new HashSet<>();
          Optional.ofNullable(secret.get().getData()).ifPresent(data -> keys.addAll(data.keySet()));
          Optional.ofNullable(secret.get().getStringData()).ifPresent(data -> keys.addAll(data.keySet()));
          assertThat(keys).as("%s: Secret %s (%s) keys", overlay, reference.name(), reference.where()).contains(reference.key());
        }
      } else {
        assertThat(documented).as("%s: Secret %s (%s) is neither rendered nor created by a command in k8s/README.md",
            overlay, reference.name(), reference.where()).containsKey(reference.name());
        if (reference.key() != null) {
          assertThat(documented.get(reference.name())).as("%s: keys k8s/README.md puts in Secret %s (%s reads %s)",
              overlay, reference.name(), reference.where(), reference.key()).contains(reference.key());
        }
      }
    }
  }

  @Test
  void theReadmeCreatesOnlySecretsSomeOverlayReads() throws IOException {
    Set<String> read = new HashSet<>();
    for (Overlay overlay : Overlay.values()) {
      secrets(overlay.render()).forEach(reference -> read.add(reference.name()));
    }

    assertThat(documentedSecrets()).as("Secrets k8s/README.md creates").isNotEmpty();
    assertThat(read).as("Secrets the overlays read").containsAll(documentedSecrets().keySet());
  }

  /** Secret name to keys, from the {@code kubectl create secret generic} commands in k8s/README.md. */
  static Map<String, Set<String>> documentedSecrets() throws IOException {
    String readme = Files.readString(Kustomize.k8sDir().resolve("README.md"));
    Map<String, Set<String>> secrets = new HashMap<>();
    Matcher create = CREATE.matcher(readme);
    while (create.find()) {
      Set<String> keys = secrets.computeIfAbsent(create.group(1), name -> new HashSet<>());
      Matcher from = FROM.matcher(create.group(2));
      while (from.find()) {
        boolean fileWithoutKey = from.group(1).equals("file") && from.group(3) == null;
        keys.add(fileWithoutKey ? Path.of(from.group(2)).getFileName().toString() : from.group(2));
      }
    }
    return secrets;
  }

  private static List<Reference> configMaps(Rendered rendered) {
    List<Reference> references = new ArrayList<>();
    for (Volume volume : rendered.podSpec().getVolumes()) {
      if (volume.getConfigMap() != null) {
        keys(volume.getConfigMap().getItems()).forEach(key ->
            references.add(new Reference(volume.getConfigMap().getName(), key, "volume " + volume.getName())));
      }
      for (VolumeProjection source : projections(volume)) {
        if (source.getConfigMap() != null) {
          keys(source.getConfigMap().getItems()).forEach(key ->
              references.add(new Reference(source.getConfigMap().getName(), key, "volume " + volume.getName())));
        }
      }
    }
    for (Container container : containers(rendered)) {
      for (EnvVar env : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
        if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
          references.add(new Reference(env.getValueFrom().getConfigMapKeyRef().getName(),
              env.getValueFrom().getConfigMapKeyRef().getKey(), "env " + env.getName()));
        }
      }
      for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
        if (from.getConfigMapRef() != null) {
          references.add(new Reference(from.getConfigMapRef().getName(), null, "envFrom"));
        }
      }
    }
    return references;
  }

  private static List<Reference> secrets(Rendered rendered) {
    List<Reference> references = new ArrayList<>();
    for (Volume volume : rendered.podSpec().getVolumes()) {
      if (volume.getSecret() != null) {
        keys(volume.getSecret().getItems()).forEach(key ->
            references.add(new Reference(volume.getSecret().getSecretName(), key, "volume " + volume.getName())));
      }
      for (VolumeProjection source : projections(volume)) {
        if (source.getSecret() != null) {
          keys(source.getSecret().getItems()).forEach(key ->
              references.add(new Reference(source.getSecret().getName(), key, "volume " + volume.getName())));
        }
      }
    }
    for (Container container : containers(rendered)) {
      for (EnvVar env : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
        if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
          references.add(new Reference(env.getValueFrom().getSecretKeyRef().getName(),
              env.getValueFrom().getSecretKeyRef().getKey(), "env " + env.getName()));
        }
      }
      for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
        if (from.getSecretRef() != null) {
          references.add(new Reference(from.getSecretRef().getName(), null, "envFrom"));
        }
      }
    }
    Optional.ofNullable(rendered.podSpec().getImagePullSecrets()).orElse(List.of())
        .forEach(pull -> references.add(new Reference(pull.getName(), null, "imagePullSecrets")));
    return references;
  }

  private static List<Container> containers(Rendered rendered) {
    return Stream.concat(rendered.podSpec().getContainers().stream(),
        Optional.ofNullable(rendered.podSpec().getInitContainers()).orElse(List.of()).stream()).toList();
  }

  private static List<VolumeProjection> projections(Volume volume) {
    return volume.getProjected() == null ? List.of() : volume.getProjected().getSources();
  }

  /** The keys items name, or a single null for "all keys" when there are none. */
  private static List<String> keys(List<KeyToPath> items) {
    if (items == null || items.isEmpty()) {
      List<String> all = new ArrayList<>();
      all.add(null);
      return all;
    }
    return items.stream().map(KeyToPath::getKey).toList();
  }
}
