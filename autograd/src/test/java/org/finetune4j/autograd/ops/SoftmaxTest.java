package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Softmax and log-softmax over axis 0, 1, 2 and −1 of x (2, 3, 4) (ops/Softmax.java). The fused
 * backward kernel and the recorded formula (double backward) are both checked and compared.
 */
final class SoftmaxTest {

    private static Variable x() {
        return Inputs.uniform(130, -3f, 3f, 2, 3, 4);
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2, -1})
    void softmaxBackwardMatchesFiniteDifferences(int axis) {
        GradCheck check = GradCheck.of(in -> in[0].softmax(axis)).inputs(x()).names("x");
        check.assertGradientsMatch();
        check.assertSecondOrderMatches();
        check.assertBackwardPathsAgree(1e-4, 1e-6);
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2, -1})
    void logSoftmaxBackwardMatchesFiniteDifferences(int axis) {
        GradCheck check = GradCheck.of(in -> in[0].logSoftmax(axis)).inputs(x()).names("x");
        check.assertGradientsMatch();
        check.assertSecondOrderMatches();
        check.assertBackwardPathsAgree(1e-4, 1e-6);
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, -1})
    void forwardEqualsCompositionOfPrimitives(int axis) {
        Variable x = x();
        Variable e = x.exp();
        Variable softmax = e.div(e.sum(true, axis));
        Variable logSoftmax = x.sub(e.sum(true, axis).log());
        GradCheck.assertAllClose("softmax(x, " + axis + ")", x.softmax(axis).value(),
                softmax.value(), 1e-5, 1e-7);
        GradCheck.assertAllClose("logSoftmax(x, " + axis + ")", x.logSoftmax(axis).value(),
                logSoftmax.value(), 1e-5, 1e-6);
    }
}
