package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;

/**
 * Closed model, a new connection per request: 16 users at a time, each one {@code GET /} with
 * {@code Connection: close} and gone, replaced at once by a new user with a new connection (Gatling gives
 * each user its own connections; they are not shared here).
 */
public class ConnectionChurnSimulation extends RingwaySimulation {

  static final int USERS = 16;
  static final int P99_MILLIS = 200;

  ScenarioBuilder churn = scenario("GET / with Connection: close")
      .exec(http("GET / new connection").get("/").check(status().is(200)));

  {
    setUp(churn.injectClosed(constantConcurrentUsers(USERS).during(measured())))
        .protocols(cleartext().connectionHeader("close"))
        .maxDuration(measured().plus(GRACE))
        .assertions(runCeilings(P99_MILLIS));
  }
}
