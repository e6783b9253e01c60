package org.finetune4j.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.stream.Stream;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.ReduceOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** sum, mean and max over axes of x (2, 3, 4), with and without keepDims (ops/Reduce.java). */
final class ReduceTest {
    private static final int[][] AXES = {{0}, {1}, {2}, {-1}, {0, 2}, {1, 2}, {0, 1, 2}};

    static Stream<Arguments> cases() {
        return Stream.of(ReduceOp.SUM, ReduceOp.MEAN, ReduceOp.MAX).flatMap(op -> Stream.of(AXES)
                .flatMap(axes -> Stream.of(true, false).map(keep -> Arguments.of(op, axes, keep))));
    }

    /** Distinct values for max (no near-ties within a reduced group), plain uniform otherwise. */
    private static Variable x(ReduceOp op) {
        return op == ReduceOp.MAX ? Inputs.distinct(50, -2f, 0.2f, 2, 3, 4)
                : Inputs.uniform(51, -2f, 2f, 2, 3, 4);
    }

    private static Variable reduce(ReduceOp op, Variable x, int[] axes, boolean keepDims) {
        return switch (op) {
            case SUM -> x.sum(keepDims, axes);
            case MEAN -> x.mean(keepDims, axes);
            case MAX -> x.max(keepDims, axes);
            case MIN -> throw new AssertionError("MIN has no Variable method");
        };
    }

    @ParameterizedTest(name = "{0} axes {1} keepDims {2}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(ReduceOp op, int[] axes, boolean keepDims) {
        GradCheck.of(in -> reduce(op, in[0], axes, keepDims)).inputs(x(op)).assertGradientsMatch();
    }

    @ParameterizedTest(name = "{0} axes {1} keepDims {2}")
    @MethodSource("cases")
    void secondDerivativeMatchesFiniteDifferences(ReduceOp op, int[] axes, boolean keepDims) {
        GradCheck.of(in -> reduce(op, in[0], axes, keepDims)).inputs(x(op))
                .assertSecondOrderMatches();
    }

    @Test
    void sumAndMeanOfAllElementsMatchFiniteDifferences() {
        GradCheck.of(in -> in[0].sum()).inputs(x(ReduceOp.SUM)).names("x").assertGradientsMatch();
        GradCheck.of(in -> in[0].mean()).inputs(x(ReduceOp.MEAN)).names("x").assertGradientsMatch();
    }

    @Test
    void composedVarianceMatchesFiniteDifferences() {
        for (int correction : new int[] {0, 1}) {
            GradCheck.of(in -> in[0].variance(false, correction, 0, 2)).inputs(x(ReduceOp.SUM))
                    .names("x correction " + correction).assertGradientsMatch();
            GradCheck.of(in -> in[0].variance(true, correction, 1)).inputs(x(ReduceOp.SUM))
                    .names("x correction " + correction).assertSecondOrderMatches();
        }
    }

    @Test
    void tiedMaximaShareTheGradientEquallyAsPyTorchAmax() {
        Variable x = Variable.param(Tensor.of(new float[] {3f, 1f, 3f, 0f, 2f, 5f, 5f, 5f}, 2, 4));
        Variable y = x.max(false, 1);
        Variable dy = Variable.constant(Tensor.of(new float[] {1f, 3f}, 2));
        assertArrayEquals(new float[] {0.5f, 0f, 0.5f, 0f, 0f, 1f, 1f, 1f}, Grad.of(y, x, dy));
    }
}
