package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.launcher.LaunchArguments.Command;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LaunchArgumentsTest {

  @Test
  void noArgumentsRunsOnTheDefaultConfig() {
    assertThat(LaunchArguments.parse()).isEqualTo(new LaunchArguments(Command.RUN, null, false));
  }

  @Test
  void optionsAndCommandsInAnyOrder() {
    assertThat(LaunchArguments.parse("--conf", "a.yaml", "run", "--cluster"))
        .isEqualTo(new LaunchArguments(Command.RUN, Path.of("a.yaml"), true));
    assertThat(LaunchArguments.parse("validate", "b.yaml")).isEqualTo(new LaunchArguments(Command.VALIDATE, Path.of("b.yaml"), false));
    assertThat(LaunchArguments.parse("transports").command()).isEqualTo(Command.TRANSPORTS);
    assertThat(LaunchArguments.parse("train").command()).isEqualTo(Command.TRAIN);
  }

  @Test
  void mistakesSayWhatWasExpected() {
    assertThatThrownBy(() -> LaunchArguments.parse("--conf")).hasMessage("--conf: expected a file path after it");
    assertThatThrownBy(() -> LaunchArguments.parse("launch"))
        .hasMessage("unknown command \"launch\" (known: run, transports, validate, version, help, train)");
    assertThatThrownBy(() -> LaunchArguments.parse("--verbose"))
        .hasMessage("unknown option \"--verbose\" (known: --conf FILE, --cluster, --help)");
    assertThatThrownBy(() -> LaunchArguments.parse("run", "extra")).hasMessage("unexpected argument \"extra\"");
  }
}
