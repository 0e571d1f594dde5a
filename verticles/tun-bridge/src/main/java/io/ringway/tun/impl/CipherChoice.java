package io.ringway.tun.impl;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The data ciphers this node offers and accepts, most preferred first, and why in that order.
 * From {@code tun.cipher}: a suite's name offers and accepts that suite only; {@code auto} offers
 * and accepts both, the one this JVM runs faster first.
 *
 * <p>Which one runs faster is decided from the JIT's intrinsics, not by timing both at start-up:
 * a start-up measurement runs before C2 has compiled the ciphers (interpreted AES-GCM and
 * ChaCha20 rank differently from compiled ones), and timing that is long enough to warm both up
 * would cost seconds of a core at every start. HotSpot replaces AES and GHASH with AES-NI and
 * carry-less-multiply code ({@code UseAESIntrinsics}, {@code UseAESCTRIntrinsics},
 * {@code UseGHASHIntrinsics}) only where the CPU has those instructions; without them the JDK's
 * AES is table lookups, several times slower than ChaCha20 (which needs only SIMD adds and
 * rotates) and not constant-time. With them AES-256-GCM is the cheaper one: measured on this
 * repository's AVX-512 machine 0.65–0.70× ChaCha20-Poly1305's CPU per 1400-byte packet (seal + open,
 * bench/AeadCost.java, docs/benchmarks.md), also with both Poly1305 and ChaCha20 intrinsics on, and 0.31× with the JIT held to AVX2.
 * The same rule as BoringSSL's and Go's TLS cipher ordering.
 *
 * <p>In a handshake the responder picks the first of its own suites that the initiator offered
 * ({@link #choose}).
 */
public record CipherChoice(String config, List<CipherSuite> suites, String reason) {

  /** What {@code tun.cipher} may say, in the order the config error lists them. */
  public static final List<String> KNOWN = List.of("auto", CipherSuite.AES_256_GCM.configName(),
      CipherSuite.CHACHA20_POLY1305.configName());

  public CipherChoice {
    suites = List.copyOf(suites);
    if (suites.isEmpty() || suites.size() > WireFormat.OFFER) {
      throw new IllegalArgumentException("1 to " + WireFormat.OFFER + " cipher suites, got " + suites);
    }
  }

  /** The choice {@code tun.cipher} says; {@code auto} asks the JVM (see the class comment). */
  public static CipherChoice of(String config) {
    return of(config, CipherChoice::vmFlag);
  }

  /** As {@link #of(String)} with the JVM's boolean flags read through {@code flag} (tests). */
  static CipherChoice of(String config, Predicate<String> flag) {
    if (config == null || config.equals("auto")) {
      boolean aesHardware = flag.test("UseAESIntrinsics") && flag.test("UseAESCTRIntrinsics")
          && flag.test("UseGHASHIntrinsics");
      if (aesHardware) {
        return new CipherChoice("auto", List.of(CipherSuite.AES_256_GCM, CipherSuite.CHACHA20_POLY1305),
            "the JVM runs AES-GCM on the CPU's AES and carry-less-multiply instructions (UseAESIntrinsics,"
                + " UseAESCTRIntrinsics, UseGHASHIntrinsics on)");
      }
      return new CipherChoice("auto", List.of(CipherSuite.CHACHA20_POLY1305, CipherSuite.AES_256_GCM),
          "the JVM has no AES-GCM intrinsics here (UseAESIntrinsics, UseAESCTRIntrinsics or UseGHASHIntrinsics off:"
              + " no AES-NI/PCLMULQDQ), so its AES is table-based and slower than ChaCha20");
    }
    CipherSuite suite = CipherSuite.byName(config);
    if (suite == null) {
      throw new IllegalArgumentException("tun.cipher: unknown cipher \"" + config + "\" (known: "
          + String.join(", ", KNOWN) + ")");
    }
    return new CipherChoice(config, List.of(suite), "tun.cipher says " + config + " only");
  }

  /** The first of this node's suites that {@code offered} holds, or null: no suite in common. */
  public CipherSuite choose(List<CipherSuite> offered) {
    for (CipherSuite suite : suites) {
      if (offered.contains(suite)) {
        return suite;
      }
    }
    return null;
  }

  /** One line for the start-up log. */
  public String describe() {
    return "cipher " + config + ": offers " + CipherSuite.names(suites) + " (" + reason + ")";
  }

  /**
   * A boolean HotSpot flag's value. The intrinsic flags are diagnostic flags, which the management
   * API hides unless the JVM runs with {@code -XX:+UnlockDiagnosticVMOptions} ("does not exist"). Then
   * they are read the way HotSpot sets their defaults: AES and AES-CTR follow the product flag
   * {@code UseAES} (on exactly when the CPU has AES instructions and no option turned it off), GHASH
   * follows the CPU's carry-less multiply (x86 {@code pclmulqdq}, ARM {@code pmull} in /proc/cpuinfo).
   */
  private static boolean vmFlag(String name) {
    HotSpotDiagnosticMXBean hotspot;
    try {
      hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (hotspot == null) {
      return false;
    }
    try {
      return Boolean.parseBoolean(hotspot.getVMOption(name).getValue());
    } catch (IllegalArgumentException | UnsupportedOperationException hidden) {
      return switch (name) {
        case "UseAESIntrinsics", "UseAESCTRIntrinsics" -> vmFlag("UseAES");
        case "UseGHASHIntrinsics" -> vmFlag("UseAES") && CpuFlags.HAS_CARRY_LESS_MULTIPLY;
        // Not HotSpot, or a flag it no longer has: assume no intrinsic, the safe (ChaCha20) side.
        default -> false;
      };
    }
  }

  /** The CPU's carry-less multiply, read once from /proc/cpuinfo (false where there is none to read). */
  private static final class CpuFlags {
    static final boolean HAS_CARRY_LESS_MULTIPLY = read();

    private static boolean read() {
      try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
        return lines.filter(line -> line.startsWith("flags") || line.startsWith("Features"))
            .findFirst()
            .map(line -> Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")))
            .map(flags -> flags.contains("pclmulqdq") || flags.contains("pmull"))
            .orElse(false);
      } catch (IOException | UncheckedIOException e) {
        return false;
      }
    }
  }
}
