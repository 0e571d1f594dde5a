package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.CpuList;
import io.ringway.testkit.Capabilities;
import io.ringway.testkit.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eventLoops.affinity} on a real node: where each loop thread may run is read back from the kernel
 * ({@code /proc/self/task/<tid>/status}), not from Ringway's own report, at start and after hot reloads of the file.
 */
class EventLoopAffinityTest {

  private static final int LOOPS = 2;

  @TempDir
  Path dir;

  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void pinsEveryLoopAtStartAndFollowsEditsOfTheFile() throws Exception {
    List<Integer> allowed = CpuList.allowed();
    Capabilities.require("two CPUs", allowed.size() >= 2, "this process may run on CPUs " + CpuList.format(allowed) + " only");
    int adminPort = Ports.freeTcpPort();
    Path file = dir.resolve("ringway.yaml");
    write(file, adminPort, "auto");
    PluginCatalog catalog = PluginCatalog.load();
    TransportSelector.Selection transport = TransportSelector.select("auto", catalog.transports());
    ConfigResult initial = new ConfigLoader(catalog, Map.of(), Map.of()).load(file);
    assertThat(initial.errors()).isEmpty();
    vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(LOOPS))
        .withTransport(transport.plugin().create(new JsonObject())).build();
    vertx.deployVerticle(new NodeVerticle(catalog, RingwayLauncher.loader(catalog), file,
        new ConfigSnapshot(1, initial.config(), file.toString()), transport.plugin(), null)).await(20, TimeUnit.SECONDS);

    List<Long> tids = loopThreadIds();
    assertThat(kernelCpus(tids)).containsExactly(String.valueOf(allowed.get(0)), String.valueOf(allowed.get(1)));
    JsonObject info = info(adminPort);
    assertThat(info.getString("affinity")).isEqualTo("auto");
    assertThat(info.getJsonArray("loops").stream().map(loop -> ((JsonObject) loop).getString("cpus")))
        .containsExactly(String.valueOf(allowed.get(0)), String.valueOf(allowed.get(1)));

    // Swapped by hand: loop 0 moves to the second CPU without a restart.
    write(file, adminPort, "[" + allowed.get(1) + ", " + allowed.get(0) + "]");
    awaitInfo(adminPort, i -> i.getString("affinity").equals("[" + allowed.get(1) + ", " + allowed.get(0) + "]"));
    assertThat(kernelCpus(tids)).containsExactly(String.valueOf(allowed.get(1)), String.valueOf(allowed.get(0)));

    // A CPU this process may not use is refused with the file; the loops stay where they are.
    write(file, adminPort, "[" + allowed.get(0) + ", 1023]");
    Thread.sleep(2500);
    assertThat(info(adminPort).getString("affinity")).isEqualTo("[" + allowed.get(1) + ", " + allowed.get(0) + "]");
    assertThat(kernelCpus(tids)).containsExactly(String.valueOf(allowed.get(1)), String.valueOf(allowed.get(0)));

    // none gives every loop back all the CPUs the process has.
    write(file, adminPort, "none");
    awaitInfo(adminPort, i -> i.getString("affinity").equals("none"));
    assertThat(kernelCpus(tids)).containsOnly(CpuList.format(allowed));
  }

  private static void write(Path file, int adminPort, String affinity) throws Exception {
    // Through a temporary file: the watcher must never see half a document.
    Path next = file.resolveSibling("next.yaml");
    Files.writeString(next, """
        transport: auto
        eventLoops:
          count: %d
          affinity: %s
        verticles: [admin]
        admin:
          port: %d
        """.formatted(LOOPS, affinity, adminPort));
    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Each loop's kernel thread id, read on the loop itself, in the order of the loops' names (...-0, ...-1). */
  private List<Long> loopThreadIds() throws Exception {
    java.util.TreeMap<String, Long> tids = new java.util.TreeMap<>();
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      CompletableFuture<Map.Entry<String, Long>> tid = new CompletableFuture<>();
      loop.execute(() -> {
        try {
          // /proc/thread-self -> <pid>/task/<tid>
          tid.complete(Map.entry(Thread.currentThread().getName(),
              Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString())));
        } catch (Exception e) {
          tid.completeExceptionally(e);
        }
      });
      Map.Entry<String, Long> found = tid.get(5, TimeUnit.SECONDS);
      tids.put(found.getKey(), found.getValue());
    }
    assertThat(tids.keySet()).containsExactly("vert.x-eventloop-thread-0", "vert.x-eventloop-thread-1");
    return new ArrayList<>(tids.values());
  }

  private static List<String> kernelCpus(List<Long> tids) throws Exception {
    List<String> cpus = new ArrayList<>();
    for (long tid : tids) {
      String status = Files.readString(Path.of("/proc/self/task/" + tid + "/status"));
      cpus.add(status.lines().filter(line -> line.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
          .substring("Cpus_allowed_list:".length()).trim());
    }
    return cpus;
  }

  private static void awaitInfo(int adminPort, Predicate<JsonObject> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    JsonObject info = info(adminPort);
    while (!condition.test(info) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      info = info(adminPort);
    }
    assertThat(condition).as("/info: " + info).accepts(info);
  }

  private static JsonObject info(int adminPort) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/info"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return new JsonObject(response.body());
    }
  }
}
