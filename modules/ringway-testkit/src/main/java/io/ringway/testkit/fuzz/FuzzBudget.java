package io.ringway.testkit.fuzz;

import java.time.Duration;

/**
 * How long a fuzz target runs and from which seed: a few seconds in the default build, as long as
 * {@code -Pfuzz} says otherwise. Every module's surefire gets the same system properties from the
 * parent pom, so one switch lengthens every target.
 *
 * @param time wall time for the mutation loop of one target
 * @param seed base seed of the mutation RNG; a target mixes in its own name, so targets differ
 */
public record FuzzBudget(Duration time, long seed) {

  /** Seconds per target; the parent pom sets it (3 by default, minutes under {@code -Pfuzz}). */
  public static final String SECONDS = "fuzz.seconds";
  /** Optional base seed, to explore other paths than the committed default or replay a run's seed. */
  public static final String SEED = "fuzz.seed";
  /** The seed used when {@link #SEED} is unset: fixed, so a default build is reproducible. */
  public static final long DEFAULT_SEED = 0x52696e67776179L;

  /** From the system properties, with {@code defaultSeconds} when none is set (a run outside Maven). */
  public static FuzzBudget fromSystemProperties(double defaultSeconds) {
    double seconds = parse(System.getProperty(SECONDS), defaultSeconds);
    String seed = System.getProperty(SEED, "").trim();
    return new FuzzBudget(Duration.ofMillis((long) (seconds * 1000)), seed.isEmpty() ? DEFAULT_SEED : Long.decode(seed));
  }

  /** This budget with the time scaled, for a target whose inputs are slow (a real socket each). */
  public FuzzBudget scaled(double factor) {
    return new FuzzBudget(Duration.ofMillis((long) (time.toMillis() * factor)), seed);
  }

  private static double parse(String text, double fallback) {
    // Maven passes an unset property through as its literal expression: treat that as unset too.
    if (text == null || text.isBlank() || text.startsWith("${")) {
      return fallback;
    }
    return Double.parseDouble(text.trim());
  }
}
