package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.cpu;
import static org.finetune4j.kernels.parity.Parity.gpu;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * movement.cu (and the 2-D copies of concat) against CpuMovement: pure data movement and an
 * index_add that sums in the twin's order, so everything is bit-exact (kernel header).
 */
class MovementParityTest {
    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    static int[] sizes() {
        return Parity.SIZES;
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void permuteBroadcastAndSliceMatchExactly(int n) {
        Tensor x = uniform(1 + n, -1f, 1f, 2, n, 3);
        for (int[] perm : new int[][] {{0, 1, 2}, {2, 1, 0}, {1, 0, 2}, {0, 2, 1}, {2, 0, 1}}) {
            assertClose("permute", cpu().permute(x, perm), gpu().permute(toGpu(x), perm),
                    Tol.EXACT);
        }
        Tensor v = uniform(2 + n, -1f, 1f, n, 1);
        Shape target = Shape.of(4, n, 3);
        assertClose("broadcastTo", cpu().broadcastTo(v, target),
                gpu().broadcastTo(toGpu(v), target), Tol.EXACT);
        int half = n / 2;
        assertClose("slice", cpu().slice(x, 1, half, n), gpu().slice(toGpu(x), 1, half, n),
                Tol.EXACT);
        assertClose("slice last", cpu().slice(x, -1, 1, 3), gpu().slice(toGpu(x), -1, 1, 3),
                Tol.EXACT);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void concatAlongEveryAxisMatchesExactly(int n) {
        Tensor a = uniform(3 + n, -1f, 1f, 2, n, 3);
        Tensor b = uniform(4 + n, -1f, 1f, 2, n, 3);
        for (int axis = 0; axis < 3; axis++) {
            Tensor c = uniform(5 + n, -1f, 1f, a.shape().with(axis, 2).dims());
            List<Tensor> parts = List.of(a, c, b);
            assertClose("concat axis " + axis, cpu().concat(parts, axis),
                    gpu().concat(List.of(toGpu(a), toGpu(c), toGpu(b)), axis), Tol.EXACT);
        }
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void indexSelectAndIndexAddMatchExactly(int n) {
        Tensor x = uniform(6 + n, -1f, 1f, 3, n, 2);
        int[] index = Parity.labels(7 + n, n + 3, n);                  // repeats included
        assertClose("indexSelect", cpu().indexSelect(x, 1, index),
                gpu().indexSelect(toGpu(x), 1, index), Tol.EXACT);
        Tensor src = uniform(8 + n, -1f, 1f, 3, index.length, 2);
        Shape shape = Shape.of(3, n, 2);
        assertClose("indexAdd", cpu().indexAdd(shape, 1, index, src),
                gpu().indexAdd(shape, 1, index, toGpu(src)), Tol.EXACT);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void oneHotAndGatherPlanesMatchExactly(int n) {
        int[] labels = Parity.labels(9 + n, n, 10);
        assertClose("oneHot", cpu().oneHot(labels, 10), gpu().oneHot(labels, 10), Tol.EXACT);
        Tensor x = uniform(10 + n, -1f, 1f, 2, 3, 5, n);
        int outSize = 2 * 3;
        float[] idx = new float[6 * outSize];
        int[] pick = Parity.labels(11 + n, idx.length, 5 * n);
        for (int i = 0; i < idx.length; i++) idx[i] = pick[i];
        Tensor index = Tensor.of(idx, 2, 3, 2, 3);
        Shape out = Shape.of(2, 3, 2, 3);
        assertClose("gatherPlanes", cpu().gatherPlanes(x, index, out),
                gpu().gatherPlanes(toGpu(x), toGpu(index), out), Tol.EXACT);
    }

    @Test
    void badIndicesFailOnTheHostWithTheCpuMessage() {
        Tensor x = toGpu(uniform(12, -1f, 1f, 4, 3));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> gpu().indexSelect(x, 0, new int[] {1, 4}));
        org.junit.jupiter.api.Assertions.assertEquals("indexSelect: index[1] = 4 outside [0, 4)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> gpu().oneHot(new int[] {3}, 3));
    }
}
