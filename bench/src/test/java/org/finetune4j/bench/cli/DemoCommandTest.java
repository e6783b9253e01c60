package org.finetune4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoCommandTest {
    @Test
    void helpExitsZeroAndDescribesItsOptions() {
        var r = CliRun.of("demo", "--help");
        assertEquals(0, r.code(), r.err());
        for (String option : new String[] {"--epochs", "--budget", "--batch-size"}) {
            assertTrue(r.out().contains(option), option + " missing from\n" + r.out());
        }
    }

    @Test
    void argumentErrorsExitTwoWithOneLineBeforeTraining() {
        String[][] cases = {
            {"--epochs", "0", "--epochs must be >= 1"},
            {"--budget", "0", "--budget must be >= 1"},
            {"--budget", "501", "--budget 501 exceeds the smallest target class"},
            {"--batch-size", "-1", "--batch-size must be >= 1"},
        };
        for (String[] c : cases) {
            var r = CliRun.of("demo", c[0], c[1]);
            assertEquals(2, r.code(), c[0] + " " + c[1] + ": " + r.err());
            assertTrue(r.err().startsWith("demo: ") && r.err().contains(c[2]),
                    c[0] + " " + c[1] + " gave: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void oneEpochRunPrintsARowForEverySixMethods() {
        var r = CliRun.of("demo", "--epochs", "1", "--budget", "2");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("method ") && lines[0].contains("| accuracy |"), r.out());
        for (int i = 0; i < DemoCommand.METHODS.size(); i++) {
            String row = lines[2 + i];
            assertTrue(row.startsWith(DemoCommand.METHODS.get(i) + " ")
                    && row.matches(".*\\| +\\d+\\.\\d\\d% \\|.*"), "row " + i + ": " + row);
        }
        assertFalse(r.out().contains("NaN"), r.out());
    }
}
