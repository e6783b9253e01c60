package org.finetune4j.bench;

import org.finetune4j.bench.cli.CompareCommand;
import org.finetune4j.bench.cli.DemoCommand;
import org.finetune4j.bench.cli.DeviceSelection;
import org.finetune4j.bench.cli.FinetuneCommand;
import org.finetune4j.bench.cli.JmhCommand;
import org.finetune4j.bench.cli.PretrainCommand;
import org.finetune4j.bench.cli.StepCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The finetune4j command line: {@code java -jar finetune4j.jar <command> --help}. */
@Command(name = "finetune4j", mixinStandardHelpOptions = true,
        version = "finetune4j 0.1.0-SNAPSHOT",
        description = "Pretrain, fine-tune and compare transfer-learning methods; benchmark the"
                + " engine. -Dfinetune4j.device=cuda (before -jar) runs on an NVIDIA GPU.",
        subcommands = {PretrainCommand.class, FinetuneCommand.class, CompareCommand.class,
            DemoCommand.class,
            StepCommand.class, JmhCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        // compare draws its PNG charts off-screen; no display is needed or wanted
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        if (!asksForHelp(args)) {
            String problem = DeviceSelection.problem(System.getProperty("finetune4j.device"),
                    System.getenv("FINETUNE4J_DEVICE"));
            if (problem != null) {
                System.err.println("finetune4j: " + problem);
                return 2;
            }
        }
        return new CommandLine(new Main()).execute(args);
    }

    /** Help and version need no device, so a missing GPU never hides them. */
    private static boolean asksForHelp(String... args) {
        if (args.length == 0) return true;
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")
                    || a.equals("help")) {
                return true;
            }
        }
        return false;
    }
}
