package io.ringway.config;

import io.ringway.config.impl.FileStamp;
import io.ringway.config.impl.ReloadPlan;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigError;
import io.ringway.spi.ConfigRejected;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.message.ConfigApply;
import io.ringway.spi.message.ConfigApplyResult;
import io.ringway.spi.message.ConfigCheck;
import io.ringway.spi.message.ConfigChecked;
import io.ringway.spi.message.MessageCodecs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Holds the node's config in force: answers {@link Addresses#CONFIG_CURRENT}, publishes the initial
 * snapshot on {@link Addresses#CONFIG_APPLIED}, and watches the config file. A valid change becomes the next
 * version and is published; an invalid one (bad values, broken YAML, unreadable file) is logged error by error,
 * published on {@link Addresses#CONFIG_REJECTED}, and the running config stays. {@code transport},
 * {@code eventLoops} and {@code transportOptions} only change at restart (see {@link ReloadPlan}).
 *
 * <p>The file is polled: replace it atomically (write elsewhere, then rename) so a scan never sees it
 * half written. A scan reads the file's attributes ({@link FileStamp}) and reads and parses the file only when
 * they changed. All state lives on this verticle's event loop; anything that blocks runs in
 * {@code executeBlocking}.
 *
 * <p>{@link Addresses#CONFIG_CHECK} judges a document without applying it ({@code POST /config/validate}).
 *
 * <p>On a cluster, documents also arrive on {@link Addresses#CONFIG_APPLY} with the version the cluster
 * gave them; a clustered node is started without a file to watch, so file and cluster never race for
 * version numbers.
 */
public final class ConfigVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(ConfigVerticle.class.getName());

  private final ConfigLoader loader;
  private final Path file;
  private final long scanPeriodMillis;
  private ConfigSnapshot current;
  /** The stamp of the file as last read, once settled; null (as at start): read it at the next scan. */
  private FileStamp lastRead;
  private List<ConfigError> lastFailure = List.of();
  private long scanTimer = -1;
  private boolean stopped;

  /**
   * @param loader judges every new document the way startup did
   * @param file the file to watch; null when the config came from a classpath resource, which cannot change
   * @param initial the config the node started with
   * @param scanPeriodMillis how often the file's attributes are read, when there is one
   */
  public ConfigVerticle(ConfigLoader loader, Path file, ConfigSnapshot initial, long scanPeriodMillis) {
    if (file != null && scanPeriodMillis <= 0) {
      throw new IllegalArgumentException("scanPeriodMillis must be positive to watch " + file + ", got " + scanPeriodMillis);
    }
    this.loader = Objects.requireNonNull(loader, "loader");
    this.file = file == null ? null : file.toAbsolutePath();
    this.current = Objects.requireNonNull(initial, "initial");
    this.scanPeriodMillis = scanPeriodMillis;
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    // Local consumers: on a clustered bus another node must never answer for this node's config.
    return Future.all(
            vertx.eventBus().localConsumer(Addresses.CONFIG_CURRENT, message -> message.reply(current)).completion(),
            vertx.eventBus().localConsumer(Addresses.CONFIG_APPLY, message -> {
              if (message.body() instanceof ConfigApply request) {
                validate(request.document()).onSuccess(result -> message.reply(apply(request, result)));
              } else {
                message.fail(400, Addresses.CONFIG_APPLY + " takes a ConfigApply, got " + message.body());
              }
            }).completion(),
            vertx.eventBus().localConsumer(Addresses.CONFIG_CHECK, message -> {
              if (message.body() instanceof ConfigCheck request) {
                // off the loop: validation reads the files the document names (TLS certificates and keys)
                vertx.executeBlocking(() -> loader.check(request.text()))
                    .onSuccess(result -> message.reply(new ConfigChecked(result.errors())))
                    .onFailure(cause -> message.fail(500, String.valueOf(cause.getMessage())));
              } else {
                message.fail(400, Addresses.CONFIG_CHECK + " takes a ConfigCheck, got " + message.body());
              }
            }).completion())
        .compose(registered -> {
          publish(Addresses.CONFIG_APPLIED, current);
          // The first scan reads the file once, from no stamp, before the verticle counts as started: the node
          // read it at start, maybe a warm-up ago, and an edit in between must not wait for the next edit.
          return file == null ? Future.succeededFuture() : scan();
        });
  }

  /**
   * Runs a document given by the cluster as the version it was given, when that is newer than the running
   * one; the document is overlaid with this node's own overrides, so ports and the like stay per node.
   */
  private ConfigApplyResult apply(ConfigApply request, ConfigResult result) {
    long version = request.version();
    String source = request.source();
    if (version <= current.version()) {
      return new ConfigApplyResult(false, current.version(), List.of());
    }
    if (!result.isValid()) {
      reject(source, result.errors());
      return new ConfigApplyResult(false, current.version(), result.errors());
    }
    ReloadPlan plan = ReloadPlan.of(current.config(), result.config());
    if (!plan.deferred().isEmpty()) {
      LOG.log(Level.INFO, source + ": " + String.join(", ", plan.deferred())
          + " changed; that takes effect at restart, until then the running values stay");
    }
    // Published even when nothing changed, so every node reports the cluster's version.
    current = new ConfigSnapshot(version, plan.next(), source);
    LOG.log(Level.INFO, "config version " + version + " applied from " + source
        + (plan.changesAnything() ? " (changed: " + String.join(", ", plan.changed()) + ")" : " (no change)"));
    publish(Addresses.CONFIG_APPLIED, current);
    return new ConfigApplyResult(true, version, List.of());
  }

  /** Node-local publish: {@link ConfigSnapshot} has no JSON form to cross nodes, and each node runs its own config. */
  private void publish(String address, Object message) {
    vertx.eventBus().publish(address, message, new DeliveryOptions().setLocalOnly(true));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(scanTimer);
    return Future.succeededFuture();
  }

  private void scanLater() {
    if (!stopped) {
      scanTimer = vertx.setTimer(scanPeriodMillis, fired -> scan());
    }
  }

  /**
   * One scan: the file read again only when its stamp changed; the next scan is set once this one is done, never
   * two at once.
   */
  private Future<?> scan() {
    FileStamp known = lastRead;
    return vertx.executeBlocking(() -> {
      FileStamp now = stamp(file);
      if (known != null && known.sameFileAs(now)) {
        return null;
      }
      // Stamped before the read: a change during the read has a later stamp, and the next scan reads it.
      return new Read(now, loader.load(file));
    }).andThen(scanned -> {
      if (scanned.succeeded() && scanned.result() != null) {
        Read read = scanned.result();
        lastRead = read.stamp() != null && read.stamp().settled() ? read.stamp() : null;
        take(read.result());
      }
      scanLater();
    }).otherwiseEmpty();
  }

  /** The file's stamp, or null when it cannot be stamped (gone, not readable): the read that follows says why. */
  private static FileStamp stamp(Path file) {
    try {
      return FileStamp.of(file);
    } catch (IOException e) {
      return null;
    }
  }

  private record Read(FileStamp stamp, ConfigResult result) {
  }

  /** Judges what a scan read, but reports a broken file once, not at every scan until it is mended. */
  private void take(ConfigResult result) {
    if (!result.isValid() && result.errors().equals(lastFailure)) {
      return;
    }
    lastFailure = result.isValid() ? List.of() : result.errors();
    judge(result);
  }

  /**
   * Validation reads files the config names (TLS certificates and keys), so it runs off the event loop;
   * ordered, so documents are judged in the order they came.
   */
  private Future<ConfigResult> validate(JsonObject document) {
    return vertx.executeBlocking(() -> loader.parseRead(document));
  }

  private void judge(ConfigResult result) {
    if (!result.isValid()) {
      reject(result.errors());
      return;
    }
    ReloadPlan plan = ReloadPlan.of(current.config(), result.config());
    if (!plan.deferred().isEmpty()) {
      LOG.log(Level.INFO, file + ": " + String.join(", ", plan.deferred())
          + " changed; that takes effect at restart, until then the running values stay");
    }
    if (!plan.changesAnything()) {
      return;
    }
    current = new ConfigSnapshot(current.version() + 1, plan.next(), file.toString());
    LOG.log(Level.INFO, "config version " + current.version() + " applied from " + file
        + " (changed: " + String.join(", ", plan.changed()) + ")");
    publish(Addresses.CONFIG_APPLIED, current);
  }

  private void reject(List<ConfigError> errors) {
    reject(file.toString(), errors);
  }

  private void reject(String source, List<ConfigError> errors) {
    LOG.log(Level.WARNING, "config change in " + source + " refused (" + errors.size()
        + (errors.size() == 1 ? " error" : " errors") + "); config version " + current.version() + " stays");
    errors.forEach(error -> LOG.log(Level.WARNING, source + ": " + error));
    publish(Addresses.CONFIG_REJECTED, new ConfigRejected(source, errors, current.version()));
  }
}
