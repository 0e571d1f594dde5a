package io.ringway.launcher;

import io.ringway.cluster.ClusterJoinException;
import io.ringway.cluster.RingwayCluster;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigError;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.TransportPlugin;
import io.ringway.spi.config.ClusteringConfig;
import io.vertx.launcher.application.VertxApplication;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@code java -jar ringway.jar}: loads and validates the config before anything starts, picks the
 * transport, then hands over to Vert.x's application launcher. Exit codes: 0 ok, 1 {@code validate}
 * found errors, 2 Ringway could not start (bad arguments, bad config, transport unavailable).
 */
public final class RingwayLauncher {

  static final int EXIT_INVALID = 1;
  static final int EXIT_CANNOT_START = 2;

  private RingwayLauncher() {
  }

  public static void main(String[] args) {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    int code = run(System.out, System.err, args);
    // a training run ends here: the JVM writes its AOT cache at exit
    if (code != 0 || LaunchArguments.Command.TRAIN.name().equalsIgnoreCase(args.length > 0 ? args[0] : "")) {
      System.exit(code);
    }
  }

  /** Runs one command; returns its exit code, or 0 once a node has started (it then runs until stopped). */
  static int run(PrintStream out, PrintStream err, String... args) {
    try {
      LaunchArguments arguments = LaunchArguments.parse(args);
      PluginCatalog catalog = PluginCatalog.load();
      return switch (arguments.command()) {
        case HELP -> print(out, LaunchArguments.USAGE);
        case VERSION -> print(out, "ringway " + version());
        case TRANSPORTS -> print(out, describeTransports(catalog));
        case VALIDATE -> validate(out, err, catalog, arguments);
        case RUN -> start(catalog, arguments);
        case TRAIN -> Training.run(catalog);
      };
    } catch (StartupException e) {
      e.lines().forEach(line -> err.println("ringway: " + line));
      return EXIT_CANNOT_START;
    }
  }

  private static int validate(PrintStream out, PrintStream err, PluginCatalog catalog, LaunchArguments arguments) {
    ConfigLocation location = ConfigLocation.resolve(arguments.conf());
    ConfigResult result = location.load(loader(catalog));
    if (result.isValid()) {
      out.println(location.describe() + ": valid");
      return 0;
    }
    result.errors().forEach(error -> err.println(location.describe() + ": " + error));
    err.println(result.errors().size() + (result.errors().size() == 1 ? " error" : " errors"));
    return EXIT_INVALID;
  }

  static int start(PluginCatalog catalog, LaunchArguments arguments) {
    ConfigLocation location = ConfigLocation.resolve(arguments.conf());
    ConfigLoader loader = loader(catalog);
    ConfigResult result = location.load(loader);
    if (!result.isValid()) {
      throw new StartupException(result.errors().stream().map(ConfigError::toString).map(e -> location.describe() + ": " + e).toList());
    }
    TransportSelector.Selection transport = TransportSelector.select(result.config().transport(), catalog.transports());
    System.getLogger(RingwayLauncher.class.getName()).log(System.Logger.Level.INFO, transport.explanation());
    ConfigSnapshot snapshot = new ConfigSnapshot(1, result.config(), location.describe());
    RingwayCluster cluster = join(result.config().cluster(), arguments.cluster());
    RingwayHooks hooks = new RingwayHooks(catalog, loader, location.file(), snapshot, transport, cluster);
    int code = new Launch(hooks, cluster != null).launch();
    return code == 0 ? 0 : EXIT_CANNOT_START;
  }

  /** Joins the cluster when config or {@code --cluster} asks for it, before Vert.x starts; null when standalone. */
  private static RingwayCluster join(ClusteringConfig config, boolean requested) {
    if (!config.enabled() && !requested) {
      return null;
    }
    try {
      RingwayCluster cluster = RingwayCluster.join(config.withEnabled(true));
      System.getLogger(RingwayLauncher.class.getName()).log(System.Logger.Level.INFO, cluster.describe());
      return cluster;
    } catch (ClusterJoinException e) {
      throw new StartupException(e.getMessage());
    }
  }

  static ConfigLoader loader(PluginCatalog catalog) {
    Map<String, String> properties = new HashMap<>();
    Properties system = System.getProperties();
    system.stringPropertyNames().forEach(name -> properties.put(name, system.getProperty(name)));
    return new ConfigLoader(catalog, System.getenv(), properties);
  }

  static String describeTransports(PluginCatalog catalog) {
    StringBuilder text = new StringBuilder();
    String auto = null;
    for (TransportPlugin plugin : catalog.transports()) {
      boolean available = plugin.isAvailable();
      if (available && auto == null) {
        auto = plugin.name();
      }
      text.append(String.format("%-9s %s%n", plugin.name(),
          available ? "available" : "unavailable: " + plugin.unavailabilityCause()));
    }
    return text.append("auto -> ").append(auto == null ? "none" : auto).toString();
  }

  static String version() {
    String version = RingwayLauncher.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  private static int print(PrintStream out, String text) {
    out.println(text.strip());
    return 0;
  }

  /** Vert.x's launcher without its own argument parsing: Ringway's arguments are already handled. */
  private static final class Launch extends VertxApplication {
    Launch(RingwayHooks hooks, boolean clustered) {
      // Vert.x's own --cluster only makes it call buildClustered(); the cluster manager comes from the hooks.
      super(clustered ? new String[] {"--cluster"} : new String[0], hooks, false, false);
    }
  }
}
