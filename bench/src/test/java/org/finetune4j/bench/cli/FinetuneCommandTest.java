package org.finetune4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinetuneCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void helpExitsZeroAndDescribesEveryOption() {
        CliRun r = run("finetune", "--help");
        assertEquals(0, r.code(), r.err());
        for (String option : new String[] {"--method", "--budget", "--seed", "--epochs",
            "--batch-size", "--checkpoint", "--data", "--out", "--freeze-stages", "--alpha",
            "--beta", "--hint-fraction", "--target-data", "--val-per-class"}) {
            assertTrue(r.out().contains(option), option + " missing from\n" + r.out());
        }
        CliRun top = run("--help");
        assertTrue(top.out().contains("finetune") && top.out().contains("demo"), top.out());
    }

    @Test
    void argumentErrorsExitTwoWithOneLineBeforeTraining(@TempDir Path dir) throws IOException {
        Path notData = Files.createDirectories(dir.resolve("empty"));
        Path garbage = Files.writeString(dir.resolve("garbage.safetensors"), "not a model");
        String[][] cases = {
            {"--method", "bogus", "unknown --method 'bogus'"},
            {"--budget", "301", "--budget 301 exceeds the smallest target class (300 images after"
                + " holding out 200 for validation)"},
            {"--alpha", "0.1", "--alpha does not apply to --method finetune"},
            {"--target-data", dir.resolve("nope").toString(), "--target-data: no directory"},
            {"--budget", "0", "--budget must be >= 1"},
            {"--epochs", "0", "--epochs must be >= 1"},
            {"--batch-size", "0", "--batch-size must be >= 1"},
            {"--val-per-class", "0", "--val-per-class must be >= 1"},
            {"--lr-decay", "cosine", "--lr-decay must be none or step, got 'cosine'"},
            {"--checkpoint", dir.resolve("missing.safetensors").toString(), "--checkpoint"},
            {"--checkpoint", garbage.toString(), "--checkpoint " + garbage},
            {"--data", notData.toString(), "--data " + notData},
        };
        for (String[] c : cases) {
            CliRun r = run("finetune", c[0], c[1], "--out", dir.resolve("never").toString());
            assertEquals(2, r.code(), c[0] + " " + c[1] + ": " + r.err());
            assertTrue(r.err().startsWith("finetune: ") && r.err().contains(c[2]),
                    c[0] + " " + c[1] + " gave: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEquals("", r.out(), "trained despite " + c[0] + " " + c[1]);
            assertTrue(Files.notExists(dir.resolve("never")), "wrote output for " + c[0]);
        }
    }

    @Test
    void tinyRunPrintsAnAccuracyAndWritesItsManifest(@TempDir Path dir) throws IOException {
        CliRun r = run("finetune", "--method", "l2sp", "--alpha", "0.1", "--epochs", "1",
                "--budget", "2", "--lr-decay", "step", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches(
                "(?s)l2sp: test accuracy \\d+\\.\\d\\d% on 1000 images \\(validation.*"), r.out());
        assertTrue(r.out().contains("omega_start="), r.out());
        String manifest = Files.readString(dir.resolve(RunRecord.MANIFEST));
        assertTrue(manifest.contains("\"test_accuracy\": ") && manifest.contains(
                "\"budget_per_class\": 2") && manifest.contains("\"train_images\": 10")
                && manifest.contains("\"alpha\": 0.1") && manifest.contains("\"lr_decay\": \"step"),
                manifest);
        assertTrue(Files.readString(dir.resolve(RunRecord.CURVE)).startsWith("epoch,task,"));
    }
}
