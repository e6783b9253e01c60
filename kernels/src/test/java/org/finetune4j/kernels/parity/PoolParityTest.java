package org.finetune4j.kernels.parity;

import java.util.List;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.finetune4j.tensor.backend.PoolKernels.MaxPoolResult;
import org.finetune4j.tensor.backend.PoolKernels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CudaPool's max / avg pooling (pool.cu) and CudnnPool's average pooling against the CPU
 * backend. pool.cu is bit-exact with CpuPool2d (same operations in the same order), so it is
 * compared EXACT, including argmax, which the CUDA backend stores as the same float plane
 * indices as the CPU. Max pooling has no cuDNN variant (CudnnPool says why).
 */
class PoolParityTest {
    /** (n, c, h, w, kH, kW, strideH, strideW, padH, padW). */
    private static final List<Pool2dGeometry> GEOMETRIES = List.of(
            Pool2dGeometry.of(2, 3, 8, 8, 2, 2, 0),
            Pool2dGeometry.of(2, 3, 9, 7, 3, 2, 1),                    // overlapping windows
            Pool2dGeometry.of(1, 2, 5, 5, 3, 1, 1),
            new Pool2dGeometry(3, 2, 7, 11, 3, 2, 2, 1, 1, 1),
            new Pool2dGeometry(2, 1, 4, 6, 2, 3, 3, 3, 1, 1),          // stride > kernel, padding
            Pool2dGeometry.of(4, 16, 7, 7, 7, 1, 0));                  // global average

    private final Backend cpu = Parity.cpu();

    @BeforeEach
    void needsGpu() {
        Parity.assumeGpu();
    }

    @Test
    void maxPoolForwardAndBackwardAreBitExactIncludingTiesAndNaN() {
        long seed = 20;
        for (Pool2dGeometry g : GEOMETRIES) {
            Backend gpu = Parity.gpu();
            Tensor x = withTiesAndNaN(Parity.uniform(seed++, -1f, 1f, g.n(), g.c(), g.h(), g.w()));
            Tensor dy = Parity.uniform(seed++, -1f, 1f, g.n(), g.c(), g.outH(), g.outW());
            MaxPoolResult expected = cpu.maxPool2dForward(x, g);
            MaxPoolResult actual = gpu.maxPool2dForward(Parity.toGpu(x), g);
            Parity.assertClose("maxPool2d y " + g, expected.y(), actual.y(), Parity.Tol.EXACT);
            Parity.assertClose("maxPool2d argmax " + g, expected.argmax(), actual.argmax(),
                    Parity.Tol.EXACT);
            Tensor dxExpected = cpu.maxPool2dBackward(dy, expected.argmax(), g);
            Parity.assertClose("maxPool2dBackward " + g, dxExpected,
                    gpu.maxPool2dBackward(Parity.toGpu(dy), actual.argmax(), g), Parity.Tol.EXACT);
            Parity.assertClose("maxPool2dBackward with the CPU argmax uploaded " + g, dxExpected,
                    gpu.maxPool2dBackward(Parity.toGpu(dy), Parity.toGpu(expected.argmax()), g),
                    Parity.Tol.EXACT);
        }
    }

    /**
     * pool.cu is exact; cuDNN's average pooling may sum in another order and multiply by
     * 1/(kH·kW): within a few ulps of the window's values, atol 1e-6 + rtol 1e-5.
     */
    @ParameterizedTest
    @EnumSource(Parity.Path.class)
    void avgPoolForwardAndBackwardMatchCpu(Parity.Path path) {
        Parity.assumePath(path);
        PoolKernels gpu = Parity.pool(path);
        Parity.Tol tol = path == Parity.Path.PTX ? Parity.Tol.EXACT : Parity.Tol.of(1e-6, 1e-5);
        long seed = 40;
        for (Pool2dGeometry g : GEOMETRIES) {
            Tensor x = Parity.uniform(seed++, -1f, 1f, g.n(), g.c(), g.h(), g.w());
            Tensor dy = Parity.uniform(seed++, -1f, 1f, g.n(), g.c(), g.outH(), g.outW());
            Parity.assertClose("avgPool2d " + path + " " + g, cpu.avgPool2dForward(x, g),
                    gpu.avgPool2dForward(Parity.toGpu(x), g), tol);
            Parity.assertClose("avgPool2dBackward " + path + " " + g,
                    cpu.avgPool2dBackward(dy, g), gpu.avgPool2dBackward(Parity.toGpu(dy), g), tol);
        }
    }

    /** Values rounded to quarters (many equal maxima) and one NaN, as a CPU tensor. */
    private static Tensor withTiesAndNaN(Tensor x) {
        float[] v = x.toArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.round(v[i] * 4f) / 4f;
        v[v.length / 3] = Float.NaN;
        return Tensor.wrap(v, x.dims());
    }
}
