package io.ringway.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The ClientHello reader on hellos built by hand: whole, split, cut short, not TLS, malformed. */
class ClientHelloSniTest {

  @Test
  void findsTheNameInOneRecordOrSeveralAndWaitsForTheRest() {
    byte[] hello = ClientHellos.clientHello("Api.Example.com", 10);
    assertThat(ClientHelloSni.parse(Unpooled.wrappedBuffer(hello))).isEqualTo(new ClientHelloSni.Found("api.example.com"));
    byte[] split = ClientHellos.splitIntoRecords(hello, 20);
    assertThat(ClientHelloSni.parse(Unpooled.wrappedBuffer(split))).isEqualTo(new ClientHelloSni.Found("api.example.com"));
    for (int cut = 0; cut < split.length; cut++) {
      assertThat(ClientHelloSni.parse(Unpooled.wrappedBuffer(Arrays.copyOf(split, cut))))
          .as("first %d bytes", cut).isEqualTo(new ClientHelloSni.NeedMore());
    }
  }

  @Test
  void saysWhenItIsNotAHelloOrHasNoName() {
    assertThat(ClientHelloSni.parse(Unpooled.wrappedBuffer("GET / HTTP/1.1\r\n".getBytes())))
        .isInstanceOf(ClientHelloSni.NotTls.class);
    byte[] hello = ClientHellos.clientHello("a.test", 0);
    byte[] serverHello = hello.clone();
    serverHello[5] = 2;
    assertThat(ClientHelloSni.parse(Unpooled.wrappedBuffer(serverHello))).isInstanceOf(ClientHelloSni.NotTls.class);
    byte[] otherExtension = hello.clone();
    otherExtension[5 + 4 + 2 + 32 + 1 + 4 + 2 + 2 + 1] = 9;   // the server_name extension's type, now 9
    assertThat(ClientHelloSni.parse(Unpooled.wrappedBuffer(otherExtension))).isEqualTo(new ClientHelloSni.NoName());
    byte[] lying = hello.clone();
    lying[5 + 4 + 2 + 32 + 1 + 4 + 2] = (byte) 0xff;          // the extensions' length, far past the end
    assertThat(ClientHelloSni.parse(Unpooled.wrappedBuffer(lying))).isNotInstanceOf(ClientHelloSni.Found.class);
  }
}
