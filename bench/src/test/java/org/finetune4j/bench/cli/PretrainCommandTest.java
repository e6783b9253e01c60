package org.finetune4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.finetune4j.nn.io.LoadReport;
import org.finetune4j.nn.io.Safetensors;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void helpExitsZeroAndDescribesEveryOptionButTheHiddenOne() {
        CliRun r = run("pretrain", "--help");
        assertEquals(0, r.code(), r.err());
        for (String option : new String[] {"--data", "--arch", "--width", "--epochs",
            "--batch-size", "--lr", "--seed", "--out", "--resume"}) {
            assertTrue(r.out().contains(option), option + " missing from\n" + r.out());
        }
        assertFalse(r.out().contains("--limit"), r.out());
        CliRun top = run("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("pretrain"), top.out());
    }

    @Test
    void argumentErrorsExitTwoWithOneLineBeforeTraining(@TempDir Path dir) {
        Path out = dir.resolve("never");
        assertArgumentError("unknown --arch 'vgg16' (choose one of resnet-mini, resnet18)",
                "--arch", "vgg16", "--out", out.toString());
        assertArgumentError("--epochs must be >= 1, got 0", "--epochs", "0", "--out",
                out.toString());
        assertArgumentError("--epochs must be >= 1, got -3", "--epochs", "-3", "--out",
                out.toString());
        String missing = dir.resolve("no-such-dir").toString();
        assertArgumentError("--data " + missing + ": Fashion-MNIST not found at the explicit path",
                "--data", missing, "--out", out.toString());
        assertArgumentError("--resume: no checkpoint at", "--resume", "--out", out.toString());
        assertArgumentError("--source-data: no directory", "--source-data", missing, "--out",
                out.toString());
        assertArgumentError("give either --data or --source-data, not both", "--data",
                "fashion-mnist", "--source-data", dir.toString(), "--out", out.toString());
        assertArgumentError("--source-data " + dir + ": image folder " + dir + " needs train/",
                "--source-data", dir.toString(), "--out", out.toString());
        assertFalse(Files.exists(out), "an argument error must not create " + out);
    }

    private static void assertArgumentError(String message, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "pretrain";
        System.arraycopy(args, 0, all, 1, args.length);
        CliRun r = run(all);
        assertEquals(2, r.code(), "exit code of " + String.join(" ", all) + "; stderr " + r.err());
        assertTrue(r.err().startsWith("pretrain: " + message), r.err());
        assertEquals(1, r.err().lines().count(), "one line expected:\n" + r.err());
    }

    @Test
    void aTinyRunWritesWeightsThatLoadStrictlyAndAManifestAndResumes(@TempDir Path dir)
            throws IOException {
        CliRun r = run("pretrain", "--limit", "20", "--epochs", "1", "--batch-size", "32", "--out",
                dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test accuracy"), r.out());
        Path model = dir.resolve(PretrainCommand.MODEL_FILE);
        ResNet fresh = new ResNet(ResNetConfig.resnetMini(1, 5), Rng.seeded(123));
        LoadReport report = StateDicts.load(fresh, Safetensors.read(model).tensors(), true);
        assertTrue(report.clean(), report.describe());

        String manifest = Files.readString(dir.resolve(PretrainCommand.MANIFEST_FILE));
        for (String field : new String[] {"\"seed\": 0", "\"code_version\": \"dev\"",
            "\"batch_size\": 32", "\"lr\": 0.1", "\"weight_decay\": 5.0E-4", "\"backend\": ",
            "\"train_images\": 90", "\"validation_images\": 10", "\"test_images\": 100",
            "\"test_accuracy\": ", "\"seconds_per_epoch\": ", "\"model_sha256\": ",
            "\"resumed\": false"}) {
            assertTrue(manifest.contains(field), field + " missing from\n" + manifest);
        }
        assertTrue(Files.isRegularFile(dir.resolve(PretrainCommand.CHECKPOINT_FILE)));

        CliRun more = run("pretrain", "--limit", "20", "--epochs", "2", "--batch-size", "32",
                "--out", dir.toString(), "--resume");
        assertEquals(0, more.code(), more.err());
        String resumed = Files.readString(dir.resolve(PretrainCommand.MANIFEST_FILE));
        assertTrue(resumed.contains("\"resumed\": true") && resumed.contains("\"epoch\": 1"),
                resumed);
    }
}
