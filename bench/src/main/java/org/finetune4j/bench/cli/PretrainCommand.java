package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.finetune4j.nn.data.Augment;
import org.finetune4j.nn.data.Normalize;
import org.finetune4j.nn.io.Safetensors;
import org.finetune4j.nn.loss.CrossEntropyLoss;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.nn.resnet.Stem;
import org.finetune4j.nn.schedule.CosineLr;
import org.finetune4j.nn.train.Evaluation;
import org.finetune4j.nn.io.JsonText;
import org.finetune4j.nn.train.LoggingListener;
import org.finetune4j.nn.train.MetricHistory;
import org.finetune4j.nn.train.NonFiniteLossException;
import org.finetune4j.nn.train.TrainConfig;
import org.finetune4j.nn.train.Trainer;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code finetune4j pretrain}: trains a ResNet on the source task (Fashion-MNIST classes 0-4)
 * with SGD + momentum and a per-epoch cosine schedule, then writes DIR/model.safetensors (the
 * state dict under PyTorch's names) and DIR/manifest.json (seed, split, every hyper-parameter,
 * code version, backend, metrics per epoch, test accuracy). DIR/checkpoint.safetensors is the
 * training state after the last finished epoch, for --resume. Exit codes: 0 done, 1 training
 * or I/O failed (NaN/Inf loss), 2 bad arguments: one line on stderr, before any training (with
 * --resume, also a checkpoint that other arguments wrote).
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pre-train a ResNet on Fashion-MNIST classes 0-4 (the source task) and"
                + " write DIR/model.safetensors and DIR/manifest.json.",
            "Progress: a bar on a terminal, one log line per epoch otherwise."})
public final class PretrainCommand implements Callable<Integer> {
    static final String MODEL_FILE = "model.safetensors";
    static final String MANIFEST_FILE = "manifest.json";
    static final String CHECKPOINT_FILE = "checkpoint.safetensors";
    static final int DEFAULT_EPOCHS = 10;              // about 75 s on 2 cores (embedded data)
    private static final List<String> ARCHS = List.of("resnet-mini", "resnet18");

    @Option(names = "--data", paramLabel = "SOURCE", description = "embedded (the subset bundled"
            + " in the jar), fashion-mnist (Debian's files or $FASHION_MNIST_DIR), or a directory"
            + " with the four IDX files (default: ${DEFAULT-VALUE})")
    String data = PretrainData.EMBEDDED;

    @Option(names = "--source-data", paramLabel = "DIR", description = "your own source task"
            + " instead: DIR/train/CLASS/*.png|jpg and DIR/test/CLASS/*, read as 28x28 gray")
    Path sourceData;

    @Option(names = "--arch", description = "resnet-mini or resnet18, both with the 3x3 stride-1"
            + " stem for 28x28 inputs (default: ${DEFAULT-VALUE})")
    String arch = "resnet-mini";

    @Option(names = "--width", description = "width multiplier w (default: ${DEFAULT-VALUE})")
    int width = 1;

