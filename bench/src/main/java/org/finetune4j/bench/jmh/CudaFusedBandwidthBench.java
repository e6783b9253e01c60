package org.finetune4j.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.FusedKernels.GateResult;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory bandwidth of the fused transfer-method kernels on cuda:0: weighted feature distance
 * (DELTA / L2-SP feature terms) forward and backward, the Gumbel-softmax gate (SpotTune,
 * AdaFilter) forward and backward, and the gated blend forward and backward, on feature maps
 * s, t, a, b of shape (n, c, h, w) = 64x64x28x28 and 256x256x14x14 (N = n·c·h·w floats).
 * Secondary result "gb" is GB/s: the least float32 traffic an op must make (below), counted per
 * call, per second. Every call ends with a one-float download (it waits for the stream) and
 * frees its outputs at once (CudaBenches.release).
 *   wfdForward   read s, t; write out (n)                         8·N bytes (+ weights, out)
 *   wfdBackward  read s, t; write ds, dt (dOut, w, dw are small)  16·N bytes
 *   blendForward read a, b; write y (g is small)                  12·N bytes
 *   blendBackward read dy, a, b; write da, db                     20·N bytes
 *   gateForward  read logits, noise; write soft, out (R·k each)   16·R·k bytes
 *   gateBackward read dOut, soft; write dLogits                   12·R·k bytes
 * The gate has R = n·c rows of k = 2 choices (one gate per sample and channel, AdaFilter's).
 * Run: java -cp finetune4j.jar org.openjdk.jmh.Main CudaFusedBandwidthBench
 * Not final: JMH generates subclasses of its @State classes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Threads(1)
public class CudaFusedBandwidthBench {
    private static final int GATE_CHOICES = 2;

    /** Feature map shapes (n, c, h, w): a mid-network and a late-network map of resnet-mini. */
    public enum Maps {
        N64_C64_28X28(64, 64, 28, 28),
        N256_C256_14X14(256, 256, 14, 14);

        final int n, c, h, w;

        Maps(int n, int c, int h, int w) {
            this.n = n;
            this.c = c;
            this.h = h;
            this.w = w;
        }

        long elements() {
            return (long) n * c * h * w;
        }
    }

    /** GB moved, reported by JMH per second of measurement, i.e. as GB/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Traffic {
        public double gb;

        @Setup(Level.Iteration)
        public void reset() {
            gb = 0;
        }
    }

    @Param
    public Maps maps;

    private Backend gpu;
    private Tensor s, t, dy;        // (n, c, h, w)
    private Tensor weights;         // (n, c)
    private Tensor dOut;            // (n)
    private Tensor gate;            // (n, c) in (0, 1)
    private Tensor logits, noise;   // (n, c, 2)
    private Tensor soft, dGate;     // (n, c, 2)
    private Tensor fence;           // (1)
    private double mapGb;           // N floats in GB

    @Setup
    public void setUp() {
        gpu = CudaBenches.openCuda0("CudaFusedBandwidthBench");
        Shape map = Shape.of(maps.n, maps.c, maps.h, maps.w);
        Shape perChannel = Shape.of(maps.n, maps.c);
        Shape gates = Shape.of(maps.n, maps.c, GATE_CHOICES);
        int size = Math.toIntExact(maps.elements());
        s = gpu.upload(Rng.seeded(1).uniform(size, -1f, 1f), map);
        t = gpu.upload(Rng.seeded(2).uniform(size, -1f, 1f), map);
        dy = gpu.upload(Rng.seeded(3).uniform(size, -1f, 1f), map);
        weights = gpu.upload(Rng.seeded(4).uniform(perChannel.size(), 0f, 1f), perChannel);
        dOut = gpu.upload(Rng.seeded(5).uniform(maps.n, -1f, 1f), Shape.of(maps.n));
        gate = gpu.upload(Rng.seeded(6).uniform(perChannel.size(), 0f, 1f), perChannel);
        logits = gpu.upload(Rng.seeded(7).uniform(gates.size(), -2f, 2f), gates);
        noise = gpu.upload(Rng.seeded(8).uniform(gates.size(), -2f, 2f), gates);
        dGate = gpu.upload(Rng.seeded(9).uniform(gates.size(), -1f, 1f), gates);
        GateResult g = gpu.gumbelSoftmaxGateForward(logits, noise, 1f, false);
        soft = g.soft();
        fence = CudaBenches.fence(gpu);
        mapGb = maps.elements() * (double) Float.BYTES / 1e9;
    }

    @Benchmark
    public float wfdForward(Traffic traffic) {
        Tensor out = gpu.weightedFeatureDistanceForward(s, t, weights);
        traffic.gb += 2 * mapGb;
        return finish(out);
    }

    @Benchmark
    public float wfdBackward(Traffic traffic) {
        Tensor[] d = gpu.weightedFeatureDistanceBackward(dOut, s, t, weights, true, true, true);
        traffic.gb += 4 * mapGb;
        return finish(d);
    }

    @Benchmark
    public float blendForward(Traffic traffic) {
        Tensor y = gpu.gatedBlendForward(gate, s, t);
        traffic.gb += 3 * mapGb;
        return finish(y);
    }

    @Benchmark
    public float blendBackward(Traffic traffic) {
        Tensor[] d = gpu.gatedBlendBackward(dy, gate, s, t, true, true, true);
        traffic.gb += 5 * mapGb;
        return finish(d);
    }

    @Benchmark
    public float gateForward(Traffic traffic) {
        GateResult g = gpu.gumbelSoftmaxGateForward(logits, noise, 1f, true);
        traffic.gb += 4 * gateGb();
        return finish(g.soft(), g.out());
    }

    @Benchmark
    public float gateBackward(Traffic traffic) {
        Tensor d = gpu.gumbelSoftmaxGateBackward(dGate, soft, 1f);
        traffic.gb += 3 * gateGb();
        return finish(d);
    }

    private double gateGb() {
        return (double) maps.n * maps.c * GATE_CHOICES * Float.BYTES / 1e9;
    }

    /** Waits for the device, then hands the outputs' blocks back to the pool. */
    private float finish(Tensor... outputs) {
        float v = CudaBenches.sync(gpu, fence);
        CudaBenches.release(outputs);
        return v;
    }

    @TearDown
    public void tearDown() {
        CudaBenches.release(s, t, dy, weights, dOut, gate, logits, noise, soft, dGate, fence);
    }
}
