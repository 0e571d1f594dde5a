package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;

/**
 * HTTP/2 over TLS (h2 by ALPN; Gatling has no h2c) to the router's TLS listener: 64 users looping
 * {@code GET /} and a 4 KiB {@code POST /echo}, their requests streams of connections the users share
 * (Gatling opens a few dozen for 64 users). {@link WarmUp} has already checked that the listener
 * negotiates h2.
 */
public class Http2Simulation extends RingwaySimulation {

  static final int USERS = 64;
  static final int P99_MILLIS = 500;

  ScenarioBuilder h2 = scenario("h2 GET / and POST /echo")
      .exec(during(measured()).on(
          http("h2 GET /").get("/").check(status().is(200)),
          http("h2 POST /echo 4 KiB").post("/echo")
              .header("content-type", "application/octet-stream")
              .body(ByteArrayBody(BODY_4K))
              .check(status().is(200), bodyBytes().is(BODY_4K))));

  {
    setUp(h2.injectClosed(constantConcurrentUsers(USERS).during(measured())))
        .protocols(http.baseUrl(Target.https()).enableHttp2().shareConnections()
            .disableWarmUp().disableCaching().userAgentHeader("ringway-gatling"))
        .maxDuration(measured().plus(GRACE))
        .assertions(runCeilings(P99_MILLIS));
  }
}
