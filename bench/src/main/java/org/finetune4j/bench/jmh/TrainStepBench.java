package org.finetune4j.bench.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Variable;
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
 * resnet-mini training step (forward, cross-entropy, backward, SGD momentum 0.9) at batch 64,
 * the workload of ../shared/anchors torch_bench.py "train". Images/s = 64 / (ms per op / 1000).
 * Threads(1): the engine itself runs Parallel's pool of 2 workers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 7, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g"})
@Threads(1)
public class TrainStepBench {
    static final int BATCH = 64;

    @Param({"1", "2"})
    public int width;

    private ResNetMini net;
    private List<Tensor> momentum;
    private Tensor images;
    private int[] labels;

    @Setup
    public void setup() {
        Rng rng = Rng.seeded(42);
        net = new ResNetMini(width, 10, rng);
        momentum = net.zeroMomentum();
        images = Tensor.normal(rng, 0f, 1f, BATCH, 1, 28, 28);
        labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = rng.nextInt(10);
    }

    @Benchmark
    public float trainStep() {
        return net.trainStep(images, labels, momentum, 0.01f, 0.9f);
    }

    @Benchmark
    public float inference() {
        try (NoGrad ignored = NoGrad.enter()) {
            Variable logits = net.forward(Variable.constant(images));
            return logits.value().data()[0];
        }
    }
}
