package io.ringway.filter.compression;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import io.ringway.spi.http.BodyTransform;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;

/**
 * A zstd frame (RFC 8878) written as the body streams, through zstd-jni's streaming context; each chunk is flushed
 * (a complete block), as gzip's SYNC_FLUSH, so a streamed response is not held back in the compressor.
 */
final class ZstdTransform implements BodyTransform {

  private final ZstdCompressCtx context = new ZstdCompressCtx();
  private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
  private final CompressionStats stats;
  private long inputBytes;

  ZstdTransform(int level, CompressionStats stats) {
    context.setLevel(level);
    this.stats = stats;
  }

  @Override
  public Buffer transform(Buffer chunk) {
    inputBytes += chunk.length();
    ByteBuffer in = ByteBuffer.allocateDirect(chunk.length());
    in.put(chunk.getBytes()).flip();
    return run(in, EndDirective.FLUSH);
  }

  @Override
  public Buffer finish() {
    return run(ByteBuffer.allocateDirect(0), EndDirective.END);
  }

  /** Feeds {@code in} and drains the output until the context says the flush (or the frame's end) is complete. */
  private Buffer run(ByteBuffer in, EndDirective directive) {
    Buffer result = Buffer.buffer();
    boolean done;
    do {
      out.clear();
      done = context.compressDirectByteBufferStream(out, in, directive);
      out.flip();
      byte[] bytes = new byte[out.remaining()];
      out.get(bytes);
      result.appendBytes(bytes);
    } while (!done || in.hasRemaining());
    stats.bytesOut += result.length();
    return result;
  }

  @Override
  public void close() {
    stats.bytesIn += inputBytes;
    context.close();
  }
}
