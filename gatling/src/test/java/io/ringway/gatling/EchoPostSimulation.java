package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;

/** Closed model: 64 users, each looping {@code POST /echo} with a 4 KiB body on its own kept-alive connection. */
public class EchoPostSimulation extends RingwaySimulation {

  static final int USERS = 64;
  static final int P99_MILLIS = 250;

  ScenarioBuilder echo = scenario("POST /echo 4 KiB")
      .exec(during(measured()).on(
          http("POST /echo 4 KiB").post("/echo")
              .header("content-type", "application/octet-stream")
              .body(ByteArrayBody(BODY_4K))
              .check(status().is(200), bodyBytes().is(BODY_4K))));

  {
    setUp(echo.injectClosed(constantConcurrentUsers(USERS).during(measured())))
        .protocols(cleartext())
        .maxDuration(measured().plus(GRACE))
        .assertions(runCeilings(P99_MILLIS));
  }
}
