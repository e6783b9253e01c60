package org.finetune4j.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.ScalarOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** y = x ∘ s for a scalar s, and clamp (ops/Unary.java: Scalar, Clamp). */
final class ScalarTest {
    private static final float S = 0.3f;

    private static Variable x() {                                   // (3, 4), away from s: kinks
        return Inputs.awayFrom(7, -2f, 2f, 0.05f, new float[] {S}, 3, 4);
    }

    @Test
    void addMulRsubMaxMinMatchFiniteDifferences() {
        for (ScalarOp op : new ScalarOp[] {ScalarOp.ADD, ScalarOp.MUL, ScalarOp.RSUB, ScalarOp.MAX,
            ScalarOp.MIN}) {
            GradCheck check = GradCheck.of(in -> in[0].apply(op, S)).inputs(x()).names("x " + op);
            check.assertGradientsMatch();
            check.assertSecondOrderMatches();
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {2f, 3f, 0.5f, -1.5f, 1f})
    void powMatchesFiniteDifferencesToSecondOrder(float p) {
        Variable x = Inputs.uniform(8, 0.5f, 2f, 3, 4);              // positive: x^p is smooth
        GradCheck.of(in -> in[0].pow(p)).inputs(x).names("x").assertGradientsMatch();
        GradCheck.of(in -> in[0].pow(p)).inputs(x).names("x").assertSecondOrderMatches();
    }

    @Test
    void clampMatchesFiniteDifferencesAwayFromItsBounds() {
        Variable x = Inputs.awayFrom(9, -2f, 2f, 0.05f, new float[] {-0.5f, 1f}, 4, 5);
        GradCheck.of(in -> in[0].clamp(-0.5f, 1f)).inputs(x).names("x").assertGradientsMatch();
        GradCheck.of(in -> in[0].clamp(-0.5f, 1f)).inputs(x).names("x").assertSecondOrderMatches();
    }

    @Test
    void clampPassesTheGradientAtItsBoundsAsPyTorch() {
        Variable x = Variable.param(Tensor.of(new float[] {-0.5f, 1f, -2f, 2f, 0f}, 5));
        Variable dy = Variable.constant(Tensor.ones(5));
        Variable y = x.clamp(-0.5f, 1f);
        assertArrayEquals(new float[] {1f, 1f, 0f, 0f, 1f}, Grad.of(y, x, dy));
    }

    @Test
    void clampRefusesReversedBounds() {
        assertThrows(IllegalArgumentException.class, () -> x().clamp(1f, -1f));
    }

    @Test
    void comparisonsAreMasksWithoutGradient() {
        for (ScalarOp op : new ScalarOp[] {ScalarOp.GT, ScalarOp.GE, ScalarOp.LT, ScalarOp.LE,
            ScalarOp.EQ}) {
            assertFalse(x().apply(op, S).requiresGrad(), op + " must not require grad");
        }
    }
}
