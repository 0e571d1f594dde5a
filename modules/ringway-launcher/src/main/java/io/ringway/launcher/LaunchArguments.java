package io.ringway.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line: {@code [run|transports|validate [FILE]|version|help|train] [--conf FILE] [--cluster]}.
 *
 * @param command what to do
 * @param conf the config file given with {@code --conf} (or {@code validate FILE}), or null for the default
 * @param cluster whether {@code --cluster} was given
 */
record LaunchArguments(Command command, Path conf, boolean cluster) {

  enum Command { RUN, TRANSPORTS, VALIDATE, VERSION, HELP, TRAIN }

  static final String USAGE = """
      Usage: java -jar ringway.jar [COMMAND] [--conf FILE] [--cluster]

      Commands:
        run               start Ringway (the default)
        transports        list the transports, whether each is available here, and why not
        validate [FILE]   check a config (default: the one run would load); prints every error, exit 0 or 1
        version           print the version
        help              print this text
        train             the build's AOT training run: a node on free loopback ports under load for a few
                          seconds, then exit (with -XX:AOTCacheOutput=FILE the JVM writes its AOT cache)

      Options:
        --conf FILE       config file (default: ./conf/ringway.yaml, else the copy inside the jar)
        --cluster         join a Ringway cluster as the config's cluster: section says (default: 127.0.0.1:5701-5703)
      """;

  static LaunchArguments parse(String... args) {
    Command command = null;
    Path conf = null;
    boolean cluster = false;
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--conf", "-conf" -> {
          if (i + 1 >= args.length) {
            throw new StartupException("--conf: expected a file path after it");
          }
          conf = Path.of(args[++i]);
        }
        case "--cluster", "-cluster" -> cluster = true;
        case "-h", "--help" -> command = Command.HELP;
        default -> {
          if (arg.startsWith("-")) {
            throw new StartupException("unknown option \"" + arg + "\" (known: --conf FILE, --cluster, --help)");
          }
          positional.add(arg);
        }
      }
    }
    if (command == null && !positional.isEmpty()) {
      command = switch (positional.removeFirst()) {
        case "run" -> Command.RUN;
        case "transports" -> Command.TRANSPORTS;
        case "validate" -> Command.VALIDATE;
        case "version" -> Command.VERSION;
        case "help" -> Command.HELP;
        case "train" -> Command.TRAIN;
        default -> throw new StartupException("unknown command \"" + args[0]
            + "\" (known: run, transports, validate, version, help, train)");
      };
    }
    if (command == Command.VALIDATE && positional.size() == 1 && conf == null) {
      conf = Path.of(positional.removeFirst());
    }
    if (!positional.isEmpty()) {
      throw new StartupException("unexpected argument \"" + positional.getFirst() + "\"");
    }
    return new LaunchArguments(command == null ? Command.RUN : command, conf, cluster);
  }
}
