package org.finetune4j.bench.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.finetune4j.methods.Baseline;
import org.finetune4j.methods.BaselineConfig;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.methods.TransferMethod;
import org.finetune4j.methods.delta.ChannelAttention;
import org.finetune4j.methods.delta.Delta;
import org.finetune4j.methods.delta.DeltaConfig;
import org.finetune4j.methods.fitnets.FitNets;
import org.finetune4j.methods.fitnets.FitNetsConfig;
import org.finetune4j.methods.l2sp.L2sp;
import org.finetune4j.methods.l2sp.L2spConfig;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.data.FashionMnist;
import org.finetune4j.nn.data.Loader;
import org.finetune4j.nn.data.Normalize;
import org.finetune4j.nn.data.Splits;
import org.finetune4j.nn.io.LoadReport;
import org.finetune4j.nn.io.Safetensors;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.nn.train.Evaluation;
import org.finetune4j.tensor.Rng;

/**
 * One fine-tuning run shared by {@code finetune} and {@code demo}: builds a method by name from
 * the pre-trained resnet-mini (its head replaced by a fresh 5-class one), trains it with the
 * method's own step() for N epochs over the k-shot target set, then scores the target test
 * split. Target task: Fashion-MNIST classes 5-9, labels 0-4 (Splits.target).
 */
final class FineTuning {
    static final List<String> METHODS = List.of("scratch", "finetune", "linear-probe",
            "freeze-k", "l2", "l2sp", "delta", "fitnets");
    static final String SHIPPED = "/org/finetune4j/nn/pretrained/resnet-mini-w1-fmnist-src/"
            + "model.safetensors";
    static final int TARGET_CLASSES = 5;
    private static final int ATTENTION_BATCHES = 2;

    private FineTuning() {}

    /** What one run is trained with; freezeK only matters for freeze-k. */
    record Settings(int epochs, int batchSize, long seed, int freezeK) {}

    /** Target test accuracy, wall seconds of build + train + evaluate, the last step's terms. */
    record Result(String method, String description, double accuracy, double seconds,
                  LossTerms lastTerms, int trainImages, int testImages) {}

    /** k-shot target training set and the full target test split. */
    record TargetData(Dataset train, Dataset test, String source) {
        static TargetData load(String data, int budget, long seed) throws IOException {
            Path dir = PretrainData.check(data);
            Dataset train = dir == null ? FashionMnist.embedded(FashionMnist.Split.TRAIN)
                    : FashionMnist.load(dir, FashionMnist.Split.TRAIN);
            Dataset test = dir == null ? FashionMnist.embedded(FashionMnist.Split.TEST)
                    : FashionMnist.load(dir, FashionMnist.Split.TEST);
            Dataset target = Splits.target(train);
            int smallest = Integer.MAX_VALUE;
            for (int c : target.classCounts()) smallest = Math.min(smallest, c);
            if (budget > smallest) {
                throw new IllegalArgumentException("--budget " + budget + " exceeds the smallest"
                        + " target class (" + smallest + " images)");
            }
            return new TargetData(Splits.kShot(target, budget, seed), Splits.target(test),
                    dir == null ? "embedded" : dir.toString());
        }
    }

