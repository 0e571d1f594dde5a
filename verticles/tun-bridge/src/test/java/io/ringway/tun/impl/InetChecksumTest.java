package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class InetChecksumTest {

  /** RFC 1071 as written: big-endian 16-bit words, an odd last byte padded with zero. */
  private static long reference(byte[] bytes, int from, int length, long sum) {
    for (int i = 0; i < length; i += 2) {
      int high = bytes[from + i] & 0xff;
      int low = i + 1 < length ? bytes[from + i + 1] & 0xff : 0;
      sum += (high << 8) | low;
    }
    return sum;
  }

  /** The same bytes in every kind of buffer the bridge sums: pooled and unpooled, heap and direct, slices, composites. */
  private static final List<Function<byte[], ByteBuf>> KINDS = List.of(
      Unpooled::wrappedBuffer,
      bytes -> Unpooled.directBuffer(bytes.length).writeBytes(bytes),
      bytes -> PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes),
      bytes -> {
        ByteBuf backing = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 13).writerIndex(13).writeBytes(bytes);
        // An opened data message: a slice of a slice, which owns the backing buffer (released with it).
        ByteBuf opened = backing.retainedSlice(13, bytes.length);
        backing.release();
        return opened.slice();
      },
      bytes -> {
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        int half = bytes.length / 2;
        composite.addComponent(true, Unpooled.wrappedBuffer(bytes, 0, half));
        composite.addComponent(true, Unpooled.directBuffer().writeBytes(bytes, half, bytes.length - half));
        return composite;
      });

  @Test
  void everyLengthOffsetAndKindOfBufferSumsAsRfc1071() {
    Random random = new Random(1071);
    int[] lengths = {0, 1, 2, 3, 7, 8, 9, 63, 64, 65, 66, 67, 71, 72, 127, 1279, 1280, 1400, 1419, 9000, 65_507};
    for (int length : lengths) {
      for (int offset = 0; offset < 10; offset++) {
        byte[] bytes = new byte[offset + length + 5];
        random.nextBytes(bytes);
        long seed = random.nextInt(1 << 20);
        int expected = InetChecksum.fold(reference(bytes, offset, length, seed));
        for (int kind = 0; kind < KINDS.size(); kind++) {
          ByteBuf buffer = KINDS.get(kind).apply(bytes);
          try {
            int reader = buffer.readerIndex();
            int writer = buffer.writerIndex();
            assertThat(InetChecksum.fold(InetChecksum.sum(buffer, buffer.readerIndex() + offset, length, seed)))
                .as("length %d at offset %d, buffer kind %d", length, offset, kind).isEqualTo(expected);
            assertThat(buffer.readerIndex()).isEqualTo(reader);
            assertThat(buffer.writerIndex()).isEqualTo(writer);
          } finally {
            buffer.release();
          }
        }
      }
    }
  }

  @Test
  void allOnesAndAllZerosFoldAsTheRfcSays() {
    byte[] ones = new byte[65_507];
    java.util.Arrays.fill(ones, (byte) 0xff);
    assertThat(InetChecksum.fold(InetChecksum.sum(Unpooled.wrappedBuffer(ones), 0, 65_506, 0))).isEqualTo(0xffff);
    ByteBuf zeros = Unpooled.directBuffer(4096).writeZero(4096);
    try {
      assertThat(InetChecksum.fold(InetChecksum.sum(zeros, 0, 4096, 0))).isZero();
    } finally {
      zeros.release();
    }
  }
}
