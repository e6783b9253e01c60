package org.finetune4j.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
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
 * SGEMM on cuda:0 through Backends.of(cuda:0).gemm (C = A·B, beta 0, square n, no transposes),
 * on both paths of CudaLinalg: cuBLAS (FP32 math) and our PTX sgemm_tiled. The secondary result
 * "gflop" is GFLOP/s (2·n³ per call); every call ends with a one-float download, which waits
 * for the stream, so a call costs the product and not just its launch.
 * path=ptx sets -Dfinetune4j.cuda.gemm=ptx before the backend is first opened; it works because
 * each @Param combination runs in a fresh forked JVM (keep forks ≥ 1). path=cublas fails setup
 * when libcublas.so.12 does not load; both fail setup without a usable cuda:0.
 * Run: java -cp finetune4j.jar org.openjdk.jmh.Main CudaGemmBench [-p n=4096 -p path=ptx]
 * Not final: JMH generates subclasses of its @State classes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Threads(1)
public class CudaGemmBench {

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

    @Param({"1024", "2048", "4096"})
    public int n;

    @Param({"cublas", "ptx"})
    public String path;

    private Backend gpu;
    private Tensor a;       // (n, n)
    private Tensor b;       // (n, n)
    private Tensor c;       // (n, n)
    private Tensor fence;   // (1)
    private double gflopPerCall;

    @Setup
    public void setUp() {
        if (path.equals("ptx")) System.setProperty("finetune4j.cuda.gemm", "ptx");
        gpu = CudaBenches.openCuda0("CudaGemmBench");
        // With cuBLAS loaded CudaLinalg uses it unless the property forces PTX (which a
        // forkless run could carry over from path=ptx).
        boolean cublasLoaded = CudaAvailability.get().cublas();
        if (path.equals("cublas") && !cublasLoaded) {
            throw new IllegalStateException("CudaGemmBench path=cublas skipped: libcublas.so.12"
                    + " did not load (" + gpu.describe() + ")");
        }
        if (path.equals("cublas") && "ptx".equals(System.getProperty("finetune4j.cuda.gemm"))) {
            throw new IllegalStateException("CudaGemmBench path=cublas in a JVM that forced PTX;"
                    + " run with forks >= 1");
        }
        Shape s = Shape.of(n, n);
        a = gpu.upload(Rng.seeded(1).uniform(n * n, -1f, 1f), s);
        b = gpu.upload(Rng.seeded(2).uniform(n * n, -1f, 1f), s);
        c = gpu.zeros(s);
        fence = CudaBenches.fence(gpu);
        gflopPerCall = 2.0 * n * n * n / 1e9;
        System.out.println("CudaGemmBench: n " + n + ", path " + path);
    }

    @Benchmark
    public float gemm(Work work) {
        gpu.gemm(false, false, 1f, a, b, 0f, c);
        work.gflop += gflopPerCall;
        return CudaBenches.sync(gpu, fence);
    }

    @TearDown
    public void tearDown() {
        CudaBenches.release(a, b, c, fence);
    }
}
