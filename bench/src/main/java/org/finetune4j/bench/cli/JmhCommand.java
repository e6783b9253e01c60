package org.finetune4j.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Delegates to the JMH runner bundled in the jar: {@code finetune4j jmh TrainStepBench -p width=1}.
 * Every argument, options included, goes to org.openjdk.jmh.Main unchanged ({@code jmh -h} is JMH's help).
 */
@Command(name = "jmh", description = "Run JMH benchmarks; all arguments go to org.openjdk.jmh.Main "
        + "(try: jmh -l, jmh -h, jmh TrainStepBench -p width=1).")
public final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(jmhArgs.toArray(new String[0]));
        return 0;
    }
}
