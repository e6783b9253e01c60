package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.cpu;
import static org.finetune4j.kernels.parity.Parity.gpu;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.ReduceOp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * reduce.cu against CpuReductions / CpuSoftmax / CpuBackend.variance. Tolerances from the kernel
 * header: max, min and argmax exact; sums, means, variance and the softmax family atol 1e-6 +
 * rtol 1e-5 (double sums in another order, exp 1 ulp).
 */
class ReductionParityTest {
    private static final Tol SUMS = Tol.of(1e-6, 1e-5);

    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    private static Tol tol(ReduceOp op) {
        return op == ReduceOp.MAX || op == ReduceOp.MIN ? Tol.EXACT : SUMS;
    }

    static List<Arguments> reduceCases() {
        int[][] axesSets = {{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}, {-1, 0}};
        List<Arguments> c = new ArrayList<>();
        for (ReduceOp op : ReduceOp.values()) {
            for (int n : Parity.SIZES) {
                for (int[] axes : axesSets) c.add(Arguments.of(op, n, axes));
            }
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("reduceCases")
    void reduceOverAnyAxesMatchesTheCpu(ReduceOp op, int n, int[] axes) {
        Tensor x = uniform(1 + n, -2f, 2f, 3, n, 5);
        for (boolean keep : new boolean[] {false, true}) {
            assertClose("reduce " + op, cpu().reduce(op, x, axes, keep),
                    gpu().reduce(op, toGpu(x), axes, keep), tol(op));
        }
        assertClose("variance", cpu().variance(x, axes, false, 1),
                gpu().variance(toGpu(x), axes, false, 1), SUMS);
    }

    static int[] sizes() {
        return Parity.SIZES;
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void argmaxAndSumToShapeMatchTheCpu(int n) {
        Tensor x = uniform(2 + n, -2f, 2f, 4, n, 3);
        for (int axis = 0; axis < 3; axis++) {
            assertClose("argmax axis " + axis, cpu().argmax(x, axis),
                    gpu().argmax(toGpu(x), axis), Tol.EXACT);
        }
        for (Shape target : new Shape[] {Shape.of(n, 1), Shape.of(4, 1, 3), Shape.of(3),
            Shape.SCALAR}) {
            assertClose("sumToShape " + target, cpu().sumToShape(x, target),
                    gpu().sumToShape(toGpu(x), target), SUMS);
        }
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void softmaxFamilyForwardAndBackwardMatchOnEveryAxis(int n) {
        Tensor x = uniform(3 + n, -4f, 4f, 2, n, 3);
        Tensor dy = uniform(4 + n, -1f, 1f, 2, n, 3);
        for (int axis = 0; axis < 3; axis++) {
            Tensor y = cpu().softmax(x, axis);
            Tensor ly = cpu().logSoftmax(x, axis);
            assertClose("softmax axis " + axis, y, gpu().softmax(toGpu(x), axis), SUMS);
            assertClose("logSoftmax axis " + axis, ly, gpu().logSoftmax(toGpu(x), axis), SUMS);
            assertClose("softmaxBackward axis " + axis, cpu().softmaxBackward(dy, y, axis),
                    gpu().softmaxBackward(toGpu(dy), toGpu(y), axis), SUMS);
            assertClose("logSoftmaxBackward axis " + axis, cpu().logSoftmaxBackward(dy, ly, axis),
                    gpu().logSoftmaxBackward(toGpu(dy), toGpu(ly), axis), SUMS);
        }
    }

    @Test
    void nanPropagatesThroughMaxAndArgmaxAsOnTheCpu() {
        Tensor x = Tensor.of(new float[] {1f, Float.NaN, 3f, Float.NaN, -0f, 0f}, 2, 3);
        for (ReduceOp op : ReduceOp.values()) {
            assertClose("reduce " + op + " with NaN", cpu().reduce(op, x, new int[] {1}, false),
                    gpu().reduce(op, toGpu(x), new int[] {1}, false), tol(op));
        }
        assertClose("argmax with NaN", cpu().argmax(x, 1), gpu().argmax(toGpu(x), 1), Tol.EXACT);
    }

    @Test
    void emptyReducedAxesGiveTheCpuValues() {
        Tensor x = Tensor.zeros(3, 0);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MEAN}) {
            assertClose("reduce " + op + " of nothing", cpu().reduce(op, x, new int[] {1}, false),
                    gpu().reduce(op, toGpu(x), new int[] {1}, false), Tol.EXACT);
        }
    }
}
