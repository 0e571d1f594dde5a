import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * CPU cost of the tunnel's data AEAD per packet, for docs/benchmarks.md: one seal plus one in-place open
 * of a SIZE-byte packet, done exactly as io.ringway.tun.impl.TunnelSession does it (JDK Cipher
 * re-initialised per packet with that packet's nonce, the 13-byte header as AAD, direct ByteBuffers,
 * the open decrypting in place), for ChaCha20-Poly1305 and AES-256-GCM, interleaved round by round so
 * both see the same machine load. Prints per cipher the median over ROUNDS of the CPU nanoseconds
 * (this thread's, from ThreadMXBean) per seal+open pair, and their ratio.
 *
 * <p>usage: java AeadCost.java [SIZE=1400] [PAIRS=200000] [ROUNDS=5]
 */
public class AeadCost {

  public static void main(String[] args) throws Exception {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 1400;
    int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    String[] names = {"chacha20-poly1305", "aes-256-gcm"};
    Suite[] suites = {new Suite(false, size), new Suite(true, size)};
    for (Suite suite : suites) {
      suite.run(pairs); // warm-up: C2 and its intrinsics
    }
    var bean = java.lang.management.ManagementFactory.getThreadMXBean();
    double[][] perPair = new double[2][rounds];
    for (int round = 0; round < rounds; round++) {
      for (int s = 0; s < 2; s++) {
        long started = bean.getCurrentThreadCpuTime();
        suites[s].run(pairs);
        perPair[s][round] = (bean.getCurrentThreadCpuTime() - started) / (double) pairs;
      }
    }
    double[] median = new double[2];
    for (int s = 0; s < 2; s++) {
      java.util.Arrays.sort(perPair[s]);
      median[s] = perPair[s][rounds / 2];
      System.out.printf("aead %s size=%d pairs=%d rounds=%d seal+open_ns_median=%.0f min=%.0f max=%.0f%n",
          names[s], size, pairs, rounds, median[s], perPair[s][0], perPair[s][rounds - 1]);
    }
    System.out.printf("aead ratio aes-256-gcm/chacha20-poly1305=%.2f%n", median[1] / median[0]);
  }

  /** One cipher suite's seal and open, as TunnelSession does them. */
  static final class Suite {
    final boolean gcm;
    final Cipher sender;
    final Cipher receiver;
    final SecretKeySpec key;
    final ByteBuffer plain;
    final ByteBuffer message;
    final byte[] header = new byte[13];
    final byte[] nonce = new byte[12];
    long counter;

    Suite(boolean gcm, int size) throws Exception {
      this.gcm = gcm;
      byte[] raw = new byte[32];
      new SecureRandom().nextBytes(raw);
      key = new SecretKeySpec(raw, gcm ? "AES" : "ChaCha20");
      sender = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
      receiver = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
      plain = ByteBuffer.allocateDirect(size);
      message = ByteBuffer.allocateDirect(size + 16);
    }

    void run(int pairs) throws Exception {
      for (int i = 0; i < pairs; i++) {
        long n = counter++;
        ByteBuffer.wrap(header).putLong(5, n);
        java.security.spec.AlgorithmParameterSpec spec = spec(n);
        sender.init(Cipher.ENCRYPT_MODE, key, spec);
        sender.updateAAD(header);
        plain.clear();
        message.clear();
        int written = sender.doFinal(plain, message);
        receiver.init(Cipher.DECRYPT_MODE, key, spec);
        receiver.updateAAD(header);
        ByteBuffer in = message.duplicate().position(0).limit(written);
        ByteBuffer out = message.duplicate().position(0).limit(written - 16);
        receiver.doFinal(in, out);
      }
    }

    java.security.spec.AlgorithmParameterSpec spec(long n) {
      if (gcm) {
        ByteBuffer.wrap(nonce).order(ByteOrder.BIG_ENDIAN).putInt(0, 0).putLong(4, n);
        return new GCMParameterSpec(128, nonce);
      }
      ByteBuffer.wrap(nonce).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0).putLong(4, n);
      return new IvParameterSpec(nonce);
    }
  }
}
