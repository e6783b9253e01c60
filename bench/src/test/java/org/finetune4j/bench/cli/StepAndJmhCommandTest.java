package org.finetune4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepAndJmhCommandTest {
    @Test
    void stepHelpArgumentErrorsAndATinyRun() {
        CliRun help = CliRun.of("step", "--help");
        assertEquals(0, help.code(), help.err());
        for (String o : new String[] {"--width", "--batch", "--warmup", "--steps", "--seed"}) {
            assertTrue(help.out().contains(o), o + " missing from\n" + help.out());
        }
        CliRun bad = CliRun.of("step", "--width", "0");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().startsWith("step: --width, --batch and --steps must be >= 1"),
                bad.err());
        assertEquals("", bad.out());
        CliRun run = CliRun.of("step", "--batch", "2", "--warmup", "0", "--steps", "1");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("training step: median") && run.out().contains("img/s"),
                run.out());
    }

    @Test
    void jmhListsTheBundledBenchmarksAndRejectsABadOptionWithOneLine() {
        CliRun list = CliRun.of("jmh", "-l");
        assertEquals(0, list.code(), list.err());
        for (String b : new String[] {"GemmBench", "Conv2dBench", "TrainStepBench",
            "MethodStepBench", "CudaGemmBench"}) {
            assertTrue(list.out().contains(b), b + " missing from\n" + list.out());
        }
        CliRun bad = CliRun.of("jmh", "-f", "many");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().startsWith("jmh: ") && bad.err().strip().lines().count() == 1,
                bad.err());
    }
}
