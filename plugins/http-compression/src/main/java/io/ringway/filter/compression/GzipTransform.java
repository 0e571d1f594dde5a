package io.ringway.filter.compression;

import io.ringway.spi.http.BodyTransform;
import io.vertx.core.buffer.Buffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip member (RFC 1952) written as the body streams: raw deflate between a fixed 10-byte header and the CRC-32 /
 * length trailer. Each chunk is flushed (SYNC_FLUSH), so a streamed response (server-sent events, long polls)
 * reaches the client as it comes instead of waiting in the compressor.
 */
final class GzipTransform implements BodyTransform {

  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final Deflater deflater;
  private final CRC32 crc = new CRC32();
  private final byte[] out = new byte[16 * 1024];
  private final CompressionStats stats;
  private boolean headerSent;
  private long inputBytes;

  GzipTransform(int level, CompressionStats stats) {
    this.deflater = new Deflater(level, true);
    this.stats = stats;
  }

  @Override
  public Buffer transform(Buffer chunk) {
    byte[] bytes = chunk.getBytes();
    crc.update(bytes);
    inputBytes += bytes.length;
    deflater.setInput(bytes);
    return drain(false);
  }

  @Override
  public Buffer finish() {
    deflater.finish();
    Buffer last = drain(true);
    long value = crc.getValue();
    for (long field : new long[] {value, inputBytes}) {
      // ISIZE is the length modulo 2^32 (RFC 1952 2.3.1).
      last.appendByte((byte) field).appendByte((byte) (field >> 8)).appendByte((byte) (field >> 16))
          .appendByte((byte) (field >> 24));
    }
    stats.bytesOut += 8;
    return last;
  }

  private Buffer drain(boolean finishing) {
    Buffer result = Buffer.buffer();
    if (!headerSent) {
      result.appendBytes(HEADER);
      headerSent = true;
    }
    if (finishing) {
      while (!deflater.finished()) {
        result.appendBytes(out, 0, deflater.deflate(out, 0, out.length, Deflater.NO_FLUSH));
      }
    } else {
      int written;
      do {
        written = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        result.appendBytes(out, 0, written);
      } while (written == out.length);
    }
    stats.bytesOut += result.length();
    return result;
  }


  @Override
  public void close() {
    stats.bytesIn += inputBytes;
    deflater.end();
  }
}
