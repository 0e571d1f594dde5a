package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {

  private final ReplayWindow window = new ReplayWindow();

  @Test
  void acceptsEachCounterOnceInOrder() {
    for (long counter = 0; counter < 10_000; counter++) {
      assertThat(window.accept(counter)).as("first %d", counter).isTrue();
      assertThat(window.accept(counter)).as("again %d", counter).isFalse();
    }
    assertThat(window.highest()).isEqualTo(9_999);
  }

  @Test
  void acceptsOutOfOrderWithinTheWindowOnce() {
    assertThat(window.accept(5000)).isTrue();
    assertThat(window.accept(4000)).isTrue();
    assertThat(window.accept(4999)).isTrue();
    assertThat(window.accept(4000)).isFalse();
    assertThat(window.accept(5000 - ReplayWindow.WINDOW)).as("exactly at the edge").isTrue();
    assertThat(window.accept(5000 - ReplayWindow.WINDOW - 1)).as("just outside").isFalse();
    assertThat(window.highest()).isEqualTo(5000);
  }

  @Test
  void theWindowIsAtLeast2048() {
    assertThat(ReplayWindow.WINDOW).isGreaterThanOrEqualTo(2048);
    window.accept(3000);
    assertThat(window.accept(3000 - 2048)).isTrue();
  }

  @Test
  void aJumpForwardForgetsOnlyWhatFellOutOfTheWindow() {
    for (long counter = 0; counter < 100; counter++) {
      window.accept(counter);
    }
    window.accept(100 + ReplayWindow.WINDOW);
    assertThat(window.accept(99)).as("99 is still inside and was seen").isFalse();
    assertThat(window.accept(99 + 1)).as("100 never seen, at the edge").isTrue();
    window.accept(1_000_000);
    assertThat(window.isFresh(1_000_000 - 1)).isTrue();
    assertThat(window.isFresh(1_000_000)).isFalse();
    assertThat(window.isFresh(999_000)).as("bits cleared by the slide").isTrue();
    assertThat(window.isFresh(100 + ReplayWindow.WINDOW)).as("too old now").isFalse();
  }

  @Test
  void isFreshChangesNothing() {
    assertThat(window.isFresh(7)).isTrue();
    assertThat(window.isFresh(7)).isTrue();
    assertThat(window.highest()).isEqualTo(-1);
  }

  @Test
  void refusesNegativeAndExhaustedCounters() {
    assertThat(window.accept(-1)).isFalse();
    assertThat(window.accept(Long.MIN_VALUE)).isFalse();
    assertThat(window.accept(ReplayWindow.REJECT_AFTER)).isFalse();
    assertThat(window.accept(ReplayWindow.REJECT_AFTER - 1)).isTrue();
  }
}
