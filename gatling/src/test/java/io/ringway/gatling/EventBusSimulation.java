package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;

/**
 * The event-bus route: {@code POST /bus/echo} becomes a request message to the demo's echo service on
 * {@code ringway.demo.echo} and its reply the response. Closed model, 64 users looping with a 1 KiB text body
 * (the router carries bodies on the bus as UTF-8 strings).
 */
public class EventBusSimulation extends RingwaySimulation {

  static final int USERS = 64;
  static final int P99_MILLIS = 400;
  static final String BODY_1K = "ringway-".repeat(128);

  ScenarioBuilder bus = scenario("POST /bus/echo 1 KiB")
      .exec(during(measured()).on(
          http("POST /bus/echo 1 KiB").post("/bus/echo")
              .header("content-type", "text/plain; charset=utf-8")
              .body(StringBody(BODY_1K))
              .check(status().is(200), bodyString().is(BODY_1K))));

  {
    setUp(bus.injectClosed(constantConcurrentUsers(USERS).during(measured())))
        .protocols(cleartext())
        .maxDuration(measured().plus(GRACE))
        .assertions(runCeilings(P99_MILLIS));
  }
}
