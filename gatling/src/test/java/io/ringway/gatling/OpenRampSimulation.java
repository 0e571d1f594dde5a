package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.DoubleStream;

/**
 * Open model: after a warm-up level at {@link #WARM_UP_RATE} users/s, {@code GET /} arrivals step up every
 * {@link #LEVEL} from {@link #STEP} users/s by {@link #STEP}, each user one request over connections shared by
 * all users (so the ramp measures request rate, not handshakes; {@code ConnectionChurnSimulation} does those).
 * {@link KneeFinder} reports the knee (the rate at which p99 crosses {@link #KNEE_P99_MILLIS}) after the run,
 * and users arriving after that send nothing. {@code -Dload.seconds} does not apply: the ramp is its levels.
 */
public class OpenRampSimulation extends RingwaySimulation {

  static final double WARM_UP_RATE = 200;
  static final double STEP = 400;
  static final int LEVELS = 15;
  static final Duration LEVEL = Duration.ofSeconds(3);
  static final int KNEE_P99_MILLIS = 50;
  /**
   * Every level up to this rate must stay under the knee threshold without failures: the regression check.
   * The knee was 3200 users/s on the VM of docs/benchmarks.md; past it the open model queues without bound and the
   * router sheds load with 503s, so no global latency or error ceiling holds for the whole ramp.
   */
  static final double MUST_HOLD_UP_TO = 1200;

  private static final double[] RATES = DoubleStream.concat(DoubleStream.of(WARM_UP_RATE),
      DoubleStream.iterate(STEP, rate -> rate + STEP).limit(LEVELS)).toArray();

  private final KneeFinder knee = new KneeFinder(RATES, LEVEL, KNEE_P99_MILLIS);

  ScenarioBuilder ramp = scenario("open ramp GET /")
      // Past the knee users arrive and leave without a request: the run keeps its length and ends cleanly
      // (stopLoadGenerator leaves Gatling's in-flight users running into a stopped engine), and the proxy
      // is not kept in overload for nothing.
      .doIf(session -> !knee.found()).then(
          exec(session -> {
            int level = knee.levelNow();
            return session.set("level", level).set("request", knee.name(level));
          })
          .exec(http("#{request}").get("/").check(status().is(200), responseTimeInMillis().saveAs("millis")))
          .exec(session -> {
            if (session.isFailed()) {
              knee.failed(session.getInt("level"));
            } else {
              knee.ok(session.getInt("level"), session.getInt("millis"));
            }
            return session;
          }));

  {
    OpenInjectionStep[] levels = DoubleStream.of(RATES)
        .mapToObj(rate -> constantUsersPerSec(rate).during(LEVEL))
        .toArray(OpenInjectionStep[]::new);
    setUp(ramp.injectOpen(levels))
        .protocols(cleartext().shareConnections())
        .maxDuration(LEVEL.multipliedBy(RATES.length).plus(GRACE))
        .assertions(belowTheKneeFloor());
  }

  private List<Assertion> belowTheKneeFloor() {
    List<Assertion> assertions = new ArrayList<>();
    for (int level = 1; level < RATES.length && RATES[level] <= MUST_HOLD_UP_TO; level++) {
      assertions.add(details(knee.name(level)).responseTime().percentile(99).lt(p99Ceiling(KNEE_P99_MILLIS)));
      assertions.add(details(knee.name(level)).failedRequests().percent().lt(1.0));
    }
    return assertions;
  }

  @Override
  public void after() {
    System.out.println(knee.report());
    super.after();
  }
}
