import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * The floor under any Java proxy built on Netty, for bench/floor.sh: what one Netty event loop costs per request when
 * it does nothing a production router must do. Not part of Ringway.
 *
 * <ul>
 *   <li>{@code l7}: an HTTP/1.1 reverse proxy on Netty's codecs, keep-alive only: requests are decoded, the
 *       {@code Connection} header dropped, and forwarded on a pooled upstream connection of the same loop. No routing,
 *       no strictness checks, no timers, no stats, no added headers, no error handling beyond closing.
 *   <li>{@code l4}: a byte relay, one upstream connection per downstream one, no HTTP at all.
 * </ul>
 *
 * <p>usage: {@code java -cp ringway.jar bench/HttpFloor.java l7|l4 io_uring|epoll LISTEN_PORT BACKEND_PORT}
 */
public final class HttpFloor {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 4 || !args[0].matches("l7|l4") || !args[1].matches("io_uring|epoll")) {
      System.err.println("usage: HttpFloor l7|l4 io_uring|epoll LISTEN_PORT BACKEND_PORT");
      System.exit(2);
    }
    boolean l4 = args[0].equals("l4");
    boolean uring = args[1].equals("io_uring");
    int listenPort = Integer.parseInt(args[2]);
    int backendPort = Integer.parseInt(args[3]);
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
        uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
    Bootstrap upstream = new Bootstrap().group(loop)
        .channel(uring ? IoUringSocketChannel.class : EpollSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .remoteAddress(HOST, backendPort)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (l4) {
              ch.pipeline().addLast(new Relay());
            } else {
              ch.pipeline().addLast(new HttpClientCodec(), new ResponseSide());
            }
          }
        });
    ArrayDeque<Channel> idle = new ArrayDeque<>();
    new ServerBootstrap().group(loop)
        .channel(uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (l4) {
              relayTo(ch, upstream);
            } else {
              ch.pipeline().addLast(new HttpServerCodec(), new RequestSide(upstream, idle));
            }
          }
        })
        .bind(HOST, listenPort).sync();
    System.err.println("HttpFloor " + args[0] + " on " + args[1] + " listening on " + HOST + ":" + listenPort);
    loop.terminationFuture().sync();
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
}
