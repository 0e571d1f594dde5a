import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The floor under any Java proxy built on Netty, for bench/floor.sh: what one Netty event loop costs per request when
 * it does nothing a production router must do. Not part of Ringway.
 *
 * <ul>
 *   <li>{@code l7}: an HTTP/1.1 reverse proxy on Netty's codecs, keep-alive only: requests are decoded, the
 *       {@code Connection} header dropped, and forwarded on a pooled upstream connection of the same loop. No routing,
 *       no strictness checks, no timers, no stats, no added headers, no error handling beyond closing.
 *   <li>{@code l7bytes}: the floor of issue 17's byte-level data path. The request head is checked in the received
 *       buffer byte by byte (as strictly as a tchar/VCHAR grammar, not all of the router's rules) and forwarded as
 *       one pooled buffer with a proxy's edits spliced in (hop-by-hop fields dropped, x-forwarded-for/-proto/-host,
 *       x-request-id and via added); the response head gets via, bodies go on as retained slices (Content-Length,
 *       chunked or up to close); pooled upstream connections of the same loop. No decoded objects, no routing,
 *       timers, retries or stats.
 *   <li>{@code l4}: a byte relay, one upstream connection per downstream one, no HTTP at all.
 * </ul>
 *
 * <p>usage: {@code java -cp ringway.jar bench/HttpFloor.java l7|l7bytes|l4 io_uring|epoll LISTEN_PORT BACKEND_PORT},
 * or with {@code --conf FILE} in place of the ports: Ringway's bench config, whose {@code bench} listener's port it
 * follows (bench/warm-start.sh warms it on one port and then names the measured one, as for Ringway).
 */
public final class HttpFloor {
  private static final String HOST = "127.0.0.1";
  private static final Pattern LISTENER = Pattern.compile("name: bench, host: 127\\.0\\.0\\.1, port: (\\d+)");
  private static final Pattern BACKEND = Pattern.compile("endpoints: \\[\\{host: 127\\.0\\.0\\.1, port: (\\d+)}]");

