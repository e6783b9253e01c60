package org.finetune4j.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Gradcheck and gradgradcheck of every pointwise op y = f(x) (ops/Unary.java). */
final class UnaryTest {

    /** x (3, 4) in f's smooth domain: positive for log and √, away from 0 and 6 for the kinks. */
    private static Variable inputFor(UnaryOp op) {
        long seed = 100 + op.ordinal();
        return switch (op) {
            case LOG, SQRT -> Inputs.uniform(seed, 0.3f, 2f, 3, 4);
            case RECIPROCAL -> Inputs.awayFrom(seed, -2f, 2f, 0.5f, new float[] {0f}, 3, 4);
            case ABS, SIGN, RELU -> Inputs.awayFrom(seed, -2f, 2f, 0.05f, new float[] {0f}, 3, 4);
            case RELU6 -> Inputs.awayFrom(seed, -1f, 7f, 0.05f, new float[] {0f, 6f}, 3, 4);
            case NEG, EXP, SQUARE, SIGMOID, TANH -> Inputs.uniform(seed, -2f, 2f, 3, 4);
        };
    }

    private static GradCheck check(UnaryOp op) {
        return GradCheck.of(in -> in[0].apply(op)).inputs(inputFor(op)).names("x");
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void backwardMatchesFiniteDifferences(UnaryOp op) {
        check(op).assertGradientsMatch();
    }

    // Piecewise ops are included: their second derivative is 0 and ∂(dx)/∂(dy) is the mask.
    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void secondDerivativeMatchesFiniteDifferences(UnaryOp op) {
        check(op).assertSecondOrderMatches();
    }

    @Test
    void kinksGetZeroGradientAsPyTorch() {
        Variable x = Variable.param(Tensor.of(new float[] {0f, 6f, -1f, 3f}, 4));
        Variable dy = Variable.constant(Tensor.ones(4));
        assertArrayEquals(new float[] {0f, 0f, 0f, 1f}, Grad.of(x.relu6(), x, dy), "relu6 at 0, 6");
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f}, Grad.of(x.relu(), x, dy), "relu at 0");
        assertArrayEquals(new float[] {0f, 1f, -1f, 1f}, Grad.of(x.abs(), x, dy), "abs: sign(0)");
    }
}