    /** The pre-trained 5-class source network; null checkpoint = the one shipped in the nn jar. */
    static ResNet loadPretrained(Path checkpoint) throws IOException {
        byte[] bytes;
        if (checkpoint == null) {
            try (InputStream in = FineTuning.class.getResourceAsStream(SHIPPED)) {
                if (in == null) throw new IOException("shipped checkpoint " + SHIPPED + " missing");
                bytes = in.readAllBytes();
            }
        } else {
            if (!Files.isRegularFile(checkpoint)) throw new IOException("no file " + checkpoint);
            bytes = Files.readAllBytes(checkpoint);
        }
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, 5), Rng.seeded(0));
        LoadReport report = StateDicts.load(net, Safetensors.read(bytes).tensors(), true);
        if (!report.clean()) {
            throw new IOException("not a resnet-mini w1 state dict: " + report.describe()
                    .lines().findFirst().orElse(""));
        }
        return net;
    }

    /** Builds, trains and evaluates one method; pretrained itself is never modified. */
    static Result run(String method, ResNet pretrained, TargetData data, Settings s) {
        long start = System.nanoTime();
        TransferMethod m = build(method, pretrained, data, s);
        LossTerms last = null;
        try (Loader loader = loader(data.train(), s.batchSize(), s.seed())) {
            for (int e = 0; e < s.epochs(); e++) {
                for (Batch b : loader.epoch(e)) last = m.step(b);
                if (m instanceof FitNets f) f.advanceEpoch();
            }
        }
        Evaluation ev = Evaluation.run(m.model(), data.test(), Normalize.FASHION_MNIST, 256);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(method, m.description(), ev.accuracy(), seconds, last,
                data.train().size(), ev.count());
    }

    private static Loader loader(Dataset d, int batchSize, long seed) {
        return Loader.builder(d, batchSize).shuffle(true).seed(seed)
                .normalize(Normalize.FASHION_MNIST).build();
    }

    /** The pre-trained backbone with a fresh target head (seeded), as every method starts. */
    private static ResNet withTargetHead(ResNet pretrained, long seed) {
        ResNet net = pretrained.copy();
        net.replaceHead(TARGET_CLASSES, Rng.seeded(seed));
        return net;
    }

    private static TransferMethod build(String method, ResNet pretrained, TargetData data,
                                        Settings s) {
        BaselineConfig bc = BaselineConfig.defaults();
        switch (method) {
            case "scratch":
                return Baseline.scratch(ResNetConfig.resnetMini(1, TARGET_CLASSES),
                        Rng.seeded(s.seed()), bc);
            case "finetune":
                return Baseline.fineTune(withTargetHead(pretrained, s.seed()), bc);
            case "linear-probe":
                return Baseline.linearProbe(withTargetHead(pretrained, s.seed()), bc);
            case "freeze-k":
                return Baseline.freezeStages(withTargetHead(pretrained, s.seed()), s.freezeK(),
                        bc);
            case "l2":
                return Baseline.explicitL2(withTargetHead(pretrained, s.seed()),
                        L2spConfig.defaults());
            case "l2sp":
                return new L2sp(withTargetHead(pretrained, s.seed()), L2spConfig.defaults());
            case "delta":
                return delta(pretrained, data, s);
            case "fitnets":
                // stage 1 (hints) takes a quarter of the epochs, as in the paper's schedule
                return FitNets.crossTask(pretrained.copy(), withTargetHead(pretrained, s.seed()),
                        28, FitNetsConfig.defaults().withHintEpochs(s.epochs() / 4),
                        Rng.seeded(s.seed()));
            default:
                throw new IllegalArgumentException("unknown method '" + method + "'");
        }
    }

    /**
     * DELTA's attention needs a head that already means something on the target task: a copy
     * is linear-probed for one epoch, then the channel scores are taken on two target batches.
     */
    private static TransferMethod delta(ResNet pretrained, TargetData data, Settings s) {
        DeltaConfig cfg = DeltaConfig.defaults();
        Baseline probe = Baseline.linearProbe(withTargetHead(pretrained, s.seed()),
                BaselineConfig.defaults());
        List<Batch> batches = new ArrayList<>();
        try (Loader loader = loader(data.train(), s.batchSize(), s.seed())) {
            for (Batch b : loader.epoch(0)) {
                probe.step(b);
                if (batches.size() < ATTENTION_BATCHES) batches.add(b);
            }
        }
        ResNet probed = probe.model();
        probed.setTrainable(true);
        probed.freezeBatchNormStatistics(false);
        return new Delta(probed, ChannelAttention.compute(probed, batches, cfg.temperature()),
                cfg);
    }
}
