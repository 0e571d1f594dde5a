package io.ringway.upstream.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthStateTest {

  @Test
  void startsHealthyAndFlipsOnlyAfterAFullStreak() {
    HealthState state = new HealthState(2, 3);
    assertThat(state.healthy()).isTrue();
    assertThat(state.record(false)).isFalse();
    assertThat(state.record(false)).isFalse();
    assertThat(state.record(false)).isTrue();
    assertThat(state.healthy()).isFalse();

    assertThat(state.record(false)).isFalse();
    assertThat(state.record(true)).isFalse();
    assertThat(state.record(true)).isTrue();
    assertThat(state.healthy()).isTrue();
  }

  @Test
  void aResultAgreeingWithTheStateBreaksTheStreak() {
    HealthState state = new HealthState(1, 3);
    state.record(false);
    state.record(false);
    state.record(true);
    state.record(false);
    state.record(false);
    assertThat(state.healthy()).isTrue();
    assertThat(state.record(false)).isTrue();
    assertThat(state.record(true)).isTrue();
  }
}
