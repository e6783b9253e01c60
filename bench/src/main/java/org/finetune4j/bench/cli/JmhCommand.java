package org.finetune4j.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Delegates to the JMH runner bundled in the jar: {@code finetune4j jmh TrainStepBench -p width=1}.
 * Every argument, options included, goes to JMH unchanged ({@code jmh -h} is JMH's help); a
 * malformed one is one line and exit code 2 instead of JMH's System.exit.
 */
@Command(name = "jmh", description = "Run JMH benchmarks; all arguments go to org.openjdk.jmh.Main "
        + "(try: jmh -l, jmh -h, jmh TrainStepBench -p width=1).")
public final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String[] args = jmhArgs.toArray(new String[0]);
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            // JMH's own main would System.exit here; one line and exit 2, like every command
            System.err.println("jmh: " + e.getMessage() + " (jmh -h lists JMH's options)");
            return 2;
        }
        if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams()
                || options.shouldListProfilers() || options.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);                 // prints and returns
            return 0;
        }
        try {
            new Runner(options).run();
        } catch (RunnerException e) {
            System.err.println("jmh: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}
