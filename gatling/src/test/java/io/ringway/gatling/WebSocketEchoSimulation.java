package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ScenarioBuilder;

/**
 * WebSocket through the router's upgrade pass-through to the demo's {@code /ws} echo: 32 users, each one
 * connection, looping a text message and a 4 KiB binary message and waiting for each echo. Gatling records
 * a send (0 ms) and its check (the time to the echo) as two entries, so the p99 ceilings apply to the
 * checks, where the round trip is.
 */
public class WebSocketEchoSimulation extends RingwaySimulation {

  static final int USERS = 32;
  static final int P99_MILLIS = 250;
  static final int ECHO_WITHIN_SECONDS = 5;
  static final String TEXT_ECHO = "text echo";
  static final String BINARY_ECHO = "binary echo";

  ScenarioBuilder echo = scenario("WebSocket echo")
      .exec(ws("ws connect").connect("/ws"))
      .exec(during(measured(), "n").on(
          ws("ws text").sendText("ringway #{n}").await(ECHO_WITHIN_SECONDS).on(
              ws.checkTextMessage(TEXT_ECHO).check(bodyString().is(session -> "ringway " + session.getInt("n")))),
          ws("ws binary 4 KiB").sendBytes(BODY_4K).await(ECHO_WITHIN_SECONDS).on(
              ws.checkBinaryMessage(BINARY_ECHO).check(bodyBytes().is(BODY_4K)))))
      .exec(ws("ws close").close());

  {
    setUp(echo.injectClosed(constantConcurrentUsers(USERS).during(measured())))
        .protocols(cleartext())
        .maxDuration(measured().plus(GRACE))
        .assertions(runCeilings(
            details(TEXT_ECHO).responseTime().percentile(99).lt(p99Ceiling(P99_MILLIS)),
            details(BINARY_ECHO).responseTime().percentile(99).lt(p99Ceiling(P99_MILLIS))));
  }
}
