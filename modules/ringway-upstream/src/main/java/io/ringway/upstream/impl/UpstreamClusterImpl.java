package io.ringway.upstream.impl;

import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthTransition;
import io.ringway.spi.upstream.LoadBalancer;
import io.ringway.spi.upstream.LoadBalancerFactory;
import io.ringway.spi.upstream.PickContext;
import io.ringway.upstream.Admission;
import io.ringway.upstream.ClusterStats;
import io.ringway.upstream.EndpointLease;
import io.ringway.upstream.EndpointStats;
import io.ringway.upstream.PickResult;
import io.ringway.upstream.Refusal;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/** Single-threaded: every method runs on the owning loop, so plain fields are enough. */
public final class UpstreamClusterImpl implements UpstreamCluster {

  private final int loops;
  private final LongSupplier clock;
  private final RandomGenerator random;
  private final Candidates candidates = new Candidates();
  private final ControlPlaneSubscription subscription = new ControlPlaneSubscription(this);
  private final PendingRequests waiting;

  private ClusterConfig config;
  private LoadBalancerFactory factory;
  private LoadBalancer balancer;
  private OutlierDetector outlier;
  private CircuitBreaker breaker;

  private EndpointState[] states = new EndpointState[0];
  private Map<String, EndpointState> byAddress = Map.of();
  private List<Endpoint> endpoints = List.of();
  private int available;
  private int ejected;
  private long nextReturnNanos;

  private long totalConnections;
  private long connectFailures;
  private long ejections;
  private long ejectionsOverflow;
  private long refusalEjections;
  private long noHealthyEndpoint;
  private long allTried;

