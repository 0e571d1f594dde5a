package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.config.TunBridgeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code tun.cipher} to the suites offered, {@code auto}'s reading of the JIT's flags, and the responder's pick. */
class CipherChoiceTest {

  @Test
  void autoPutsAesGcmFirstOnlyWhenTheJvmHasEveryAesGcmIntrinsic() {
    CipherChoice all = CipherChoice.of("auto", Set.of("UseAESIntrinsics", "UseAESCTRIntrinsics", "UseGHASHIntrinsics")::contains);
    assertThat(all.suites()).containsExactly(CipherSuite.AES_256_GCM, CipherSuite.CHACHA20_POLY1305);
    assertThat(all.reason()).contains("UseGHASHIntrinsics on");

    CipherChoice noGhash = CipherChoice.of("auto", Set.of("UseAESIntrinsics", "UseAESCTRIntrinsics")::contains);
    assertThat(noGhash.suites()).containsExactly(CipherSuite.CHACHA20_POLY1305, CipherSuite.AES_256_GCM);
    assertThat(noGhash.reason()).contains("no AES-GCM intrinsics");
    assertThat(CipherChoice.of(null, flag -> false).config()).isEqualTo("auto");
  }

  @Test
  void onThisJvmAutoFollowsTheIntrinsicsTheJitReallyHas() throws Exception {
    // The oracle: a second JVM of the same JDK with its diagnostic flags unlocked prints them. This
    // JVM runs without -XX:+UnlockDiagnosticVMOptions, as a node does, and hides them from the
    // management API, where auto once read "off" and offered ChaCha20 first on AES-NI machines.
    Process flags = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true).start();
    String printed = new String(flags.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(flags.waitFor()).isZero();
    boolean aesGcm = Stream.of("UseAESIntrinsics", "UseAESCTRIntrinsics", "UseGHASHIntrinsics")
        .allMatch(flag -> Pattern.compile("\\b" + flag + "\\s+=\\s+true\\b").matcher(printed).find());

    CipherChoice choice = CipherChoice.of("auto");

    assertThat(choice.suites().getFirst())
        .isEqualTo(aesGcm ? CipherSuite.AES_256_GCM : CipherSuite.CHACHA20_POLY1305);
    assertThat(choice.suites()).hasSize(2);
    assertThat(choice.describe()).startsWith("cipher auto: offers [").contains(choice.reason());
  }

  @Test
  void aNamedCipherIsTheOnlyOneAndAnUnknownNameSaysWhatIsKnown() {
    assertThat(CipherChoice.of("aes-256-gcm").suites()).containsExactly(CipherSuite.AES_256_GCM);
    assertThat(CipherChoice.of("chacha20-poly1305").suites()).containsExactly(CipherSuite.CHACHA20_POLY1305);
    assertThatThrownBy(() -> CipherChoice.of("aes-128-gcm")).hasMessage(
        "tun.cipher: unknown cipher \"aes-128-gcm\" (known: auto, aes-256-gcm, chacha20-poly1305)");
    assertThat(CipherChoice.KNOWN).as("the config validator's list").isEqualTo(TunBridgeConfig.CIPHERS);
  }

  @Test
  void theResponderTakesItsOwnFirstSuiteThatWasOffered() {
    CipherChoice aesFirst = new CipherChoice("auto", List.of(CipherSuite.AES_256_GCM, CipherSuite.CHACHA20_POLY1305), "t");
    assertThat(aesFirst.choose(List.of(CipherSuite.CHACHA20_POLY1305, CipherSuite.AES_256_GCM))).isEqualTo(CipherSuite.AES_256_GCM);
    assertThat(aesFirst.choose(List.of(CipherSuite.CHACHA20_POLY1305))).isEqualTo(CipherSuite.CHACHA20_POLY1305);
    assertThat(CipherChoice.of("aes-256-gcm").choose(List.of(CipherSuite.CHACHA20_POLY1305))).isNull();
    assertThat(CipherSuite.byId((byte) 0)).isNull();
    assertThat(CipherSuite.byId((byte) 7)).as("an id from a later version").isNull();
  }
}
