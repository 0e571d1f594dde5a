package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's cluster view on two real nodes joined over Hazelcast in this JVM: the members, which node
 * owns which endpoint (each node's config names its own demo upstream), and the cluster-wide totals.
 */
class DashboardClusterTest {

  private final List<Integer> memberPorts = List.of(Ports.freeTcpPort(), Ports.freeTcpPort());
  private final String name = "dash-" + UUID.randomUUID();
  private final List<LiveNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (LiveNode node : nodes.reversed()) {
      node.close();
    }
  }

  @Test
  void eachNodeShowsTheMembersWhoOwnsWhichEndpointAndTheClustersTotals() throws Exception {
    Member a = new Member(memberPorts.get(0));
    Member b = new Member(memberPorts.get(1));
    nodes.add(LiveNode.start(a.config()));
    nodes.add(LiveNode.start(b.config()));
    request(a, 3);
    request(b, 2);

    String idA = state(nodes.get(0)).getJsonObject("cluster").getString("self");
    String idB = state(nodes.get(1)).getJsonObject("cluster").getString("self");
    JsonObject seen = null;
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < deadline) {
      seen = state(nodes.get(0));
      if (owners(seen).size() == 2 && seen.getJsonObject("cluster").getJsonObject("totals") != null
          && requests(seen) == 5) {
        break;
      }
      Thread.sleep(200);
    }

    JsonObject cluster = seen.getJsonObject("cluster");
    assertThat(cluster.getBoolean("clustered")).isTrue();
    assertThat(cluster.getJsonArray("members").getList()).containsExactlyInAnyOrder(idA, idB);
    assertThat(idA).isNotEqualTo(idB);
    assertThat(owners(seen)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "127.0.0.1:" + a.demoHttp, idA,
        "127.0.0.1:" + b.demoHttp, idB));
    assertThat(requests(seen)).as("requests over both nodes").isEqualTo(5);
    assertThat(cluster.getBoolean("complete")).isTrue();
  }

  private static Map<String, String> owners(JsonObject summary) {
    Map<String, String> owners = new TreeMap<>();
    for (Object entry : summary.getJsonArray("clusters")) {
      JsonObject cluster = (JsonObject) entry;
      if (cluster.getString("cluster").equals("web")) {
        cluster.getJsonArray("endpoints").forEach(endpoint -> {
          JsonObject json = (JsonObject) endpoint;
          if (json.getString("owner") != null) {
            owners.put(json.getString("address"), json.getString("owner"));
          }
        });
      }
    }
    return owners;
  }

  private static long requests(JsonObject summary) {
    JsonObject totals = summary.getJsonObject("cluster").getJsonObject("totals", new JsonObject());
    return totals.getJsonObject("http-router", new JsonObject()).getJsonObject("listeners", new JsonObject())
        .getLong("requests", -1L);
  }

  private static JsonObject state(LiveNode node) throws Exception {
    return new JsonObject(node.get("/dashboard/state"));
  }

  private static void request(Member member, int count) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      for (int i = 0; i < count; i++) {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + member.http + "/"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
      }
    }
  }

  /** One node's ports and config: its own demo upstream is its config's endpoint of {@code web}. */
  private final class Member {
    final int port;
    final int admin = Ports.freeTcpPort();
    final int http = Ports.freeTcpPort();
    final int demoHttp = Ports.freeTcpPort();
    final int demoTcp = Ports.freeTcpPort();

    Member(int port) {
      this.port = port;
    }

    JsonObject config() {
      JsonArray members = new JsonArray();
      memberPorts.forEach(p -> members.add("127.0.0.1:" + p));
      return new JsonObject()
          .put("transport", "auto")
          .put("eventLoops", 1)
          .put("verticles", new JsonArray().add("admin").add("demo-upstream").add("http-router"))
          .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", admin))
          .put("demoUpstream", new JsonObject().put("host", "127.0.0.1").put("httpPort", demoHttp).put("tcpPort", demoTcp))
          .put("cluster", new JsonObject().put("enabled", true).put("name", name).put("secret", "s3cret")
              .put("interface", "127.0.0.1").put("port", port).put("portAutoIncrement", false).put("joinTimeout", "30s")
              .put("discovery", new JsonObject().put("tcpIp", new JsonObject().put("members", members))))
          .put("clusters", new JsonArray().add(new JsonObject().put("name", "web").put("endpoints", new JsonArray()
              .add(new JsonObject().put("host", "127.0.0.1").put("port", demoHttp)))))
          .put("http", new JsonObject()
              .put("listeners", new JsonArray().add(new JsonObject().put("name", "web").put("host", "127.0.0.1").put("port", http)))
              .put("routes", new JsonArray().add(new JsonObject().put("name", "site").put("target", "web"))));
    }
  }
}
