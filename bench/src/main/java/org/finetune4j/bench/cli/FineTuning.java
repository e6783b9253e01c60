package org.finetune4j.bench.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.methods.TransferMethod;
import org.finetune4j.methods.fitnets.FitNets;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.data.Loader;
import org.finetune4j.nn.data.Normalize;
import org.finetune4j.nn.io.LoadReport;
import org.finetune4j.nn.io.Safetensors;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.nn.train.Evaluation;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backends;

/**
 * One fine-tuning run shared by {@code finetune}, {@code compare} and {@code demo}: builds a
 * method by name from the pre-trained resnet-mini (its head replaced by a fresh one for the target
 * classes), trains it with the method's own step() for N epochs over a k-shot training set at the
 * method's constant learning rate, records the training curve (epoch-mean loss terms, validation
 * accuracy at a few epochs), then scores the validation and test splits.
 */
final class FineTuning {
    static final List<String> METHODS = MethodCatalog.METHODS;
    static final String SHIPPED = "/org/finetune4j/nn/pretrained/resnet-mini-w1-fmnist-src/"
            + "model.safetensors";
    private static final int EVAL_BATCH = 256;

    private FineTuning() {}

    /**
     * What one run is trained with. hyper: the method's values (HyperParameters names; missing
     * ones take their defaults). evalPoints: how many epochs (evenly spaced, the last included)
     * get a validation score in the curve.
     */
    record Settings(int epochs, int batchSize, long seed, Map<String, Double> hyper,
                    int evalPoints, LrDecay lrDecay) {
        Settings {
            hyper = Map.copyOf(hyper);
        }
    }

    /**
     * The learning-rate schedule over a run: constant, or the step decay of the L2-SP and DELTA
     * papers (×0.1 for the last third of the epochs; shared/methods/l2sp.md, delta.md).
     */
    enum LrDecay {
        NONE, STEP;

        /** The factor on the configured rates in epoch e (0-based) of epochs. */
        double factor(int e, int epochs) {
            return this == STEP && e >= Math.ceil(2.0 * epochs / 3) ? 0.1 : 1.0;
        }

        static LrDecay parse(String s) {
            String problem = problem(s);
            if (problem != null) throw new IllegalArgumentException(problem);
            return s.equals("step") ? STEP : NONE;
        }

        /** The one-line argument error for --lr-decay s, or null when s is valid. */
        static String problem(String s) {
            return s.equals("none") || s.equals("step") ? null
                    : "--lr-decay must be none or step, got '" + s + "'";
        }

        String describe() {
            return this == NONE ? "none" : "step: x0.1 from epoch ceil(2/3 epochs)";
        }
    }

    /** Epoch-mean loss terms (one map per epoch); validation accuracy at valEpochs (1-based). */
    record Curve(List<Map<String, Double>> epochTerms, List<Integer> valEpochs,
                 List<Double> valAccuracy) {}

    /** One run's outcome; seconds = build + train + evaluate. */
    record Result(String method, String description, double testAccuracy, double valAccuracy,
                  double seconds, LossTerms lastTerms, int trainImages, int testImages,
                  Curve curve, double backboneDrift) {}

    /** A pre-trained network and its identity for manifests: "path (sha256 …)". */
    record Pretrained(ResNet net, String id) {}

    /**
     * The pre-trained source network on the default device; null checkpoint = the one shipped in
     * the nn jar.
     */
    static ResNet loadPretrained(Path checkpoint) throws IOException {
        return load(checkpoint).net();
    }