  public static void main(String[] args) throws Exception {
    boolean fromConf = args.length == 4 && args[2].equals("--conf");
    if (args.length != 4 || !args[0].matches("l7|l7bytes|l4") || !args[1].matches("io_uring|epoll")) {
      System.err.println("usage: HttpFloor l7|l7bytes|l4 io_uring|epoll (LISTEN_PORT BACKEND_PORT | --conf FILE)");
      System.exit(2);
    }
    String mode = args[0];
    boolean uring = args[1].equals("io_uring");
    Path conf = fromConf ? Path.of(args[3]) : null;
    int listenPort = fromConf ? port(conf, LISTENER) : Integer.parseInt(args[2]);
    int backendPort = fromConf ? port(conf, BACKEND) : Integer.parseInt(args[3]);
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
        uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
    Bootstrap upstream = new Bootstrap().group(loop)
        .channel(uring ? IoUringSocketChannel.class : EpollSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .remoteAddress(HOST, backendPort)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            switch (mode) {
              case "l4" -> ch.pipeline().addLast(new Relay());
              case "l7" -> ch.pipeline().addLast(new HttpClientCodec(), new ResponseSide());
              default -> ch.pipeline().addLast(new ByteResponseSide());
            }
          }
        });
    ArrayDeque<Channel> idle = new ArrayDeque<>();
    ServerBootstrap server = new ServerBootstrap().group(loop)
        .channel(uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            switch (mode) {
              case "l4" -> relayTo(ch, upstream);
              case "l7" -> ch.pipeline().addLast(new HttpServerCodec(), new RequestSide(upstream, idle));
              default -> ch.pipeline().addLast(new ByteRequestSide(upstream, idle));
            }
          }
        });
    Channel[] listening = {server.bind(HOST, listenPort).sync().channel()};
    System.err.println("HttpFloor " + mode + " on " + args[1] + " listening on " + HOST + ":" + listenPort);
    if (fromConf) {
      // bench/warm-start.sh's swap: the config names the measured port once the JVM is warm
      int[] bound = {listenPort};
      loop.scheduleAtFixedRate(() -> {
        int now;
        try {
          now = port(conf, LISTENER);
        } catch (Exception beingReplaced) {
          return;
        }
        if (now != bound[0]) {
          Channel old = listening[0];
          listening[0] = server.bind(HOST, now).syncUninterruptibly().channel();
          bound[0] = now;
          old.close();
          System.err.println("HttpFloor moved to :" + now);
        }
      }, 200, 200, TimeUnit.MILLISECONDS);
    }
    loop.terminationFuture().sync();
  }

  private static int port(Path conf, Pattern pattern) throws java.io.IOException {
    Matcher m = pattern.matcher(Files.readString(conf));
    if (!m.find()) {
      throw new IllegalStateException(conf + ": no " + pattern);
    }
    return Integer.parseInt(m.group(1));
  }

  private static void relayTo(Channel down, Bootstrap upstream) {
    Relay downRelay = new Relay();
    down.config().setAutoRead(false);
    down.pipeline().addLast(downRelay);
    upstream.connect().addListener((ChannelFutureListener) f -> {
      if (!f.isSuccess()) {
        down.close();
        return;
      }
      Relay upRelay = (Relay) f.channel().pipeline().last();
      upRelay.peer = down;
      downRelay.peer = f.channel();
      down.config().setAutoRead(true);
    });
  }

  /** A read error (wrk resets its connections when it stops) closes the connection without a log line. */
  private abstract static class ClosingHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static final class Relay extends ClosingHandler {
    Channel peer;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      peer.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer.flush();   // one flush per read batch, as Ringway's relays do
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (peer != null) {
        peer.close();
      }
    }
  }

  private static final class RequestSide extends ClosingHandler {
    private final Bootstrap upstream;
    private final ArrayDeque<Channel> idle;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private Channel down;
    private Channel up;

    RequestSide(Bootstrap upstream, ArrayDeque<Channel> idle) {
      this.upstream = upstream;
      this.idle = idle;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      down = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        request.headers().remove(HttpHeaderNames.CONNECTION);
        Channel pooled = idle.pollFirst();
        if (pooled != null && pooled.isActive()) {
          attach(pooled);
          pooled.write(msg);
          return;
        }
        waiting.add(msg);
        upstream.connect().addListener((ChannelFutureListener) f -> {
          if (!f.isSuccess()) {
            down.close();
            return;
          }
          attach(f.channel());
          for (Object m; (m = waiting.poll()) != null; ) {
            f.channel().write(m);
          }
          f.channel().flush();
        });
      } else if (up != null) {
        up.write(msg);
      } else {
        waiting.add(msg);
      }
    }

    private void attach(Channel c) {
      up = c;
      ((ResponseSide) c.pipeline().last()).owner = this;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (up != null) {
        up.flush();
      }
    }
  }

  private static final class ResponseSide extends ClosingHandler {
    RequestSide owner;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      RequestSide o = owner;
      o.down.write(msg);
      if (msg instanceof LastHttpContent) {
        o.up = null;
        o.idle.addFirst(ctx.channel());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (owner != null && owner.up == ctx.channel()) {
        owner.down.close();   // the response was cut off
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (owner != null) {
        owner.down.flush();
      }
    }
  }
  /**
   * l7bytes, downstream side: the request head is scanned and checked in the received buffer, one byte at a time as
   * the router's grammar does, and written upstream as one pooled buffer with the proxy's edits (hop-by-hop fields
   * dropped; x-forwarded-for/-proto/-host, x-request-id and via added); a Content-Length body goes on as retained
   * slices. One request at a time per connection: the next head is read once the response is complete.
   */
  private static final class ByteRequestSide extends ClosingHandler {
    private static final int MAX_HEAD = 8192;
    private static final int INCOMPLETE = -1;
    private static final int BAD = -2;
    private static final byte[] XFF = "x-forwarded-for: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FORWARDED = ("x-forwarded-proto: http\r\nvia: 1.1 ringway\r\nx-forwarded-host: ")
        .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_ID = "x-request-id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final boolean[] TCHAR = new boolean[256];

    static {
      for (char c : "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray()) {
        TCHAR[c] = true;
      }
    }

    private final Bootstrap upstream;
    private final ArrayDeque<Channel> idle;
    private Channel down;
    private byte[] client;
    private ByteBuf in;
    /** The upstream connection of the request in flight. */
    private Channel up;
    private long bodyLeft;
    private boolean inFlight;
    private boolean connecting;
    private boolean closeAfter;

    ByteRequestSide(Bootstrap upstream, ArrayDeque<Channel> idle) {
      this.upstream = upstream;
      this.idle = idle;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      down = ctx.channel();
      client = ((InetSocketAddress) down.remoteAddress()).getAddress().getHostAddress()
          .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      in = in == null ? (ByteBuf) msg : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, (ByteBuf) msg);
      process();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (up != null) {
        up.flush();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (up != null) {
        up.close();   // cut mid-exchange: not reusable
      }
      if (in != null) {
        in.release();
        in = null;
      }
    }

    private void process() {
      while (in != null && in.isReadable() && !connecting && down.isOpen()) {
        if (bodyLeft > 0) {
          int n = (int) Math.min(bodyLeft, in.readableBytes());
          up.write(in.readRetainedSlice(n), up.voidPromise());
          bodyLeft -= n;
        } else if (inFlight || !startRequest()) {
          break;
        }
      }
      if (in != null && !in.isReadable()) {
        in.release();
        in = null;
      }
    }

    /** Forwards the head at the reader index if it is complete; false when it is not (or the connection closed). */
    private boolean startRequest() {
      int end = scanHead(in);
      if (end == BAD || (end == INCOMPLETE && in.readableBytes() > MAX_HEAD)) {
        down.close();
        return false;
      }
      if (end == INCOMPLETE) {
        return false;
      }
      if (up == null) {
        for (Channel pooled; (pooled = idle.pollFirst()) != null; ) {
          if (pooled.isActive()) {
            up = pooled;
            break;
          }
        }
      }
      if (up == null) {
        connecting = true;
        upstream.connect().addListener((ChannelFutureListener) f -> {
          connecting = false;
          if (!f.isSuccess() || !down.isOpen()) {
            f.channel().close();
            down.close();
            return;
          }
          up = f.channel();
          process();
          if (up != null) {
            up.flush();
          }
        });
        return false;
      }
      ByteBuf head = rewrite(in, end);
      if (head == null) {
        down.close();
        return false;
      }
      inFlight = true;
      ((ByteResponseSide) up.pipeline().last()).start(this, in.getByte(in.readerIndex()) == 'H');
      in.skipBytes(end - in.readerIndex());
      up.write(head, up.voidPromise());
      return true;
    }

    /** The upstream head for the request head in {@code b}'s readable bytes up to {@code end}; null: not forwardable. */
    private ByteBuf rewrite(ByteBuf b, int end) {
      int start = b.readerIndex();
      int lineEnd = b.indexOf(start, end, (byte) '\n') + 1;
      ByteBuf out = down.alloc().directBuffer(end - start + 192);
      out.writeBytes(b, start, lineEnd - start);
      int hostStart = -1;
      int hostEnd = -1;
      int xffStart = -1;
      int xffEnd = -1;
      long length = 0;
      closeAfter = false;
      for (int line = lineEnd; line < end - 2; line = lineEnd) {
        lineEnd = b.indexOf(line, end, (byte) '\n') + 1;
        int colon = b.indexOf(line, lineEnd, (byte) ':');
        int valueStart = colon + 1;
        while (b.getByte(valueStart) == ' ' || b.getByte(valueStart) == '\t') {
          valueStart++;
        }
        int valueEnd = lineEnd - 2;
        while (valueEnd > valueStart && (b.getByte(valueEnd - 1) == ' ' || b.getByte(valueEnd - 1) == '\t')) {
          valueEnd--;
        }
        int nameLength = colon - line;
        if (is(b, line, nameLength, "host")) {
          hostStart = valueStart;
          hostEnd = valueEnd;
        } else if (is(b, line, nameLength, "x-forwarded-for")) {
          xffStart = valueStart;
          xffEnd = valueEnd;
          continue;
        } else if (is(b, line, nameLength, "connection")) {
          closeAfter = is(b, valueStart, valueEnd - valueStart, "close");
          continue;
        } else if (is(b, line, nameLength, "content-length")) {
          for (int i = valueStart; i < valueEnd; i++) {
            length = length * 10 + (b.getByte(i) - '0');
          }
        } else if (is(b, line, nameLength, "transfer-encoding") || is(b, line, nameLength, "upgrade")) {
          out.release();
          return null;   // not on this path (the router hands such requests to its general path)
        } else if (is(b, line, nameLength, "keep-alive") || is(b, line, nameLength, "te")
            || is(b, line, nameLength, "trailer") || is(b, line, nameLength, "proxy-connection")) {
          continue;
        }
        out.writeBytes(b, line, lineEnd - line);
      }
      if (hostStart < 0) {
        out.release();
        return null;
      }
      out.writeBytes(XFF);
      if (xffStart >= 0) {
        out.writeBytes(b, xffStart, xffEnd - xffStart).writeByte(',').writeByte(' ');
      }
      out.writeBytes(client).writeByte('\r').writeByte('\n');
      out.writeBytes(FORWARDED).writeBytes(b, hostStart, hostEnd - hostStart).writeByte('\r').writeByte('\n');
      out.writeBytes(REQUEST_ID);
      ThreadLocalRandom random = ThreadLocalRandom.current();
      hex(out, (random.nextLong() & ~0xF000L) | 0x4000L, (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
      out.writeByte('\r').writeByte('\n').writeByte('\r').writeByte('\n');
      bodyLeft = length;
      return out;
    }

    /** A version-4 UUID's 36 characters, as java.util.UUID.toString writes them, without a String. */
    private static void hex(ByteBuf out, long high, long low) {
      for (int i = 15; i >= 0; i--) {
        out.writeByte(HEX[(int) (high >>> (i * 4)) & 0xF]);
        if (i == 8 || i == 4) {
          out.writeByte('-');
        }
      }
      out.writeByte('-');
      for (int i = 15; i >= 0; i--) {
        out.writeByte(HEX[(int) (low >>> (i * 4)) & 0xF]);
        if (i == 12) {
          out.writeByte('-');
        }
      }
    }

    /** Whether {@code length} bytes at {@code at} are {@code lower}, ASCII case-insensitively. */
    static boolean is(ByteBuf b, int at, int length, String lower) {
      if (length != lower.length()) {
        return false;
      }
      for (int i = 0; i < length; i++) {
        if ((b.getByte(at + i) | 0x20) != lower.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    /**
     * Checks the head at the reader index byte by byte (method tchar, target visible ASCII without '#', version
     * HTTP/1.x, field names tchar, values visible ASCII, SP or HTAB, every line ending CRLF): the index after its
     * empty line, {@link #INCOMPLETE} or {@link #BAD}.
     */
    private static int scanHead(ByteBuf b) {
      int state = 0;   // 0 method, 1 target, 2 version, 3 LF, 4 line start, 5 name, 6 value, 7 final LF
      int end = b.writerIndex();
      for (int i = b.readerIndex(); i < end; i++) {
        int c = b.getByte(i) & 0xFF;
        switch (state) {
          case 0 -> state = c == ' ' ? 1 : TCHAR[c] ? 0 : -1;
          case 1 -> state = c == ' ' ? 2 : c > 0x20 && c < 0x7F && c != '#' ? 1 : -1;
          case 2 -> state = c == '\r' ? 3 : c > 0x20 && c < 0x7F ? 2 : -1;
          case 3 -> state = c == '\n' ? 4 : -1;
          case 4 -> state = c == '\r' ? 7 : TCHAR[c] ? 5 : -1;
          case 5 -> state = c == ':' ? 6 : TCHAR[c] ? 5 : -1;
          case 6 -> state = c == '\r' ? 3 : c == '\t' || (c >= 0x20 && c < 0x7F) ? 6 : -1;
          case 7 -> {
            return c == '\n' ? i + 1 : BAD;
          }
          default -> throw new IllegalStateException();
        }
        if (state < 0) {
          return BAD;
        }
      }
      return INCOMPLETE;
    }

    /** The response to the request in flight is complete; its upstream connection goes back to the pool if it can. */
    void responded(Channel channel, boolean reusable) {
      up = null;
      inFlight = false;
      if (reusable && bodyLeft == 0) {
        idle.addFirst(channel);
      } else {
        down.flush();   // the upstream's read-complete, which flushes, does not come once it is closed
        channel.close();
      }
      if (closeAfter || bodyLeft > 0) {
        down.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      process();
      if (up != null) {
        up.flush();
      }
    }
  }

  /**
   * l7bytes, upstream side: the response head is found and written downstream as one pooled buffer (hop-by-hop
   * fields dropped, via added); the body goes on as retained slices of what was read, framed by Content-Length or
   * by its chunks (scanned only to find its end), or up to the upstream's close.
   */
  private static final class ByteResponseSide extends ClosingHandler {
    private static final byte[] VIA = "via: 1.1 ringway\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int IDLE = 0;
    private static final int HEAD = 1;
    private static final int LENGTH = 2;
    private static final int CHUNKED = 3;
    private static final int UNTIL_CLOSE = 4;
    // chunked body states
    private static final int SIZE = 0;
    private static final int EXTENSION = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER = 7;
    private static final int END_LF = 8;

    private ByteRequestSide owner;
    private Channel down;
    private boolean headRequest;
    private ByteBuf in;
    private int state = IDLE;
    private long left;
    private int chunkState;
    private boolean keepAlive;

    void start(ByteRequestSide owner, boolean headRequest) {
      this.owner = owner;
      this.down = owner.down;
      this.headRequest = headRequest;
      this.state = HEAD;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (state == IDLE) {
        ((ByteBuf) msg).release();
        ctx.close();   // nothing was asked
        return;
      }
      in = in == null ? (ByteBuf) msg : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, (ByteBuf) msg);
      while (in != null && in.isReadable() && state != IDLE) {
        switch (state) {
          case HEAD -> {
            if (!head(ctx)) {
              return;
            }
          }
          case LENGTH -> {
            int n = (int) Math.min(left, in.readableBytes());
            down.write(in.readRetainedSlice(n), down.voidPromise());
            left -= n;
            if (left == 0) {
              complete(ctx);
            }
          }
          case CHUNKED -> {
            int end = scanChunks(in);
            int n = (end < 0 ? in.writerIndex() : end) - in.readerIndex();
            down.write(in.readRetainedSlice(n), down.voidPromise());
            if (end >= 0) {
              complete(ctx);
            }
          }
          default -> down.write(in.readRetainedSlice(in.readableBytes()), down.voidPromise());
        }
      }
      if (in != null && !in.isReadable()) {
        in.release();
        in = null;
      }
    }

    /** Writes the response head downstream once it is complete; false while it is not. */
    private boolean head(ChannelHandlerContext ctx) {
      int start = in.readerIndex();
      int end = in.indexOf(start, in.writerIndex(), (byte) '\n');
      while (end >= 0 && !(in.getByte(end - 1) == '\r' && in.getByte(end - 2) == '\n')) {
        end = in.indexOf(end + 1, in.writerIndex(), (byte) '\n');
      }
      if (end < 0) {
        return false;
      }
      end++;
      int lineEnd = in.indexOf(start, end, (byte) '\n') + 1;
      int status = (in.getByte(start + 9) - '0') * 100 + (in.getByte(start + 10) - '0') * 10 + in.getByte(start + 11) - '0';
      ByteBuf out = ctx.alloc().directBuffer(end - start + VIA.length);
      out.writeBytes(in, start, lineEnd - start);
      long length = -1;
      boolean chunked = false;
      keepAlive = in.getByte(start + 7) == '1';
      for (int line = lineEnd; line < end - 2; line = lineEnd) {
        lineEnd = in.indexOf(line, end, (byte) '\n') + 1;
        int colon = in.indexOf(line, lineEnd, (byte) ':');
        int value = colon + 1;
        while (in.getByte(value) == ' ') {
          value++;
        }
        int nameLength = colon - line;
        if (ByteRequestSide.is(in, line, nameLength, "connection")) {
          keepAlive &= !ByteRequestSide.is(in, value, lineEnd - 2 - value, "close");
          continue;
        }
        if (ByteRequestSide.is(in, line, nameLength, "keep-alive")) {
          continue;
        }
        if (ByteRequestSide.is(in, line, nameLength, "content-length")) {
          length = 0;
          for (int i = value; i < lineEnd - 2; i++) {
            length = length * 10 + (in.getByte(i) - '0');
          }
        } else if (ByteRequestSide.is(in, line, nameLength, "transfer-encoding")) {
          chunked = true;
        }
        out.writeBytes(in, line, lineEnd - line);
      }
      out.writeBytes(VIA);
      in.skipBytes(end - start);
      down.write(out, down.voidPromise());
      if (status < 200) {
        return true;   // informational: the final head follows
      }
      if (headRequest || status == 204 || status == 304 || length == 0) {
        complete(ctx);
      } else if (chunked) {
        state = CHUNKED;
        chunkState = SIZE;
        left = 0;
      } else if (length > 0) {
        state = LENGTH;
        left = length;
      } else {
        state = UNTIL_CLOSE;
        keepAlive = false;
      }
      return true;
    }

    /** Advances through chunked framing from the reader index: the index after the body's end, or -1 for more. */
    private int scanChunks(ByteBuf b) {
      int end = b.writerIndex();
      for (int i = b.readerIndex(); i < end; i++) {
        int c = b.getByte(i);
        switch (chunkState) {
          case SIZE -> {
            int digit = Character.digit(c, 16);
            if (digit >= 0) {
              left = left * 16 + digit;
            } else {
              chunkState = c == '\r' ? SIZE_LF : EXTENSION;
            }
          }
          case EXTENSION -> chunkState = c == '\r' ? SIZE_LF : EXTENSION;
          case SIZE_LF -> chunkState = left == 0 ? TRAILER_START : DATA;
          case DATA -> {
            int n = (int) Math.min(left, end - i);
            left -= n;
            i += n - 1;
            if (left == 0) {
              chunkState = DATA_CR;
            }
          }
          case DATA_CR -> chunkState = DATA_LF;
          case DATA_LF -> chunkState = SIZE;
          case TRAILER_START -> chunkState = c == '\r' ? END_LF : TRAILER;
          case TRAILER -> chunkState = c == '\n' ? TRAILER_START : TRAILER;
          case END_LF -> {
            return i + 1;
          }
          default -> throw new IllegalStateException();
        }
      }
      return -1;
    }

    private void complete(ChannelHandlerContext ctx) {
      state = IDLE;
      ByteRequestSide o = owner;
      owner = null;
      boolean reusable = keepAlive && !in.isReadable();
      o.responded(ctx.channel(), reusable);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (down != null) {
        down.flush();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (in != null) {
        in.release();
        in = null;
      }
      if (owner != null) {
        // the response ends with the connection (UNTIL_CLOSE), or was cut off
        owner.down.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
