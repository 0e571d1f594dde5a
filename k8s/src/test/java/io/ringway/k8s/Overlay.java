package io.ringway.k8s;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The overlays under {@code k8s/overlays}, each rendered once per test run. */
enum Overlay {
  STANDALONE("standalone"),
  CLUSTERED("clustered"),
  TUN("tun"),
  MONITORED("monitored");

  private static final ConcurrentMap<Overlay, Rendered> RENDERED = new ConcurrentHashMap<>();

  final String dir;

  Overlay(String dir) {
    this.dir = dir;
  }

  /** What {@code kubectl kustomize k8s/overlays/<dir>} prints, parsed strictly. */
  Rendered render() {
    return RENDERED.computeIfAbsent(this, overlay -> new Rendered(overlay,
        KubernetesYaml.parseAll(Kustomize.render(Kustomize.k8sDir().resolve("overlays").resolve(overlay.dir)))));
  }

  @Override
  public String toString() {
    return dir;
  }
}
