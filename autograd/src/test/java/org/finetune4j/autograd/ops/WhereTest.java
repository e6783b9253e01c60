package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** where(mask, a, b): dy goes to a where mask ≠ 0, to b elsewhere, each summed to its shape. */
final class WhereTest {
    private static Tensor mask(int... dims) {                       // data: about half ones
        return Tensor.bernoulli(Rng.seeded(40), 0.5f, dims);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        Tensor m = mask(3, 4);
        GradCheck.of(in -> in[0].where(m, in[1])).inputs(Inputs.uniform(41, -2f, 2f, 3, 4),
                Inputs.uniform(42, -2f, 2f, 3, 4)).names("a", "b").assertGradientsMatch();
    }

    @Test
    void broadcastOperandsGetGradientsSummedToTheirShapes() {
        Tensor m = mask(2, 3, 4);
        GradCheck.of(in -> in[0].where(m, in[1])).inputs(Inputs.uniform(43, -2f, 2f, 3, 1),
                Inputs.uniform(44, -2f, 2f, 4)).names("a", "b").assertGradientsMatch();
    }

    @Test
    void broadcastMaskSelectsWholeRows() {
        Tensor m = mask(3, 1);
        GradCheck.of(in -> in[0].where(m, in[1])).inputs(Inputs.uniform(45, -2f, 2f, 3, 4),
                Inputs.uniform(46, -2f, 2f, 3, 4)).names("a", "b").assertGradientsMatch();
    }

    @Test
    void secondDerivativeMatchesFiniteDifferences() {
        Tensor m = mask(3, 4);
        GradCheck.of(in -> in[0].square().where(m, in[1].exp()))
                .inputs(Inputs.uniform(47, -2f, 2f, 3, 4), Inputs.uniform(48, -2f, 2f, 3, 1))
                .names("a", "b").assertSecondOrderMatches();
    }

    @Test
    void constantOperandGetsNoGradient() {
        Tensor m = mask(3, 4);
        Variable b = Variable.constant(Tensor.zeros(3, 4));
        GradCheck.of(in -> in[0].where(m, in[1])).inputs(Inputs.uniform(49, -2f, 2f, 3, 4), b)
                .names("a", "b").assertGradientsMatch();
    }
}
