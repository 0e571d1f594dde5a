package io.ringway.spi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuListTest {

  @Test
  void readsAndWritesTheKernelsListSyntax() {
    assertThat(CpuList.parse("0-3,6")).containsExactly(0, 1, 2, 3, 6);
    assertThat(CpuList.parse(" 5, 1 ,1")).containsExactly(1, 5);
    assertThat(CpuList.format(List.of(0, 1, 2, 5, 7, 8))).isEqualTo("0-2,5,7-8");
    assertThat(CpuList.format(List.of(3))).isEqualTo("3");
  }

  @Test
  void refusesWhatIsNoCpuList() {
    assertThatThrownBy(() -> CpuList.parse("3-1")).hasMessage("\"3-1\" in \"3-1\" is an empty range");
    assertThatThrownBy(() -> CpuList.parse("0,,1")).hasMessageContaining("is not a CPU list such as 0-3,6");
    assertThatThrownBy(() -> CpuList.parse("1024")).hasMessageContaining("CPUs 0 to 1023");
    assertThatThrownBy(() -> CpuList.parse("-1")).hasMessageContaining("is not a CPU list");
  }

  @Test
  void theAllowedSetIsWhatTheKernelSaysForThisProcess() {
    // The JVM counts the same mask (sched_getaffinity) when no container limit applies.
    assertThat(CpuList.allowed()).hasSizeGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
  }
}
