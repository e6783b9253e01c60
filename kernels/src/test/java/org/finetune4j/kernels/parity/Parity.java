package org.finetune4j.kernels.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.finetune4j.kernels.CudaBackend;
import org.finetune4j.kernels.CudaConv;
import org.finetune4j.kernels.CudaNorm;
import org.finetune4j.kernels.CudaPool;
import org.finetune4j.kernels.CudnnConv;
import org.finetune4j.kernels.CudnnNorm;
import org.finetune4j.kernels.CudnnPool;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.Backends;
import org.finetune4j.tensor.backend.ConvKernels;
import org.finetune4j.tensor.backend.NormKernels;
import org.finetune4j.tensor.backend.PoolKernels;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared pieces of the CUDA parity suites: the skip rule (no usable cuda:0 means SKIPPED with
 * the probe's reason, never passed), seeded inputs, the sizes every suite sweeps, and the
 * tolerance check. Each op runs on the CPU backend (the reference) and on the CudaBackend with
 * the same host inputs; a tolerance comes from the kernel's header comment.
 */
public final class Parity {
    /** 1, odd primes, the tails around the 256-thread block, and a size past one wave of rows. */
    public static final int[] SIZES = {1, 3, 7, 31, 255, 256, 257, 1031, 4099};

    private Parity() {}

    /** For @BeforeEach: skip unless cuda:0 is usable, saying why not (per test, so visible). */
    public static void assumeGpu() {
        CudaAvailability a = CudaAvailability.get();
        Assumptions.assumeTrue(a.available(0), () -> "CUDA parity needs cuda:0: "
                + a.unavailableReason(0).orElse("unknown"));
    }

    /**
     * The two implementations of convolution, batch norm and pooling on CUDA: our PTX kernels
     * (always there) and cuDNN (where libcudnn loads). The backend picks one; the suites test both.
     */
    public enum Path { PTX, CUDNN }

    /** For a test on one path: skip unless cuda:0 (and, for CUDNN, cuDNN) is usable. */
    public static void assumePath(Path path) {
        assumeGpu();
        CudaAvailability a = CudaAvailability.get();
        if (path == Path.CUDNN) {
            Assumptions.assumeTrue(a.cudnn(), () -> "the cuDNN path needs cuDNN: " + a.describe());
        }
    }

    public static ConvKernels conv(Path path) {
        CudaConv ptx = new CudaConv(CudaContext.of(0), CudaAvailability.get());
        return path == Path.PTX ? ptx : new CudnnConv(CudaContext.of(0), ptx);
    }

    public static NormKernels norm(Path path) {
        CudaNorm ptx = new CudaNorm(CudaContext.of(0), CudaAvailability.get());
        return path == Path.PTX ? ptx : new CudnnNorm(CudaContext.of(0), ptx);
    }

    public static PoolKernels pool(Path path) {
        CudaPool ptx = new CudaPool(CudaContext.of(0), CudaAvailability.get());
        return path == Path.PTX ? ptx : new CudnnPool(CudaContext.of(0), ptx);
    }

    public static Backend cpu() {
        return Backends.cpu();
    }

    /** The CUDA backend of cuda:0 (call assumeGpu first). */
    public static Backend gpu() {
        Backend b = Backends.of(Device.cuda(0));
        assertTrue(b instanceof CudaBackend, "cuda:0 is served by " + b.getClass().getName());
        return b;
    }

    /** A CPU tensor of uniform values in [lo, hi), reproducible from the seed. */
    public static Tensor uniform(long seed, float lo, float hi, int... dims) {
        Rng rng = Rng.seeded(seed);
        return Tensor.wrap(rng.uniform(Shape.of(dims).size(), lo, hi), dims);
    }

    /** Seeded labels in [0, k). */
    public static int[] labels(long seed, int n, int k) {
        Rng rng = Rng.seeded(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = rng.nextInt(k);
        return l;
    }

    /** A copy of a CPU tensor on the GPU. */
    public static Tensor toGpu(Tensor cpuTensor) {
        return gpu().upload(cpuTensor.toArray(), cpuTensor.shape());
    }

    /** |actual − expected| ≤ atol + rtol·|expected| per element; EXACT compares bits. */
    public record Tol(double atol, double rtol) {
        public static final Tol EXACT = new Tol(0, 0);

        public static Tol of(double atol, double rtol) {
            return new Tol(atol, rtol);
        }

        boolean accepts(float expected, float actual) {
            if (Float.isNaN(expected) || Float.isNaN(actual)) {
                return Float.isNaN(expected) && Float.isNaN(actual);
            }
            if (atol == 0 && rtol == 0) {
                return Float.floatToIntBits(expected) == Float.floatToIntBits(actual);
            }
            if (Float.isInfinite(expected) || Float.isInfinite(actual)) return expected == actual;
            return Math.abs((double) actual - expected) <= atol + rtol * Math.abs(expected);
        }

        @Override
        public String toString() {
            return atol == 0 && rtol == 0 ? "exact" : "atol " + atol + " + rtol " + rtol;
        }
    }

    /** Shapes equal, the GPU result on its device, every element within tol. */
    public static void assertClose(String what, Tensor expected, Tensor actual, Tol tol) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(Device.cuda(0), actual.device(), what + ": device of the CUDA result");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (!tol.accepts(e[i], a[i])) {
                fail(what + " " + expected.shape() + ": element " + i + " is " + a[i] + " on cuda:0"
                        + " but " + e[i] + " on the CPU (" + tol + ")");
            }
        }
    }
}
