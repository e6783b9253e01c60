package org.finetune4j.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.cpu.CpuConv2d;
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
 * CpuConv2d forward and both backward passes at every resnet-mini (w = 1) convolution shape, batch 64.
 * One JMH thread: the kernel itself spreads the batch over Parallel's two workers.
 * Compare with ../shared/anchors: `torch_bench.py conv --threads 2 --blas-threads 1`.
 * Run: java -cp bench/target/finetune4j.jar org.openjdk.jmh.Main Conv2dBench [-p layer=STAGE3_64_64]
 * Not final: JMH generates subclasses of its @State classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Threads(1)
public class Conv2dBench {

    /** The eight distinct convolutions of resnet-mini: cIn -> cOut, k x k, stride, padding, at size x size. */
    public enum Layer {
        STEM_1_16(1, 16, 28, 3, 1, 1),
        STAGE1_16_16(16, 16, 28, 3, 1, 1),
        STAGE2_ENTRY_16_32_S2(16, 32, 28, 3, 2, 1),
        STAGE2_32_32(32, 32, 14, 3, 1, 1),
        STAGE2_SHORTCUT_1X1_S2(16, 32, 28, 1, 2, 0),
        STAGE3_ENTRY_32_64_S2(32, 64, 14, 3, 2, 1),
        STAGE3_64_64(64, 64, 7, 3, 1, 1),
        STAGE3_SHORTCUT_1X1_S2(32, 64, 14, 1, 2, 0);

        final int cIn, cOut, size, k, stride, pad;

        Layer(int cIn, int cOut, int size, int k, int stride, int pad) {
            this.cIn = cIn;
            this.cOut = cOut;
            this.size = size;
            this.k = k;
            this.stride = stride;
            this.pad = pad;
        }
    }

    @Param
    public Layer layer;

    @Param("64")
    public int batch;

    private Conv2dGeometry g;
    private float[] x;      // (n, cIn, h, w)
    private float[] w;      // (cOut, cIn, k, k)
    private float[] dy;     // (n, cOut, outH, outW)
    private float[] y;      // (n, cOut, outH, outW)
    private float[] dx;     // (n, cIn, h, w)
    private float[] dw;     // (cOut, cIn, k, k)

    @Setup
    public void setUp() {
        g = Conv2dGeometry.of(batch, layer.cIn, layer.size, layer.size, layer.cOut, layer.k,
                layer.stride, layer.pad, 1);
        x = Rng.seeded(1).uniform(g.inputSize(), -1f, 1f);
        w = Rng.seeded(2).uniform(g.weightSize(), -1f, 1f);
        dy = Rng.seeded(3).uniform(g.outputSize(), -1f, 1f);
        y = new float[g.outputSize()];
        dx = new float[g.inputSize()];
        dw = new float[g.weightSize()];
    }

    @Benchmark
    public float[] forward() {
        CpuConv2d.forward(x, w, null, y, g);
        return y;
    }

    @Benchmark
    public float[] backwardInput() {
        CpuConv2d.backwardInput(dy, w, dx, g);
        return dx;
    }

    @Benchmark
    public float[] backwardWeight() {
        CpuConv2d.backwardWeight(x, dy, dw, g);
        return dw;
    }
}
