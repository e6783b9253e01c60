package org.finetune4j.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.cpu.CpuGemm;
import org.finetune4j.tensor.cpu.Simd;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CpuGemm.gemm (C = A·B, beta 0, row-major, no transposes) on square sizes and on the im2col GEMMs
 * of resnet-mini's convolutions at batch 64. One JMH thread: the kernel itself uses Parallel's two
 * workers. The secondary result "gflop" is GFLOP/s directly (2·m·n·k/1e9 counted per call, per
 * second); the primary result is calls per second. Compare with ../shared/anchors:
 * `numpy_gemm.py --threads 2`. Scalar path: add -jvmArgsAppend -Dfinetune4j.simd=false.
 * Run: java -cp bench/target/finetune4j.jar org.openjdk.jmh.Main GemmBench [-p shape=SQUARE_1024]
 * Not final: JMH generates subclasses of its @State classes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Threads(1)
public class GemmBench {

    /** GEMM shapes as (m, n, k) of the CpuGemm API: C (m, n) = A (m, k) · B (k, n). */
    public enum Shape {
        SQUARE_256(256, 256, 256),
        SQUARE_512(512, 512, 512),
        SQUARE_1024(1024, 1024, 1024),
        SQUARE_2048(2048, 2048, 2048),
        IM2COL_16_16_AT_28(50176, 16, 144),     // 3x3 conv 16 -> 16, 28x28: m = 64·28·28, k = 16·9
        IM2COL_32_32_AT_14(12544, 32, 288),     // 3x3 conv 32 -> 32, 14x14
        IM2COL_64_64_AT_7(3136, 64, 576);       // 3x3 conv 64 -> 64, 7x7

        final int m, n, k;

        Shape(int m, int n, int k) {
            this.m = m;
            this.n = n;
            this.k = k;
        }
    }

    /** GFLOP done, reported by JMH per second of measurement, i.e. as GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Work {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    @Param
    public Shape shape;

    private float[] a;      // (m, k)
    private float[] b;      // (k, n)
    private float[] c;      // (m, n)
    private double gflopPerCall;

    @Setup
    public void setUp() {
        a = Rng.seeded(1).uniform(shape.m * shape.k, -1f, 1f);
        b = Rng.seeded(2).uniform(shape.k * shape.n, -1f, 1f);
        c = new float[shape.m * shape.n];
        gflopPerCall = 2.0 * shape.m * shape.n * shape.k / 1e9;
        System.out.println("GemmBench: " + Simd.describe() + " path");
    }

    @Benchmark
    public float[] gemm(Work work) {
        CpuGemm.gemm(false, false, shape.m, shape.n, shape.k, 1f, a, 0, shape.k, b, 0, shape.n,
                0f, c, 0, shape.n);
        work.gflop += gflopPerCall;
        return c;
    }
}
