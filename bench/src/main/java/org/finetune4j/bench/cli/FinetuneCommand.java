package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.finetune4j.nn.io.JsonText;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.tensor.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code finetune4j finetune}: one method, one target budget, one seed. Loads the pre-trained
 * resnet-mini, fine-tunes it on k labelled images per target class (Fashion-MNIST 5-9) and prints
 * the target test accuracy; --out DIR also writes DIR/manifest.json. Exit codes: 0 done, 1 I/O
 * failed, 2 bad arguments: one line on stderr, before any training (data and checkpoint are
 * loaded during the check, so an unreadable file is also an argument error).
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune the pre-trained network on the target classes (Fashion-MNIST"
                + " 5-9) with one transfer-learning method and print the test accuracy.")
public final class FinetuneCommand implements Callable<Integer> {
    static final String MANIFEST_FILE = "manifest.json";

    @Option(names = "--method", description = "one of " + "scratch, finetune, linear-probe,"
            + " freeze-k, l2, l2sp, delta, fitnets (default: ${DEFAULT-VALUE})")
    String method = "finetune";

    @Option(names = "--budget", paramLabel = "N", description = "labelled training images per"
            + " target class (default: ${DEFAULT-VALUE})")
    int budget = 10;

    @Option(names = "--seed", description = "seed of the k-shot draw, head, data order"
            + " (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--epochs", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs = 10;

    @Option(names = "--batch-size", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batchSize = 16;

    @Option(names = "--freeze-stages", paramLabel = "K", description = "stages frozen by"
            + " freeze-k, besides the stem (default: ${DEFAULT-VALUE})")
    int freezeK = 2;

    @Option(names = "--checkpoint", paramLabel = "PATH", description = "pre-trained resnet-mini"
            + " w1 safetensors (default: the checkpoint shipped in the nn jar)")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "SOURCE", description = "embedded, fashion-mnist"
            + " (Debian's files or $FASHION_MNIST_DIR), or a directory with the four IDX files"
            + " (default: ${DEFAULT-VALUE})")
    String data = PretrainData.EMBEDDED;

    @Option(names = "--out", paramLabel = "DIR", description = "also write DIR/" + MANIFEST_FILE)
    Path out;

    @Override
    public Integer call() {
        String problem = checkArguments();
        if (problem != null) {
            System.err.println("finetune: " + problem);
            return 2;
        }
        ResNet pretrained;
        FineTuning.TargetData target;
        try {
            pretrained = FineTuning.loadPretrained(checkpoint);
        } catch (IOException | RuntimeException e) {
            System.err.println("finetune: --checkpoint " + (checkpoint == null ? "(shipped)"
                    : checkpoint) + ": " + e.getMessage());
            return 2;
        }
        try {
            target = FineTuning.TargetData.load(data, budget, seed);
        } catch (IllegalArgumentException e) {
            System.err.println("finetune: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("finetune: --data " + data + ": " + e.getMessage());
            return 2;
        }
        FineTuning.Settings s = new FineTuning.Settings(epochs, batchSize, seed, freezeK);
        FineTuning.Result r = FineTuning.run(method, pretrained, target, s);
        System.out.printf(Locale.ROOT, "%s: test accuracy %.2f%% on %d images after %d epochs"
                        + " over %d images (%d per class); %.1f s; last step %s%n", method,
                100 * r.accuracy(), r.testImages(), epochs, r.trainImages(), budget, r.seconds(),
                r.lastTerms());
        if (out == null) return 0;
        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve(MANIFEST_FILE), JsonText.write(manifest(r, target)),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("finetune: " + e.getMessage());
            return 1;
        }
        System.out.println("wrote " + out.resolve(MANIFEST_FILE));
        return 0;
    }

    /** One line describing the first bad argument that needs no file, or null. */
    private String checkArguments() {
        if (!FineTuning.METHODS.contains(method)) {
            return "unknown --method '" + method + "' (choose one of "
                    + String.join(", ", FineTuning.METHODS) + ")";
        }
        if (budget < 1) return "--budget must be >= 1, got " + budget;
        if (epochs < 1) return "--epochs must be >= 1, got " + epochs;
        if (batchSize < 1) return "--batch-size must be >= 1, got " + batchSize;
        if (freezeK < 0 || freezeK > 3) return "--freeze-stages must be in 0..3, got " + freezeK;
        if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
            return "--checkpoint: no file " + checkpoint;
        }
        try {
            PretrainData.check(data);
        } catch (IOException e) {
            return "--data " + data + ": " + e.getMessage();
        }
        return null;
    }

    private Map<String, Object> manifest(FineTuning.Result r, FineTuning.TargetData target) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "finetune4j-finetune-manifest-1");
        m.put("created", Instant.now().toString());
        m.put("code_version", PretrainCommand.codeVersion());
        m.put("java", System.getProperty("java.version"));
        m.put("backend", Backends.cpu().describe());
        m.put("method", method);
        m.put("description", r.description());
        m.put("checkpoint", checkpoint == null ? "shipped resnet-mini-w1-fmnist-src"
                : checkpoint.toString());
        m.put("data", target.source());
        m.put("task", "target: Fashion-MNIST classes 5-9 (Splits.target), labels 0-4");
        m.put("budget_per_class", budget);
        m.put("seed", seed);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        if (method.equals("freeze-k")) m.put("freeze_stages", freezeK);
        m.put("train_images", r.trainImages());
        m.put("test_images", r.testImages());
        m.put("test_accuracy", r.accuracy());
        m.put("last_loss_terms", r.lastTerms() == null ? Map.of()
                : new LinkedHashMap<>(r.lastTerms().asMap()));
        m.put("wall_seconds", r.seconds());
        return m;
    }
}