    /** Reads the checkpoint once: the network, and the hash that names it. */
    static Pretrained load(Path checkpoint) throws IOException {
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
        Map<String, Tensor> state = Safetensors.read(bytes).tensors();
        if (state.keySet().stream().anyMatch(k -> k.startsWith("optim."))) {
            throw new IOException("this is a training checkpoint (it holds optimiser state);"
                    + " pass the model.safetensors that pretrain wrote next to it");
        }
        Tensor head = state.get(ResNet.HEAD + ".weight");             // (source classes, 64)
        if (head == null || head.shape().rank() != 2) {
            throw new IOException("not a resnet-mini w1 state dict: no 2-d " + ResNet.HEAD
                    + ".weight");
        }
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, head.shape().dim(0)), Rng.seeded(0));
        LoadReport report = StateDicts.load(net, state, true);
        if (!report.clean()) {
            throw new IOException("not a resnet-mini w1 state dict: " + report.describe()
                    .lines().findFirst().orElse(""));
        }
        net.to(Backends.defaultDevice());          // -Dfinetune4j.device / FINETUNE4J_DEVICE
        String name = checkpoint == null ? "shipped resnet-mini-w1-fmnist-src"
                : checkpoint.toAbsolutePath().normalize().toString();
        return new Pretrained(net, name + " (sha256 " + sha256(bytes).substring(0, 16) + "…)");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** Builds, trains and evaluates one method on train; pretrained itself is never modified. */
    static Result run(String method, ResNet pretrained, TargetTask task, Dataset train,
                      Settings s) {
        long start = System.nanoTime();
        TransferMethod m = MethodCatalog.build(method, pretrained, train, s.epochs(),
                s.batchSize(), s.seed(), s.hyper());
        LossTerms last = null;
        List<Map<String, Double>> epochTerms = new ArrayList<>();
        List<Integer> valEpochs = evalEpochs(s.epochs(), s.evalPoints());
        List<Double> valAccuracy = new ArrayList<>();
        try (Loader loader = MethodCatalog.loader(train, s.batchSize(), s.seed())) {
            for (int e = 0; e < s.epochs(); e++) {
                m.scaleLearningRates(s.lrDecay().factor(e, s.epochs()));
                Map<String, Double> sums = new LinkedHashMap<>();
                int seen = 0;
                for (Batch b : loader.epoch(e)) {
                    last = m.step(b);
                    for (Map.Entry<String, Float> t : last.asMap().entrySet()) {
                        sums.merge(t.getKey(), (double) t.getValue() * b.size(), Double::sum);
                    }
                    sums.merge("total", (double) last.total() * b.size(), Double::sum);
                    seen += b.size();
                }
                final int n = seen;
                sums.replaceAll((k, v) -> v / n);
                epochTerms.add(sums);
                if (m instanceof FitNets f) f.advanceEpoch();
                if (valEpochs.contains(e + 1)) valAccuracy.add(evaluate(m, task.validation()));
            }
        }
        double val = valAccuracy.get(valAccuracy.size() - 1);
        Evaluation test = Evaluation.run(m.model(), task.test(), Normalize.FASHION_MNIST,
                EVAL_BATCH);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(method, m.description(), test.accuracy(), val, seconds, last,
                train.size(), test.count(), new Curve(epochTerms, valEpochs, valAccuracy),
                backboneDrift(pretrained, m.model()));
    }

    /**
     * ‖w − w⁰‖ / ‖w⁰‖ over the pre-trained backbone's parameters (every one the trained model
     * has under the same name and shape): how far training moved the transferred weights, the
     * quantity L2-SP and DELTA restrain. NaN when nothing matches (scratch has its own init, but
     * its names match, so its value reads as the distance from the source weights).
     */
    static double backboneDrift(ResNet pretrained, Module trained) {
        Map<String, Parameter> now = trained.namedParameters();
        double diff = 0;
        double base = 0;
        for (Map.Entry<String, Parameter> e : pretrained.backboneParameters().entrySet()) {
            Parameter p = now.get(e.getKey());
            Tensor w0 = e.getValue().value();
            if (p == null || !p.value().shape().equals(w0.shape())) continue;
            float[] a = p.value().toArray();
            float[] b = w0.toArray();
            for (int i = 0; i < a.length; i++) {
                diff += (double) (a[i] - b[i]) * (a[i] - b[i]);
                base += (double) b[i] * b[i];
            }
        }
        return base == 0 ? Double.NaN : Math.sqrt(diff / base);
    }

    /** points epochs (1-based) spread evenly over 1..epochs, always ending with the last. */
    static List<Integer> evalEpochs(int epochs, int points) {
        List<Integer> out = new ArrayList<>();
        int p = Math.max(1, Math.min(points, epochs));
        for (int k = 1; k <= p; k++) {
            int e = (int) Math.round((double) k * epochs / p);
            if (!out.contains(e)) out.add(e);
        }
        return out;
    }

    private static double evaluate(TransferMethod m, Dataset data) {
        return Evaluation.run(m.model(), data, Normalize.FASHION_MNIST, EVAL_BATCH).accuracy();
    }
}
