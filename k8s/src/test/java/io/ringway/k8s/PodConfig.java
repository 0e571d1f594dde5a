package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigError;
import io.ringway.spi.config.RingwayConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The config a pod of an overlay starts on, found the way the pod finds it: the file {@code --conf} names,
 * read from the ConfigMap mounted there, overlaid by the container's environment, and judged by
 * ringway-config's own loader, so an invalid config fails the tests as it would fail the pod's start.
 * Values a pod gets from a Secret or the downward API are stood in for.
 */
final class PodConfig {

  /** What kubelet sets HOSTNAME to: the pod's name. */
  static final String POD_NAME = "ringway-5f7c9d8b6-x2x7q";

  private PodConfig() {
  }

  /** The validated config; fails the test with every error when it does not validate. */
  static RingwayConfig of(Rendered rendered) {
    ConfigResult result = load(rendered, env -> { });
    assertThat(result.errors()).as("%s: errors in the config a pod starts on", rendered.overlay()).isEmpty();
    return result.config();
  }

  /** The loader's verdict on the pod's config, with the environment first changed by {@code editEnv}. */
  static ConfigResult load(Rendered rendered, Consumer<Map<String, String>> editEnv) {
    Map<String, String> env = environment(rendered);
    editEnv.accept(env);
    ConfigLoader loader = new ConfigLoader(PluginCatalog.load(), env, Map.of());
    List<ConfigError> errors = new ArrayList<>();
    JsonObject document = ConfigLoader.parseDocument(configText(rendered), errors);
    return document == null ? ConfigResult.invalid(errors) : loader.parse(document);
  }

  /** Whether the container's arguments ask for clustering, as {@code --cluster} does on top of the config. */
  static boolean clusterFlag(Rendered rendered) {
    return rendered.container().getArgs().contains("--cluster");
  }

  /** The path after {@code --conf} in the container's arguments. */
  static Path configPath(Rendered rendered) {
    List<String> args = rendered.container().getArgs();
    int at = args.indexOf("--conf");
    assertThat(at).as("%s: the container passes --conf FILE (%s)", rendered.overlay(), args).isBetween(0, args.size() - 2);
    return Path.of(args.get(at + 1));
  }

  /** The text of the file {@code --conf} names, as the ConfigMap volume mounted over it holds it. */
  static String configText(Rendered rendered) {
    Path file = configPath(rendered);
    Container container = rendered.container();
    Optional<VolumeMount> mount = container.getVolumeMounts().stream()
        .filter(m -> Path.of(m.getMountPath()).equals(file.getParent()))
        .findFirst();
    assertThat(mount).as("%s: a volume mounted on %s, the directory of --conf", rendered.overlay(), file.getParent())
        .isPresent();
    Volume volume = rendered.podSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(mount.get().getName())).findFirst().orElseThrow();
    assertThat(volume.getConfigMap()).as("%s: volume %s is a ConfigMap", rendered.overlay(), volume.getName()).isNotNull();
    String fileName = file.getFileName().toString();
    String key = Optional.ofNullable(volume.getConfigMap().getItems()).orElse(List.of()).stream()
        .filter(item -> item.getPath().equals(fileName)).map(KeyToPath::getKey).findFirst().orElse(fileName);
    ConfigMap configMap = rendered.configMap(volume.getConfigMap().getName()).orElseThrow(() -> new AssertionError(
        rendered.overlay() + ": ConfigMap " + volume.getConfigMap().getName() + " is not rendered"));
    assertThat(configMap.getData()).as("%s: ConfigMap %s has the key %s", rendered.overlay(),
        configMap.getMetadata().getName(), key).containsKey(key);
    return configMap.getData().get(key);
  }

  /** The environment the container sees: literal values, and stand-ins for what comes from elsewhere. */
  static Map<String, String> environment(Rendered rendered) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOSTNAME", POD_NAME);
    for (EnvVar variable : Optional.ofNullable(rendered.container().getEnv()).orElse(List.of())) {
      env.put(variable.getName(), value(rendered, variable));
    }
    return env;
  }

  /** What a Secret holds in a pod: not known here, so a recognisable non-empty stand-in. */
  static String secretStandIn(String secret, String key) {
    return "stand-in-for-secret-" + secret + "-" + key;
  }

  private static String value(Rendered rendered, EnvVar variable) {
    EnvVarSource from = variable.getValueFrom();
    if (from == null) {
      return variable.getValue() == null ? "" : variable.getValue();
    }
    if (from.getSecretKeyRef() != null) {
      return secretStandIn(from.getSecretKeyRef().getName(), from.getSecretKeyRef().getKey());
    }
    if (from.getConfigMapKeyRef() != null) {
      return rendered.configMap(from.getConfigMapKeyRef().getName())
          .map(map -> map.getData().get(from.getConfigMapKeyRef().getKey()))
          .orElseThrow(() -> new AssertionError(variable.getName() + ": no ConfigMap " + from.getConfigMapKeyRef().getName()));
    }
    if (from.getFieldRef() != null) {
      return switch (from.getFieldRef().getFieldPath()) {
        case "metadata.name" -> POD_NAME;
        case "metadata.namespace" -> "default";
        default -> "stand-in-for-" + from.getFieldRef().getFieldPath();
      };
    }
    return "stand-in-for-" + variable.getName();
  }
}
