package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every overlay renders with plain {@code kubectl kustomize}, and only into objects the Kubernetes model knows field by field. */
class RenderingTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void rendersIntoTypedObjectsWithOneRingwayWorkload(Overlay overlay) {
    Rendered rendered = overlay.render();

    assertThat(rendered.objects()).as("%s: rendered objects", overlay).isNotEmpty();
    assertThat(rendered.workload().getMetadata().getName()).startsWith("ringway");
    assertThat(rendered.container().getImage()).as("%s: image", overlay).startsWith("ringway:");
  }

  @Test
  void aMisspelledFieldFailsTheParseInsteadOfVanishing() {
    String yaml = Kustomize.render(overlayDir(Overlay.STANDALONE));
    assertThat(yaml).contains("readinessProbe:", "containerPort:");

    assertThatThrownBy(() -> KubernetesYaml.parseAll(yaml.replaceFirst("readinessProbe:", "readinesProbe:")))
        .hasMessageContaining("Deployment ringway").hasMessageContaining("readinesProbe");
    assertThatThrownBy(() -> KubernetesYaml.parseAll(yaml.replaceFirst("containerPort:", "containerport:")))
        .hasMessageContaining("containerport");
  }

  @Test
  void aKindOrVersionTheTestsDoNotKnowFailsTheParse() {
    String yaml = Kustomize.render(overlayDir(Overlay.STANDALONE));
    assertThat(yaml).contains("apiVersion: policy/v1\n");

    assertThatThrownBy(() -> KubernetesYaml.parseAll(yaml.replace("apiVersion: policy/v1\n", "apiVersion: policy/v1beta1\n")))
        .hasMessageContaining("policy/v1beta1/PodDisruptionBudget");
  }

  @Test
  void theParserReadsTheDeploymentItRendered() {
    Deployment deployment = Overlay.STANDALONE.render().all(Deployment.class).getFirst();

    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getPorts())
        .as("typed fields, not a catch-all map").isNotEmpty();
    assertThat(deployment.getAdditionalProperties()).isEmpty();
  }

  private static Path overlayDir(Overlay overlay) {
    return Kustomize.k8sDir().resolve("overlays").resolve(overlay.dir);
  }
}
