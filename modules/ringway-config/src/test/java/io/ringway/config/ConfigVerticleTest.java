package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigError;
import io.ringway.spi.ConfigRejected;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.message.ConfigCheck;
import io.ringway.spi.message.ConfigChecked;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class ConfigVerticleTest {

  private static final long SCAN_MILLIS = 100;
  private static final String V1 = "admin: { port: 9901 }\n";

  @TempDir
  Path dir;

  private final ConfigLoader loader = TestCatalogs.loader();
  private Path file;

  @BeforeEach
  void writeFirstVersion() throws IOException {
    file = dir.resolve("ringway.yaml");
    Files.writeString(file, V1);
  }

  @Test
  void publishesAValidChangeAsTheNextVersion(Vertx vertx, VertxTestContext test) {
    deploy(vertx)
        .compose(deployed -> next(vertx, Addresses.CONFIG_APPLIED, (ConfigSnapshot s) -> s.version() == 2))
        .compose(applied -> replace(vertx, "admin: { port: 9902 }\n").compose(written -> applied))
        .map(snapshot -> {
          assertThat(snapshot.config().admin().port()).isEqualTo(9902);
          assertThat(snapshot.source()).isEqualTo(file.toString());
          return snapshot;
        })
        .compose(applied -> current(vertx))
        .onComplete(test.succeeding(current -> test.verify(() -> {
          assertThat(current.version()).isEqualTo(2);
          assertThat(current.config().admin().port()).isEqualTo(9902);
          test.completeNow();
        })));
  }

  @Test
  void refusesAnInvalidChangeAndKeepsRunningTheCurrentVersion(Vertx vertx, VertxTestContext test) {
    deploy(vertx)
        .compose(deployed -> next(vertx, Addresses.CONFIG_REJECTED, (ConfigRejected r) -> true))
        .compose(rejected -> replace(vertx, "admin: { port: abc, prot: 1 }\nverticles: [admin, tcp]\n").compose(written -> rejected))
        .map(rejected -> {
          assertThat(rejected.errors()).extracting(ConfigError::toString).containsExactly(
              "verticles[1]: unknown verticle \"tcp\" (known: admin, demo-upstream, tcp-proxy, http-router, tun-bridge)",
              "admin.port: expected an integer from 1 to 65535, got \"abc\"",
              "admin.prot: unknown key (known: host, port, token, drainTimeout, drainCloseSpread)");
          assertThat(rejected.runningVersion()).isEqualTo(1);
          assertThat(rejected.source()).isEqualTo(file.toString());
          return rejected;
        })
        .compose(rejected -> current(vertx))
        .map(current -> {
          assertThat(current.version()).isEqualTo(1);
          assertThat(current.config().admin().port()).isEqualTo(9901);
          return current;
        })
        .compose(kept -> next(vertx, Addresses.CONFIG_APPLIED, (ConfigSnapshot s) -> s.version() == 2))
        .compose(applied -> replace(vertx, "admin: { port: 9903 }\n").compose(written -> applied))
        .onComplete(test.succeeding(snapshot -> test.verify(() -> {
          assertThat(snapshot.config().admin().port()).isEqualTo(9903);
          test.completeNow();
        })));
  }

  @Test
  void aReloadNamingAMissingCertificateIsRefusedLikeAtStartup(Vertx vertx, VertxTestContext test) {
    String missing = file.resolveSibling("gone.pem").toString();
    deploy(vertx)
        .compose(deployed -> next(vertx, Addresses.CONFIG_REJECTED, (ConfigRejected r) -> true))
        .compose(rejected -> replace(vertx, "http:\n  listeners: [{name: web, port: 8443, tls: {certFile: " + missing
            + ", keyFile: " + missing + "}}]\n").compose(written -> rejected))
        .onComplete(test.succeeding(rejected -> test.verify(() -> {
          assertThat(rejected.errors()).extracting(ConfigError::path)
              .containsExactly("http.listeners[0].tls.certFile", "http.listeners[0].tls.keyFile");
          assertThat(rejected.runningVersion()).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void checksAPastedDocumentWithEveryErrorByPathAndChangesNothing(Vertx vertx, VertxTestContext test) {
    deploy(vertx)
        .compose(deployed -> vertx.eventBus().<ConfigChecked>request(Addresses.CONFIG_CHECK,
            new ConfigCheck("admin: { port: abc, prot: 1 }\n")))
        .map(Message::body)
        .map(checked -> {
          assertThat(checked.valid()).isFalse();
          assertThat(checked.errors()).extracting(ConfigError::toString).containsExactly(
              "admin.port: expected an integer from 1 to 65535, got \"abc\"",
              "admin.prot: unknown key (known: host, port, token, drainTimeout, drainCloseSpread)");
          return checked;
        })
        .compose(checked -> vertx.eventBus().<ConfigChecked>request(Addresses.CONFIG_CHECK, new ConfigCheck("admin: { port: 9905 }\n")))
        .map(Message::body)
        .compose(checked -> current(vertx).map(current -> {
          assertThat(checked.valid()).isTrue();
          assertThat(current.version()).isEqualTo(1);
          assertThat(current.config().admin().port()).isEqualTo(9901);
          return current;
        }))
        .compose(unchanged -> vertx.eventBus().<ConfigChecked>request(Addresses.CONFIG_CHECK, new ConfigCheck("admin: [1\n")))
        .onComplete(test.succeeding(broken -> test.verify(() -> {
          assertThat(broken.body().errors()).hasSize(1);
          assertThat(broken.body().errors().getFirst().toString()).contains("line");
          test.completeNow();
        })));
  }

  @Test
  void refusesBrokenYamlWithItsLine(Vertx vertx, VertxTestContext test) {
    deploy(vertx)
        .compose(deployed -> next(vertx, Addresses.CONFIG_REJECTED, (ConfigRejected r) -> true))
        .compose(rejected -> replace(vertx, "admin:\n  port: 9902\n host: x\n").compose(written -> rejected))
        .map(rejected -> {
          assertThat(rejected.errors()).singleElement().extracting(ConfigError::message).asString()
              .startsWith("YAML syntax error at line 3, column 2: ");
          assertThat(rejected.runningVersion()).isEqualTo(1);
          return rejected;
        })
        .compose(rejected -> current(vertx))
        .map(current -> {
          assertThat(current.version()).isEqualTo(1);
          return current;
        })
        .compose(kept -> next(vertx, Addresses.CONFIG_APPLIED, (ConfigSnapshot s) -> s.version() == 2))
        .compose(applied -> replace(vertx, "admin: { port: 9904 }\n").compose(written -> applied))
        .onComplete(test.succeeding(snapshot -> test.verify(() -> {
          assertThat(snapshot.config().admin().port()).isEqualTo(9904);
          test.completeNow();
        })));
  }

  @Test
  void refusesAFileThatDisappears(Vertx vertx, VertxTestContext test) {
    deploy(vertx)
        .compose(deployed -> next(vertx, Addresses.CONFIG_REJECTED, (ConfigRejected r) -> true))
        .compose(rejected -> vertx.executeBlocking(() -> Files.deleteIfExists(file)).compose(deleted -> rejected))
        .onComplete(test.succeeding(rejected -> test.verify(() -> {
          assertThat(rejected.errors()).extracting(ConfigError::toString)
              .containsExactly("cannot read " + file + ": no such file or directory");
          test.completeNow();
        })));
  }

  /**
   * A scan compares the file's stamp (identity, modification time, size), not its text: while the stamp stays, the
   * file is not read, so a broken document written in place behind an unchanged stamp goes unseen until the file is
   * touched. (That is what keeps a scan off the proxy's core; no editor keeps a file's time and size.)
   */
  @Test
  void aFileWhoseStampDidNotChangeIsNotReadAgain(Vertx vertx, VertxTestContext test) throws IOException {
    FileTime anHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    Files.setLastModifiedTime(file, anHourAgo);
    String broken = "admin: { port: abcd }\n";
    assertThat(broken).hasSameSizeAs(V1);
    deploy(vertx)
        .compose(deployed -> next(vertx, Addresses.CONFIG_REJECTED, (ConfigRejected r) -> true))
        .compose(rejected -> vertx.executeBlocking(() -> {
          Files.writeString(file, broken);
          Files.setLastModifiedTime(file, anHourAgo);
          return null;
        }).compose(written -> vertx.timer(SCAN_MILLIS * 5)).map(scanned -> {
          assertThat(rejected.isComplete()).as("refused after five scans of the same stamp").isFalse();
          return scanned;
        }).compose(unseen -> vertx.executeBlocking(() -> Files.setLastModifiedTime(file, FileTime.from(Instant.now()))))
            .compose(touched -> rejected))
        .onComplete(test.succeeding(rejected -> test.verify(() -> {
          assertThat(rejected.errors()).extracting(ConfigError::path).containsExactly("admin.port");
          test.completeNow();
        })));
  }

  /**
   * The node reads its config at start and may warm up for seconds before the watcher runs: an edit in between,
   * on a file whose stamp looks long settled, is applied when the watcher starts, not at the next edit.
   */
  @Test
  void anEditBetweenTheNodesReadAndTheWatchersStartIsApplied(Vertx vertx, VertxTestContext test) throws IOException {
    ConfigResult first = loader.load(file);
    String v2 = "admin: { port: 9904 }\n";
    assertThat(v2).hasSameSizeAs(V1);
    Files.writeString(file, v2);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    next(vertx, Addresses.CONFIG_APPLIED, (ConfigSnapshot s) -> s.version() == 2)
        .compose(applied -> vertx.deployVerticle(
            new ConfigVerticle(loader, file, new ConfigSnapshot(1, first.config(), file.toString()), SCAN_MILLIS))
            .compose(deployed -> {
              assertThat(applied.isComplete()).as("applied by the time the watcher is deployed").isTrue();
              return applied;
            }))
        .onComplete(test.succeeding(snapshot -> test.verify(() -> {
          assertThat(snapshot.config().admin().port()).isEqualTo(9904);
          test.completeNow();
        })));
  }

  /**
   * Two writes within the file system's timestamp granularity, at the same size, leave the same stamp: a file
   * modified moments before it was stamped is read again at every scan until its time is well past.
   */
  @Test
  void aChangeThatKeepsTheStampOfARecentWriteIsStillSeen(Vertx vertx, VertxTestContext test) {
    String v2 = "admin: { port: 9904 }\n";
    assertThat(v2).hasSameSizeAs(V1);
    deploy(vertx)
        .compose(deployed -> next(vertx, Addresses.CONFIG_APPLIED, (ConfigSnapshot s) -> s.version() == 2))
        .compose(applied -> vertx.timer(SCAN_MILLIS * 3).compose(scanned -> vertx.executeBlocking(() -> {
          FileTime written = Files.getLastModifiedTime(file);
          Files.writeString(file, v2);
          return Files.setLastModifiedTime(file, written);
        })).compose(rewritten -> applied))
        .onComplete(test.succeeding(snapshot -> test.verify(() -> {
          assertThat(snapshot.config().admin().port()).isEqualTo(9904);
          test.completeNow();
        })));
  }

  @Test
  void keepsTransportAndEventLoopsUntilRestart(Vertx vertx, VertxTestContext test) {
    deploy(vertx)
        .compose(deployed -> next(vertx, Addresses.CONFIG_APPLIED, (ConfigSnapshot s) -> s.version() == 2))
        .compose(applied -> replace(vertx, "transport: nio\neventLoops: 7\nadmin: { port: 9905 }\n").compose(written -> applied))
        .onComplete(test.succeeding(snapshot -> test.verify(() -> {
          assertThat(snapshot.config().admin().port()).isEqualTo(9905);
          assertThat(snapshot.config().transport()).isEqualTo("auto");
          assertThat(snapshot.config().eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
          test.completeNow();
        })));
  }

  @Test
  void withoutAFileAnnouncesAndAnswersTheInitialConfig(Vertx vertx, VertxTestContext test) {
    ConfigSnapshot initial = new ConfigSnapshot(1, loader.loadResource("conf/ringway-test.yaml").config(), "jar:conf/ringway-test.yaml");
    next(vertx, Addresses.CONFIG_APPLIED, (ConfigSnapshot s) -> true)
        .compose(announced -> vertx.deployVerticle(new ConfigVerticle(loader, null, initial, 0)).compose(id -> announced))
        .map(announced -> {
          assertThat(announced).isEqualTo(initial);
          return announced;
        })
        .compose(announced -> current(vertx))
        .onComplete(test.succeeding(current -> test.verify(() -> {
          assertThat(current).isEqualTo(initial);
          test.completeNow();
        })));
  }

  private Future<String> deploy(Vertx vertx) {
    ConfigResult first = loader.load(file);
    assertThat(first.errors()).isEmpty();
    return vertx.deployVerticle(new ConfigVerticle(loader, file, new ConfigSnapshot(1, first.config(), file.toString()), SCAN_MILLIS));
  }

  /** Writes the file as an editor should: elsewhere, then renamed over it, so no scan sees half of it. */
  private Future<Void> replace(Vertx vertx, String yaml) {
    return vertx.executeBlocking(() -> {
      Path next = Files.createTempFile(dir, "next", ".yaml");
      Files.writeString(next, yaml);
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return null;
    });
  }

  private static Future<ConfigSnapshot> current(Vertx vertx) {
    return vertx.eventBus().<ConfigSnapshot>request(Addresses.CONFIG_CURRENT, null).map(Message::body);
  }

  /**
   * Listens on {@code address} now; the outer future completes once the consumer is registered, the
   * inner one with the first message that {@code which} accepts.
   */
  private static <T> Future<Future<T>> next(Vertx vertx, String address, Predicate<T> which) {
    Promise<T> first = Promise.promise();
    MessageConsumer<T> consumer = vertx.eventBus().consumer(address);
    consumer.handler(message -> {
      if (which.test(message.body()) && first.tryComplete(message.body())) {
        consumer.unregister();
      }
    });
    return consumer.completion().map(registered -> first.future());
  }
}
