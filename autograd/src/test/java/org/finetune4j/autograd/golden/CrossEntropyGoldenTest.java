package org.finetune4j.autograd.golden;

import static org.finetune4j.autograd.Golden.assertClose;

import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Golden.Case;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Cross-entropy against F.cross_entropy (fixture golden/crossentropy.json): integer labels and
 * probability targets (PyTorch ≥ 1.10 accepts those), reductions mean, sum and none; gradients of
 * the logits and, for soft targets, of the targets too (distillation differentiates both sides).
 * One case has target rows that do not sum to one, where dz = softmax·Σ_k t − t differs from the
 * textbook softmax − t.
 */
final class CrossEntropyGoldenTest {
    // Losses are O(1) log-sum-exps of ≤ 17 terms; gradients are differences of probabilities.
    private static final double ATOL = 2e-6;
    private static final double RTOL = 1e-5;

    @TestFactory
    Stream<DynamicTest> lossAndGradientsMatchPyTorch() {
        return Golden.load("crossentropy").cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Variable logits = c.param("logits");                          // (n, k)
        Reduction reduction = Reduction.valueOf(c.stringParam("reduction").toUpperCase());
        boolean soft = c.boolParam("soft");
        Variable targets = soft ? c.param("targets") : null;          // (n, k) probabilities
        Variable loss = soft ? logits.crossEntropy(targets, reduction)
                : logits.crossEntropy(c.ints("labels"), reduction);
        assertClose(c.tensor("loss"), loss.value(), ATOL, RTOL, c.what("loss"));

        loss.backward(c.tensor("dy"));                        // () for mean and sum, (n) for none
        assertClose(c.tensor("dlogits"), logits.gradValue(), ATOL, RTOL, c.what("dlogits"));
        if (soft) {
            assertClose(c.tensor("dtargets"), targets.gradValue(), ATOL, RTOL, c.what("dtargets"));
        }
    }
}
