package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;

/**
 * Closed model: {@code GET /} through the router to the demo upstream, 64 users each looping on its own
 * kept-alive connection.
 */
public class KeepAliveGetSimulation extends RingwaySimulation {

  static final int USERS = 64;
  static final int P99_MILLIS = 250;

  ScenarioBuilder keepAlive = scenario("keep-alive GET /")
      .exec(during(measured()).on(
          http("GET /").get("/").check(status().is(200))));

  {
    setUp(keepAlive.injectClosed(constantConcurrentUsers(USERS).during(measured())))
        .protocols(cleartext())
        .maxDuration(measured().plus(GRACE))
        .assertions(runCeilings(P99_MILLIS));
  }
}
