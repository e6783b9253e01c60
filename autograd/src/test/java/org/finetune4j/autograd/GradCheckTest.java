package org.finetune4j.autograd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The checker itself: it passes a right backward and names the entries of a wrong one. */
final class GradCheckTest {

    /** y = x³ with a deliberately wrong derivative 3x² + 0.1 at flat index 5 only. */
    private static final class WrongCube extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].mul(in[0]).mul(in[0]);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            Tensor x = input(0).value();
            float[] d = x.mul(x).mul(3f).toArray();
            d[5] += 0.1f;
            return grads(dy.mul(Variable.constant(Tensor.wrap(d, x.dims()))));
        }
    }

    /** y = x³ with the right derivative 3x², held constant: no second derivative is recorded. */
    private static final class ConstantSlopeCube extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].mul(in[0]).mul(in[0]);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            Tensor x = input(0).value();
            return grads(dy.mul(Variable.constant(x.mul(x).mul(3f))));
        }
    }

    private static Variable x() {
        return Variable.param(Tensor.uniform(Rng.seeded(3), -1f, 1f, 2, 4));
    }

    /** y = x³ + x³, the second term through ConstantSlopeCube: right to first order only. */
    private static Variable doubledCube(Variable[] in) {
        return in[0].mul(in[0]).mul(in[0]).add(new ConstantSlopeCube().apply(in[0]));
    }

    @Test
    void passesACorrectBackward() {
        GradCheck.of(in -> in[0].mul(in[0]).mul(in[0])).inputs(x()).assertGradientsMatch();
    }

    @Test
    void namesTheInputIndexAndBothValuesOfAWrongBackward() {
        GradCheck check = GradCheck.of(in -> new WrongCube().apply(in[0])).inputs(x()).names("x");
        String m = assertThrows(AssertionError.class, check::assertGradientsMatch).getMessage();
        String[] parts = {"x [2, 4]", "1 of 8 entries differ", "x[1, 1]:", "analytic", "numeric",
            "tol"};
        for (String part : parts) {
            assertTrue(m.contains(part), "'" + part + "' missing in: " + m);
        }
    }

    @Test
    void secondOrderCatchesAMissingSecondDerivative() {
        // First order right (6x²); second order recorded as 6x instead of 12x.
        Variable x = x();
        GradCheck.of(GradCheckTest::doubledCube).inputs(x).assertGradientsMatch();
        GradCheck check = GradCheck.of(GradCheckTest::doubledCube).inputs(x).names("x");
        String m = assertThrows(AssertionError.class, check::assertSecondOrderMatches).getMessage();
        assertTrue(m.contains("x [2, 4]"), m);
    }

    @Test
    void listsAtMostTenMismatches() {
        Variable x = Variable.param(Tensor.uniform(Rng.seeded(4), 0.5f, 1f, 4, 4));
        GradCheck check = GradCheck.of(GradCheckTest::doubledCube).inputs(x);
        String m = assertThrows(AssertionError.class, check::assertSecondOrderMatches).getMessage();
        assertTrue(m.contains("16 of 16 entries differ") && m.contains("… and 6 more"), m);
    }
}
