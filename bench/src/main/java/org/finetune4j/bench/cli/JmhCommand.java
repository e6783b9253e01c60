package org.finetune4j.bench.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Delegates to the JMH runner bundled in the jar: {@code finetune4j jmh TrainStepBench -p width=1}. */
@Command(name = "jmh", description = "Run JMH benchmarks (arguments go to org.openjdk.jmh.Main; try -l or -h).",
        mixinStandardHelpOptions = true)
public final class JmhCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", description = "JMH arguments, e.g. TrainStepBench -p width=1")
    String[] jmhArgs = new String[0];

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(jmhArgs);
        return 0;
    }
}