  /** @param loop where queued requests' picks run; {@code null}: requests over the limits are refused, never queued */
  public UpstreamClusterImpl(ClusterConfig config, int loops, LongSupplier clock, RandomGenerator random, Executor loop) {
    this.loops = loops;
    this.clock = clock;
    this.random = random;
    this.breaker = new CircuitBreaker(config.limits(), loops);
    this.waiting = new PendingRequests(this, loop);
    reconfigure(config);
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public ClusterConfig config() {
    return config;
  }

  @Override
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  @Override
  public PickResult pick(String hashKey, List<Endpoint> tried) {
    if (ejected > 0 && clock.getAsLong() - nextReturnNanos >= 0) {
      returnDueEndpoints();
    }
    if (available == 0) {
      noHealthyEndpoint++;
      return Refusal.NO_HEALTHY_ENDPOINT;
    }
    if (!tried.isEmpty() && untriedAvailable(tried) == 0) {
      allTried++;
      return Refusal.ALL_TRIED;
    }
    Refusal refusal = breaker.admit(waiting.woken);
    if (refusal != null) {
      return refusal;
    }
    int index = candidates.choose(hashKey, tried);
    if (index < 0) {
      noHealthyEndpoint++;
      return Refusal.NO_HEALTHY_ENDPOINT;
    }
    return lease(states[index]);
  }

  @Override
  public Admission pickOrWait(String hashKey, List<Endpoint> tried, Consumer<PickResult> then) {
    return switch (pick(hashKey, tried)) {
      case EndpointLease lease -> lease;
      case Refusal refusal when refusal == Refusal.MAX_CONNECTIONS || refusal == Refusal.MAX_PENDING_CONNECTS ->
          waiting.offer(refusal, breaker.maxPendingRequests(), hashKey, tried, then);
      case Refusal refusal -> refusal;
    };
  }

  /** Room may have come free: queued requests get their turns. */
  void wakeWaiters() {
    if (waiting.size > 0) {
      waiting.wake(breaker);
    }
  }

  private int untriedAvailable(List<Endpoint> tried) {
    int untried = available;
    List<EndpointState> counted = new ArrayList<>(tried.size());
    for (Endpoint endpoint : tried) {
      EndpointState state = byAddress.get(endpoint.address());
      if (state != null && state.available() && !counted.contains(state)) {
        counted.add(state);
        untried--;
      }
    }
    return untried;
  }

  private PickResult lease(EndpointState state) {
    state.active++;
    state.pending++;
    state.totalConnections++;
    breaker.active++;
    breaker.pending++;
    totalConnections++;
    return new LeaseImpl(this, state);
  }

  void onConnected(EndpointState state) {
    state.pending--;
    breaker.pending--;
    wakeWaiters();
    if (outlier != null && state.member) {
      outlier.onSuccess(state);
    }
  }

  void onConnectFailed(EndpointState state, boolean refused) {
    onReleased(state, true);
    state.connectFailures++;
    connectFailures++;
    if (outlier == null || !state.member) {
      return;
    }
    switch (outlier.onFailure(state, states.length, ejected, clock.getAsLong(), refused)) {
      case EJECTED -> {
        ejections++;
        if (refused) {
          refusalEjections++;
        }
        recount();
      }
      case OVERFLOW -> ejectionsOverflow++;
      case NONE -> { }
    }
  }

  void onReleased(EndpointState state, boolean wasPending) {
    state.active--;
    breaker.active--;
    if (wasPending) {
      state.pending--;
      breaker.pending--;
    }
    wakeWaiters();
  }

  private void returnDueEndpoints() {
    long now = clock.getAsLong();
    for (EndpointState state : states) {
      outlier.returnIfDue(state, now);
    }
    recount();
  }

  /** Recomputes what picks read on every call; runs only on the rare changes of health, ejection or set. */
  private void recount() {
    available = 0;
    ejected = 0;
    for (EndpointState state : states) {
      if (state.available()) {
        available++;
      }
      if (state.ejected) {
        // nanoTime values may be negative or wrap: compare by difference, never against a sentinel
        if (ejected == 0 || state.ejectedUntilNanos - nextReturnNanos < 0) {
          nextReturnNanos = state.ejectedUntilNanos;
        }
        ejected++;
      }
    }
  }

  @Override
  public void updateEndpoints(List<Endpoint> update) {
    Map<String, EndpointState> next = new LinkedHashMap<>();
    for (Endpoint endpoint : update) {
      String address = endpoint.address();
      if (!next.containsKey(address)) {
        EndpointState state = byAddress.get(address);
        if (state == null) {
          state = new EndpointState(endpoint);
        }
        state.endpoint = endpoint;
        next.put(address, state);
      }
    }
    byAddress.forEach((address, state) -> state.member = next.containsKey(address));
    byAddress = next;
    states = next.values().toArray(EndpointState[]::new);
    endpoints = next.values().stream().map(state -> state.endpoint).toList();
    balancer = factory.create(endpoints, random);
    recount();
  }

  @Override
  public void applyHealth(HealthTransition transition) {
    EndpointState state = byAddress.get(transition.endpoint());
    if (state != null && state.healthy != transition.healthy()) {
      state.healthy = transition.healthy();
      recount();
    }
  }

  @Override
  public void reconfigure(ClusterConfig update) {
    if (config != null && !config.name().equals(update.name())) {
      throw new IllegalArgumentException("cluster " + config.name() + " cannot become " + update.name());
    }
    factory = LoadBalancerFactory.named(update.loadBalancer());
    breaker.limit(update.limits(), loops);
    outlier = update.outlierDetection() == null ? null : new OutlierDetector(update.outlierDetection());
    if (outlier == null) {
      for (EndpointState state : states) {
        state.ejected = false;
        state.consecutiveFailures = 0;
      }
    }
    boolean staticSetChanged = config == null || !config.endpoints().equals(update.endpoints());
    config = update;
    updateEndpoints(staticSetChanged ? update.endpoints() : endpoints);
    // Raised limits have room at once for whoever waits.
    wakeWaiters();
  }

  @Override
  public Future<Void> subscribe(Vertx vertx) {
    return subscription.register(vertx);
  }

  @Override
  public Future<Void> unsubscribe() {
    return subscription.unregister();
  }

  @Override
  public ClusterStats stats() {
    List<EndpointStats> perEndpoint = new ArrayList<>(states.length);
    for (EndpointState state : states) {
      perEndpoint.add(state.stats());
    }
    return new ClusterStats(name(), breaker.active, breaker.pending, totalConnections, connectFailures, ejections,
        refusalEjections, ejectionsOverflow, noHealthyEndpoint, allTried, breaker.maxConnectionsHits, breaker.maxPendingHits,
        waiting.size, waiting.total, waiting.overflows, waiting.cancelled, perEndpoint);
  }

  /** The balancer's view of one pick; one reused instance, since picks never overlap on a loop. */
  private final class Candidates implements PickContext {
    private String hashKey;
    private List<Endpoint> tried = List.of();

    int choose(String key, List<Endpoint> skip) {
      hashKey = key;
      tried = skip;
      try {
        return balancer.choose(this);
      } finally {
        hashKey = null;
        tried = List.of();
      }
    }

    @Override
    public String hashKey() {
      return hashKey;
    }

    @Override
    public boolean isCandidate(int index) {
      EndpointState state = states[index];
      if (!state.available()) {
        return false;
      }
      for (int i = 0; i < tried.size(); i++) {
        if (tried.get(i).sameAddress(state.endpoint)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int activeRequests(int index) {
      return states[index].active;
    }
  }
}
