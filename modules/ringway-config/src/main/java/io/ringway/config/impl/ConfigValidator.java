package io.ringway.config.impl;

import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigError;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.ClusteringConfig;
import io.ringway.spi.config.CpuList;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.HttpRouterConfig;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.spi.config.WarmupConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a whole document against the schema and builds the {@link RingwayConfig}, collecting every
 * error rather than stopping at the first, so one run of {@code ringway validate} shows them all.
 * A new section is one more {@code *Section.read(root)} call here and one more record component.
 */
public final class ConfigValidator {

  private final PluginCatalog catalog;
  private final int cores;
  private final String hostname;
  private final List<Integer> allowedCpus;

  /**
   * @param catalog the plugins whose names config may use
   * @param cores what {@code eventLoops: 0} resolves to
   * @param hostname the default {@code demoUpstream.node}
   */
  public ConfigValidator(PluginCatalog catalog, int cores, String hostname) {
    this(catalog, cores, hostname, CpuList.allowed());
  }

  /** @param allowedCpus the CPUs {@code eventLoops.affinity} may name */
  public ConfigValidator(PluginCatalog catalog, int cores, String hostname, List<Integer> allowedCpus) {
    this.catalog = catalog;
    this.cores = cores;
    this.hostname = hostname;
    this.allowedCpus = List.copyOf(allowedCpus);
  }

  /** The config {@code document} describes once {@code overlay} is applied, or every error found. */
  public ConfigResult validate(JsonObject document, ConfigOverlay overlay) {
    List<ConfigError> errors = new ArrayList<>(overlay.conflicts());
    ConfigReader root = ConfigReader.root(document, overlay, errors);
    String transport = TransportSection.transport(root, catalog);
    EventLoopsSection.EventLoops eventLoops = EventLoopsSection.read(root, cores, allowedCpus);
    Map<String, JsonObject> transportOptions = TransportSection.options(root, catalog);
    List<String> verticles = VerticlesSection.read(root, catalog);
    AdminConfig admin = AdminSection.read(root);
    DemoUpstreamConfig demoUpstream = DemoUpstreamSection.read(root, hostname);
    List<ClusterConfig> clusters = ClustersSection.read(root);
    TcpProxyConfig tcp = TcpSection.read(root, clusters);
    HttpRouterConfig http = HttpSection.read(root, clusters, catalog);
    TunBridgeConfig tun = TunSection.read(root);
    ClusteringConfig cluster = ClusterSection.read(root, clusters, tcp, http);
    WarmupConfig warmup = WarmupSection.read(root);
    root.rejectUnknownKeys();
    if (!errors.isEmpty()) {
      return ConfigResult.invalid(errors);
    }
    return ConfigResult.valid(new RingwayConfig(transport, eventLoops.count(), transportOptions,
        verticles, admin, demoUpstream, clusters, tcp, http, tun, cluster, eventLoops.affinity(), warmup));
  }
}