    @Option(names = "--epochs", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs = DEFAULT_EPOCHS;

    @Option(names = "--batch-size", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batchSize = 64;

    @Option(names = "--lr", description = "base learning rate, cosine-annealed to 0 over the"
            + " epochs (default: ${DEFAULT-VALUE})")
    double lr = 0.1;

    @Option(names = "--momentum", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum = 0.9;

    @Option(names = "--weight-decay", description = "L2 weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay = 5e-4;

    @Option(names = "--val-fraction", description = "share of each class held out for"
            + " validation (default: ${DEFAULT-VALUE})")
    double valFraction = 0.1;

    @Option(names = "--crop-padding", description = "random-crop padding in pixels, 0 for none"
            + " (default: ${DEFAULT-VALUE})")
    int cropPadding = 2;

    @Option(names = "--no-flip", description = "no random horizontal flips")
    boolean noFlip;

    @Option(names = "--seed", description = "seed of initialisation, split, data order and"
            + " augmentation (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory"
            + " (default: runs/pretrain-<arch>)")
    Path out;

    @Option(names = "--resume", description = "continue from DIR/" + CHECKPOINT_FILE
            + ", written after every epoch")
    boolean resume;

    @Option(names = "--limit", hidden = true, description = "keep at most N images per class of"
            + " each split (tests)")
    int limit;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        String problem = checkArguments();
        if (problem != null) {
            System.err.println("pretrain: " + problem);
            return 2;
        }
        Path dir = out != null ? out : Path.of("runs", "pretrain-" + arch);
        PretrainData split;
        try {
            split = PretrainData.load(data, sourceData, valFraction, seed, limit);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("pretrain: " + (sourceData != null ? "--source-data "
                    + sourceData : "--data " + data) + ": " + e.getMessage());
            return 2;
        }
        try {
            return train(split, dir, start);
        } catch (NonFiniteLossException e) {
            System.err.println("pretrain: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("pretrain: " + e.getMessage());
            return 1;
        }
    }

    /** One line describing the first bad argument, or null. */
    private String checkArguments() {
        if (!ARCHS.contains(arch)) {
            return "unknown --arch '" + arch + "' (choose one of " + String.join(", ", ARCHS) + ")";
        }
        if (width < 1) return "--width must be >= 1, got " + width;
        if (epochs < 1) return "--epochs must be >= 1, got " + epochs;
        if (batchSize < 1) return "--batch-size must be >= 1, got " + batchSize;
        if (!(lr > 0) || Double.isInfinite(lr)) return "--lr must be a positive number, got " + lr;
        if (!(momentum >= 0 && momentum < 1)) {
            return "--momentum must be in [0, 1), got " + momentum;
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            return "--weight-decay must be >= 0, got " + weightDecay;
        }
        if (!(valFraction > 0 && valFraction < 1)) {
            return "--val-fraction must be in (0, 1), got " + valFraction;
        }
        if (cropPadding < 0) return "--crop-padding must be >= 0, got " + cropPadding;
        if (limit < 0) return "--limit must be >= 0, got " + limit;
        if (sourceData != null && !data.equals(PretrainData.EMBEDDED)) {
            return "give either --data or --source-data, not both";
        }
        if (sourceData != null && !Files.isDirectory(sourceData)) {
            return "--source-data: no directory " + sourceData;
        }
        try {
            if (sourceData == null) PretrainData.check(data);
        } catch (IOException e) {
            return "--data " + data + ": " + e.getMessage();
        }
        Path dir = out != null ? out : Path.of("runs", "pretrain-" + arch);
        if (resume && !Files.isRegularFile(dir.resolve(CHECKPOINT_FILE))) {
            return "--resume: no checkpoint at " + dir.resolve(CHECKPOINT_FILE);
        }
        return null;
    }

    private ResNetConfig config(int classes) {
        ResNetConfig c = arch.equals("resnet18")
                ? ResNetConfig.resnet18(classes, Stem.SMALL).withInChannels(1)
                : ResNetConfig.resnetMini(1, classes);
        return new ResNetConfig(c.block(), c.blocksPerStage(), c.stageWidths(), width, c.stem(),
                c.inChannels(), c.classes());
    }

    private int train(PretrainData split, Path dir, long start) throws IOException {
        Files.createDirectories(dir);
        ResNetConfig cfg = config(split.train().numClasses());
        ResNet net = new ResNet(cfg, Rng.seeded(seed));
        net.to(Backends.defaultDevice());              // -Dfinetune4j.device / FINETUNE4J_DEVICE
        Sgd sgd = new Sgd(List.of(ParamGroup.of(net, lr, weightDecay)),
                Sgd.Options.momentum(momentum));
        Augment augment = new Augment(cropPadding, !noFlip);
        TrainConfig tc = TrainConfig.of(epochs, batchSize, seed).withAugment(augment)
                .withNormalize(Normalize.FASHION_MNIST).withPrefetch(2)
                .withCheckpoint(dir.resolve(CHECKPOINT_FILE));
        Trainer trainer = new Trainer(net, sgd, new CosineLr(epochs, 0),
                new CrossEntropyLoss()::forward, tc);
        boolean terminal = System.console() != null;
        ProgressBarListener bar = terminal ? new ProgressBarListener(System.err) : null;
        trainer.addListener(terminal ? bar : new LoggingListener());
        System.err.printf(Locale.ROOT, "pretrain %s w=%d (%,d parameters) on %d images, %d epochs;"
                        + " backend %s%n", arch, width, net.parameterCount(), split.train().size(),
                epochs, Backends.cpu().describe());
        if (resume) {
            try {
                trainer.resumeFrom(dir.resolve(CHECKPOINT_FILE));
            } catch (IOException | IllegalArgumentException | IllegalStateException e) {
                System.err.println("pretrain: --resume: " + e.getMessage().lines().findFirst()
                        .orElse(e.toString()));       // other arguments than the killed run's
                return 2;
            }
        }
        MetricHistory history;
        try {
            history = trainer.fit(split.train(), split.validation());
        } finally {
            if (bar != null) bar.close();
        }
        Evaluation test = trainer.evaluate(split.test());
        Path model = dir.resolve(MODEL_FILE);
        Map<String, String> meta = new LinkedHashMap<>();     // ordered: the file is reproducible
        meta.put("format", "pt");
        meta.put("finetune4j.arch", arch + "-w" + width);
        meta.put("finetune4j.classes", "5");
        Safetensors.write(model, net.stateDict(), meta);
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, Object> manifest =
                manifest(cfg, net, split, augment, history, test, model, wall);
        Files.writeString(dir.resolve(MANIFEST_FILE), JsonText.write(manifest),
                StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "test accuracy %.2f%% (loss %.4f) on %d images;"
                        + " %.1f s per epoch; wrote %s and %s%n", 100 * test.accuracy(),
                test.loss(), test.count(), history.meanSeconds(), model,
                dir.resolve(MANIFEST_FILE));
        return 0;
    }

    private Map<String, Object> manifest(ResNetConfig cfg, ResNet net, PretrainData split,
                                         Augment augment, MetricHistory history, Evaluation test,
                                         Path model, double wall) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "finetune4j-pretrain-manifest-1");
        m.put("created", Instant.now().toString());
        m.put("code_version", codeVersion());
        m.put("java", System.getProperty("java.version"));
        m.put("backend", Backends.cpu().describe());
        m.put("seed", seed);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("name", arch);
        a.put("width", width);
        a.put("stem", cfg.stem().name());
        a.put("in_channels", cfg.inChannels());
        a.put("classes", cfg.classes());
        a.put("parameters", net.parameterCount());
        m.put("architecture", a);
        m.put("data", split.description());
        Map<String, Object> norm = new LinkedHashMap<>();
        norm.put("mean", Normalize.FASHION_MNIST.mean());
        norm.put("std", Normalize.FASHION_MNIST.std());
        m.put("normalize", norm);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("epochs", epochs);
        h.put("batch_size", batchSize);
        h.put("optimizer", "SGD (PyTorch semantics), momentum " + momentum + ", dampening 0,"
                + " no Nesterov");
        h.put("lr", lr);
        h.put("momentum", momentum);
        h.put("weight_decay", weightDecay);
        h.put("schedule", "cosine per epoch, t_max = epochs, eta_min 0");
        h.put("loss", "cross-entropy");
        h.put("augment_crop_padding", augment.cropPadding());
        h.put("augment_horizontal_flip", augment.horizontalFlip());
        h.put("val_fraction", valFraction);
        m.put("hyper_parameters", h);
        m.put("resumed", resume);
        m.put("metrics", history.toMaps());
        Map<String, Object> f = new LinkedHashMap<>();
        if (!history.isEmpty()) f.put("validation_accuracy", history.last().valAccuracy());
        f.put("test_loss", test.loss());
        f.put("test_accuracy", test.accuracy());
        f.put("test_per_class_accuracy", test.perClassAccuracy());
        f.put("test_confusion", test.confusion());
        m.put("final", f);
        m.put("seconds_per_epoch", history.meanSeconds());
        m.put("wall_seconds", wall);
        m.put("model_file", MODEL_FILE);
        m.put("model_sha256", sha256(model));
        return m;
    }

    /** The jar manifest's Implementation-Version, "dev" when run from classes. */
    static String codeVersion() {
        String v = PretrainCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static String sha256(Path file) throws IOException {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
