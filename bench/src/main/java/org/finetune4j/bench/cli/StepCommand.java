package org.finetune4j.bench.cli;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.finetune4j.bench.jmh.ResNetMini;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A quick timing report of the resnet-mini training step on synthetic data (no data needed):
 * warm-up steps, then timed repeats, printing median and range of images/s. JMH's TrainStepBench
 * measures the same step with proper forking; this is the fast look.
 */
@Command(name = "step", mixinStandardHelpOptions = true,
        description = "Time the resnet-mini training step (forward, cross-entropy, backward, SGD momentum).")
public final class StepCommand implements Callable<Integer> {
    @Option(names = "--width", description = "width multiplier w (default: ${DEFAULT-VALUE})")
    int width = 1;

    @Option(names = "--batch", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch = 64;

    @Option(names = "--warmup", description = "untimed steps first (default: ${DEFAULT-VALUE})")
    int warmup = 10;

    @Option(names = "--steps", description = "timed steps (default: ${DEFAULT-VALUE})")
    int steps = 20;

    @Option(names = "--seed", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed = 42;

    @Override
    public Integer call() {
        if (width < 1 || batch < 1 || warmup < 0 || steps < 1) {
            System.err.println("step: --width, --batch and --steps must be >= 1 and --warmup >= 0");
            return 2;
        }
        Rng rng = Rng.seeded(seed);
        ResNetMini net = new ResNetMini(width, 10, rng);
        List<Tensor> momentum = net.zeroMomentum();
        Tensor images = Tensor.normal(rng, 0f, 1f, batch, 1, 28, 28);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(10);
        System.out.printf("resnet-mini w=%d (%,d parameters), batch %d, backend %s%n", width,
                net.parameterCount(), batch, Backends.cpu().describe());
        for (int i = 0; i < warmup; i++) net.trainStep(images, labels, momentum, 0.01f, 0.9f);
        double[] ips = new double[steps];
        float loss = 0;
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            loss = net.trainStep(images, labels, momentum, 0.01f, 0.9f);
            ips[i] = batch / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(ips);
        System.out.printf("training step: median %.1f img/s (min %.1f, max %.1f) over %d steps; last loss %.4f%n",
                ips[steps / 2], ips[0], ips[steps - 1], steps, loss);
        return 0;
    }
}
