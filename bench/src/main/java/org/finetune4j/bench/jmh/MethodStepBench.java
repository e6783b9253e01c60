package org.finetune4j.bench.jmh;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.methods.TransferMethod;
import org.finetune4j.methods.fitnets.FitNets;
import org.finetune4j.bench.cli.MethodCatalog;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-step cost of each transfer method on resnet-mini w1 (5 target classes): one call of
 * TransferMethod.step(batch) = forward(s), loss terms, backward, optimiser update. Divide each
 * method's ms/op by finetune's for its overhead relative to plain fine-tuning. Every method is
 * built by cli.MethodCatalog, as the command line builds it; the same fixed batch is stepped on
 * every invocation.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/finetune4j.jar jmh MethodStepBench
 * Threads(1): the engine itself runs Parallel's pool. Not final: JMH subclasses @State classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC",
        "-Xmx8g"})
@Threads(1)
public class MethodStepBench {
    static final int TARGET_CLASSES = 5;
    static final int FITNETS_EPOCHS = 4;
    static final int IMAGE_SIZE = 28;
    static final long SEED = 0;

    @Param({"finetune", "scratch", "linear-probe", "freeze-k", "l2", "l2sp", "delta",
            "fitnets-hint", "fitnets-ce"})
    public String method;

    @Param({"64"})
    public int batch;

    private TransferMethod m;
    private Batch data;

    @Setup
    public void setup() {
        Rng rng = Rng.seeded(42);
        // A seeded random network stands in for the shipped checkpoint: a step's cost depends on
        // the shapes and on which parameters are frozen, not on the weights' values.
        ResNet pretrained = new ResNet(ResNetConfig.resnetMini(1, TARGET_CLASSES), Rng.seeded(0));
        data = randomBatch(rng);
        m = build(method, pretrained, rng);
    }

    @Benchmark
    public LossTerms step() {
        return m.step(data);
    }

    /** Unit-variance images (batch, 1, 28, 28), like normalised Fashion-MNIST; labels 0..4. */
    private Batch randomBatch(Rng rng) {
        Tensor images = Tensor.normal(rng, 0f, 1f, batch, 1, IMAGE_SIZE, IMAGE_SIZE);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(TARGET_CLASSES);
        return new Batch(images, labels);
    }

    /**
     * cli.MethodCatalog's method; the two FitNets names pin the stage step() runs (4 epochs at
     * the default hint share 0.25 = 1 hint epoch, so after one advanceEpoch() it is stage 2).
     * DELTA's probe epoch and attention pass see two random batches.
     */
    private TransferMethod build(String name, ResNet pretrained, Rng rng) {
        boolean fitnets = name.startsWith("fitnets");
        Tensor images = Tensor.normal(rng, 0f, 1f, 2 * batch, 1, IMAGE_SIZE, IMAGE_SIZE);
        int[] labels = new int[2 * batch];
        for (int i = 0; i < labels.length; i++) labels[i] = i % TARGET_CLASSES;
        List<String> classes = List.of("0", "1", "2", "3", "4");
        Dataset train = new Dataset(images, labels, classes);
        TransferMethod m = MethodCatalog.build(fitnets ? "fitnets" : name, pretrained, train,
                FITNETS_EPOCHS, batch, SEED, Map.of());
        if (name.equals("fitnets-ce")) ((FitNets) m).advanceEpoch();
        return m;
    }
}
