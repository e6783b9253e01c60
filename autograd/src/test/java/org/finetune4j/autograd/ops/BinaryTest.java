package org.finetune4j.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.stream.Stream;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Graph;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * y = a ∘ b with NumPy broadcasting (ops/Binary.java). Each gradient must be summed back to its
 * operand's shape; the random projection of the checker makes a wrong reduction axis visible.
 */
final class BinaryTest {

    /** (a dims, b dims): equal, one side stretched, both sides stretched, rank 0. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new int[] {2, 3}, new int[] {2, 3}),
                Arguments.of(new int[] {2, 3, 4}, new int[] {3, 1}),
                Arguments.of(new int[] {1}, new int[] {2, 3}),
                Arguments.of(new int[] {2, 1, 4}, new int[] {3, 1}),
                Arguments.of(new int[] {4}, new int[] {2, 3, 4}),
                Arguments.of(new int[] {}, new int[] {2, 3}));
    }

    static Stream<Arguments> opsAndShapes() {
        return Stream.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX,
                        BinaryOp.MIN)
                .flatMap(op -> shapes().map(s -> Arguments.of(op, s.get()[0], s.get()[1])));
    }

    /**
     * Operands for op: b away from 0 for DIV; for MAX and MIN, a and b on interleaved grids, so
     * every pair a − b (after broadcasting) stays at least 0.06 from a tie.
     */
    private static Variable[] operands(BinaryOp op, int[] da, int[] db) {
        return switch (op) {
            case MAX, MIN -> new Variable[] {Inputs.distinct(21, -2f, 0.2f, da),
                Inputs.distinct(22, -1.9f, 0.2f, db)};
            case DIV -> new Variable[] {Inputs.uniform(23, -2f, 2f, da),
                Inputs.awayFrom(24, -2f, 2f, 0.5f, new float[] {0f}, db)};
            default -> new Variable[] {Inputs.uniform(25, -2f, 2f, da),
                Inputs.uniform(26, -2f, 2f, db)};
        };
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("opsAndShapes")
    void backwardMatchesFiniteDifferences(BinaryOp op, int[] da, int[] db) {
        GradCheck.of(in -> in[0].apply(op, in[1])).inputs(operands(op, da, db)).names("a", "b")
                .assertGradientsMatch();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("opsAndShapes")
    void secondDerivativeMatchesFiniteDifferences(BinaryOp op, int[] da, int[] db) {
        GradCheck.of(in -> in[0].apply(op, in[1])).inputs(operands(op, da, db)).names("a", "b")
                .assertSecondOrderMatches();
    }

    @Test
    void sameVariableOnBothSidesAccumulates() {
        Variable x = Inputs.uniform(27, 0.5f, 2f, 2, 3);
        GradCheck.of(in -> in[0].mul(in[0])).inputs(x).names("x").assertGradientsMatch();
        GradCheck.of(in -> in[0].div(in[0].add(1f))).inputs(x).assertSecondOrderMatches();
    }

    @Test
    void onlyTheOperandThatRequiresGradIsDifferentiated() {
        Variable a = Inputs.uniform(28, -2f, 2f, 2, 3);
        Variable b = Variable.constant(Tensor.uniform(Rng.seeded(29), 0.5f, 2f, 3));
        GradCheck.of(in -> in[0].div(in[1])).inputs(a, b).names("a", "b").assertGradientsMatch();
    }

    @Test
    void tiesOfMaxAndMinSplitTheGradientAsPyTorch() {
        Variable a = Variable.param(Tensor.of(new float[] {1f, 2f, 3f}, 3));
        Variable b = Variable.param(Tensor.of(new float[] {1f, 1f, 4f}, 3));   // tie, a, b win
        assertGradients(a.maximum(b), a, b, new float[] {0.5f, 1f, 0f}, new float[] {0.5f, 0f, 1f});
        assertGradients(a.minimum(b), a, b, new float[] {0.5f, 0f, 1f}, new float[] {0.5f, 1f, 0f});
    }

    private static void assertGradients(Variable y, Variable a, Variable b, float[] expectA,
                                        float[] expectB) {
        Variable dy = Variable.constant(Tensor.ones(3));
        List<Variable> g = Graph.grad(List.of(y), List.of(a, b), List.of(dy), false, false);
        assertArrayEquals(expectA, g.get(0).value().toArray(), "da of " + y.creator().name());
        assertArrayEquals(expectB, g.get(1).value().toArray(), "db of " + y.creator().name());
    }

    @Test
    void comparisonsAreMasksWithoutGradient() {
        Variable a = Inputs.uniform(30, -1f, 1f, 2, 3);
        Variable b = Inputs.uniform(31, -1f, 1f, 2, 3);
        for (BinaryOp op : BinaryOp.values()) {
            if (op.isComparison()) assertFalse(a.apply(op, b).requiresGrad(), op.toString());
        }
    }
}
