package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.cpu;
import static org.finetune4j.kernels.parity.Parity.gpu;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CudaMemory against CpuBackend: transfers, copies and the fill / axpy / scale kernels are all
 * bit-exact (axpy is two rounded float operations, no FMA, as the Java loop), and every in-place
 * op bumps the storage version once.
 */
class MemoryParityTest {
    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    static int[] sizes() {
        return Parity.SIZES;
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void uploadDownloadAndCopyRoundTripExactly(int n) {
        Tensor x = uniform(1 + n, -5f, 5f, n);
        Tensor g = toGpu(x);
        assertArrayEquals(x.toArray(), gpu().download(g));
        assertClose("copy", x, gpu().copy(g), Tol.EXACT);
        Tensor dst = gpu().zeros(x.shape());
        gpu().copyInto(dst, g);
        assertEquals(1, dst.version());
        assertClose("copyInto", x, dst, Tol.EXACT);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void zerosAndFullFillEveryElement(int n) {
        assertClose("zeros", cpu().zeros(Shape.of(n, 3)), gpu().zeros(Shape.of(n, 3)), Tol.EXACT);
        assertClose("full", cpu().full(Shape.of(n), -2.5f), gpu().full(Shape.of(n), -2.5f),
                Tol.EXACT);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void inPlaceUpdatesMatchTheCpuAndBumpTheVersion(int n) {
        Tensor y = uniform(2 + n, -1f, 1f, n);
        Tensor x = uniform(3 + n, -1f, 1f, n);
        Tensor gy = toGpu(y);
        cpu().axpyInPlace(y, 0.3f, x);
        gpu().axpyInPlace(gy, 0.3f, toGpu(x));
        assertClose("axpyInPlace", y, gy, Tol.EXACT);
        cpu().scaleInPlace(y, -1.7f);
        gpu().scaleInPlace(gy, -1.7f);
        assertClose("scaleInPlace", y, gy, Tol.EXACT);
        gpu().fillInPlace(gy, 4f);
        assertClose("fillInPlace", cpu().full(y.shape(), 4f), gy, Tol.EXACT);
        assertEquals(3, gy.version());
    }

    @Test
    void emptyTensorsWork() {
        Tensor e = gpu().zeros(Shape.of(0, 4));
        assertEquals(0, gpu().download(e).length);
        gpu().fillInPlace(e, 1f);
        assertEquals(0, gpu().copy(e).size());
    }

    @Test
    void mismatchedShapesAndDevicesAreNamed() {
        Tensor a = gpu().zeros(Shape.of(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpu().axpyInPlace(a, 1f, gpu().zeros(Shape.of(4))));
        assertEquals("axpyInPlace: shapes [3] and [4] differ", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> gpu().axpyInPlace(a, 1f, Tensor.zeros(3)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("axpyInPlace: x lives"
                + " on cpu"), e.getMessage());
    }
}
