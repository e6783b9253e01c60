package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.cpu;
import static org.finetune4j.kernels.parity.Parity.gpu;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * elementwise.cu against CpuElementwise. Tolerances from the kernel header: bit-exact, except
 * exp/log/tanh/sigmoid and pow (CUDA's double libm vs Java's, 1 ulp): rtol 1e-6. Backward
 * kernels avoid FMA (__fmul_rn) and get y from the CPU, so they are exact too.
 */
class ElementwiseParityTest {
    private static final Tol LIBM = Tol.of(0, 1e-6);
    private static final float[] SPECIAL = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 1f, -1f, 6f, 0.5f, -7.25f, 1e-30f, 88.7f};

    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    private static Tol tol(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, TANH, SIGMOID -> LIBM;
            default -> Tol.EXACT;
        };
    }

    static List<Arguments> unaryCases() {
        List<Arguments> c = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) for (int n : Parity.SIZES) c.add(Arguments.of(op, n));
        return c;
    }

    @ParameterizedTest
    @MethodSource("unaryCases")
    void unaryForwardAndBackwardMatchTheCpu(UnaryOp op, int n) {
        Tensor x = uniform(11 + n, -3f, 8f, n);
        Tensor dy = uniform(12 + n, -1f, 1f, n);
        Tensor y = cpu().unary(op, x);
        assertClose(op + " forward", y, gpu().unary(op, toGpu(x)), tol(op));
        assertClose(op + " backward", cpu().unaryBackward(op, x, y, dy),
                gpu().unaryBackward(op, toGpu(x), toGpu(y), toGpu(dy)), Tol.EXACT);
    }

    @Test
    void specialValuesMatchBitForBit() {
        Tensor x = Tensor.of(SPECIAL, SPECIAL.length);
        for (UnaryOp op : UnaryOp.values()) {
            Tensor y = cpu().unary(op, x);
            assertClose(op + " of special values", y, gpu().unary(op, toGpu(x)), tol(op));
            assertClose(op + " backward of special values", cpu().unaryBackward(op, x, y, x),
                    gpu().unaryBackward(op, toGpu(x), toGpu(y), toGpu(x)), Tol.EXACT);
        }
        Tensor b = Tensor.of(reversed(SPECIAL), SPECIAL.length);
        for (BinaryOp op : BinaryOp.values()) {
            assertClose(op + " of special values", cpu().binary(op, x, b),
                    gpu().binary(op, toGpu(x), toGpu(b)), Tol.EXACT);
        }
        for (ScalarOp op : ScalarOp.values()) {
            assertClose(op + " with special values", cpu().scalar(op, x, -0f),
                    gpu().scalar(op, toGpu(x), -0f), op == ScalarOp.POW ? LIBM : Tol.EXACT);
        }
    }

    static List<Arguments> scalarCases() {
        List<Arguments> c = new ArrayList<>();
        for (ScalarOp op : ScalarOp.values()) {
            for (int n : Parity.SIZES) c.add(Arguments.of(op, n, 0.75f));
        }
        c.add(Arguments.of(ScalarOp.POW, 257, 2f));                    // the v*v fast path
        c.add(Arguments.of(ScalarOp.POW, 257, 1f));
        return c;
    }

    @ParameterizedTest
    @MethodSource("scalarCases")
    void scalarOpsMatchTheCpu(ScalarOp op, int n, float s) {
        Tensor x = uniform(21 + n, -2f, 2f, n);
        assertClose("scalar " + op, cpu().scalar(op, x, s), gpu().scalar(op, toGpu(x), s),
                op == ScalarOp.POW ? LIBM : Tol.EXACT);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void clampMatchesTheCpuExactly(int n) {
        Tensor x = uniform(31 + n, -3f, 3f, n);
        assertClose("clamp", cpu().clamp(x, -1f, 0.5f), gpu().clamp(toGpu(x), -1f, 0.5f),
                Tol.EXACT);
    }

    static int[] sizes() {
        return Parity.SIZES;
    }

    /** Shape pairs: same shape, trailing vector, both-sides stretch, scalar, rank 0, rank 9. */
    static List<Arguments> binaryCases() {
        List<Arguments> c = new ArrayList<>();
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : new int[] {1, 7, 257}) {
                c.add(Arguments.of(op, new int[] {n}, new int[] {n}));
                c.add(Arguments.of(op, new int[] {2, 3, n}, new int[] {n}));
                c.add(Arguments.of(op, new int[] {2, 1, n}, new int[] {3, 1}));
                c.add(Arguments.of(op, new int[] {1}, new int[] {5, n}));
                c.add(Arguments.of(op, new int[] {}, new int[] {n, 2}));
                c.add(Arguments.of(op, new int[] {2, 3, 2, 3, 2, 3, 2, 3, n},
                        new int[] {3, 1, 1, 1, 1, 1, 1, n}));           // rank 9, merges to 4
            }
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("binaryCases")
    void binaryOpsBroadcastAsTheCpu(BinaryOp op, int[] as, int[] bs) {
        Tensor a = uniform(41, -2f, 2f, as);
        Tensor b = uniform(42, -2f, 2f, bs);
        assertClose("binary " + op, cpu().binary(op, a, b), gpu().binary(op, toGpu(a), toGpu(b)),
                Tol.EXACT);
    }

    @Test
    void broadcastsNeedingMoreThanEightDimensionsAreRefusedNamingTheOp() {
        Tensor a = toGpu(uniform(43, -1f, 1f, 2, 1, 2, 1, 2, 1, 2, 1, 3));
        Tensor b = toGpu(uniform(44, -1f, 1f, 1, 2, 1, 2, 1, 2, 1, 2, 1));
        UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(
                UnsupportedOperationException.class, () -> gpu().binary(BinaryOp.ADD, a, b));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("add: "),
                e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void whereBroadcastsAllThreeOperands(int n) {
        Tensor mask = cpu().scalar(ScalarOp.GT, uniform(51 + n, 0f, 1f, 2, 1, n), 0.5f);
        Tensor a = uniform(52 + n, -1f, 1f, 3, 1);
        Tensor b = uniform(53 + n, -1f, 1f, n);
        assertClose("where", cpu().where(mask, a, b),
                gpu().where(toGpu(mask), toGpu(a), toGpu(b)), Tol.EXACT);
    }

    @Test
    void emptyTensorsLaunchNothingAndKeepTheirShape() {
        Tensor x = Tensor.zeros(0, 3);
        assertClose("unary of empty", cpu().unary(UnaryOp.EXP, x),
                gpu().unary(UnaryOp.EXP, toGpu(x)), Tol.EXACT);
        assertClose("binary of empty", cpu().binary(BinaryOp.ADD, x, Tensor.zeros(3)),
                gpu().binary(BinaryOp.ADD, toGpu(x), toGpu(Tensor.zeros(3))), Tol.EXACT);
    }

    private static float[] reversed(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
        return r;
    }
}
