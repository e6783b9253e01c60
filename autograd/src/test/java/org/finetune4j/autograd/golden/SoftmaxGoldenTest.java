package org.finetune4j.autograd.golden;

import static org.finetune4j.autograd.Golden.assertClose;

import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Golden.Case;
import org.finetune4j.autograd.Variable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Softmax and log-softmax against PyTorch over different axes of 2-, 3- and 4-d inputs (fixture
 * golden/softmax.json), including logits offset by ±80, where a softmax without the max shift
 * overflows or underflows in float32.
 */
final class SoftmaxGoldenTest {
    // Probabilities lie in [0, 1]; log-probabilities down to about −40 for the wide cases, where
    // float32 carries ~4e-6 absolute: rtol covers those, atol the small probabilities.
    private static final double ATOL = 2e-6;
    private static final double RTOL = 1e-5;

    @TestFactory
    Stream<DynamicTest> forwardAndGradientsMatchPyTorch() {
        return Golden.load("softmax").cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Variable x = c.param("x");
        int axis = c.intParam("axis");
        Variable y = c.stringParam("op").equals("softmax") ? x.softmax(axis) : x.logSoftmax(axis);
        assertClose(c.tensor("y"), y.value(), ATOL, RTOL, c.what("y"));

        y.backward(c.tensor("dy"));
        assertClose(c.tensor("dx"), x.gradValue(), ATOL, RTOL, c.what("dx"));
    }
}
