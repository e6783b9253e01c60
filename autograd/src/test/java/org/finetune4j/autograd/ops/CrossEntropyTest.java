package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cross-entropy of logits (4, 5) against hard labels and soft targets, each reduction
 * (ops/CrossEntropy.java). Soft targets are differentiated too (knowledge distillation).
 */
final class CrossEntropyTest {
    private static final int[] LABELS = {3, 0, 4, 0};

    private static Variable logits() {
        return Inputs.uniform(140, -3f, 3f, 4, 5);
    }

    /** Rows of a softmax: targets that sum to one, as distillation uses them, but a param. */
    private static Variable targets() {
        Tensor raw = Tensor.uniform(Rng.seeded(141), -1f, 1f, 4, 5);
        return Variable.param(raw.backend().softmax(raw, 1));
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void hardLabelsMatchFiniteDifferences(Reduction r) {
        GradCheck check = GradCheck.of(in -> in[0].crossEntropy(LABELS, r)).inputs(logits())
                .names("logits");
        check.assertGradientsMatch();
        check.assertSecondOrderMatches();
        check.assertBackwardPathsAgree(1e-4, 1e-6);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void softTargetsMatchFiniteDifferencesForLogitsAndTargets(Reduction r) {
        GradCheck check = soft(r, targets());
        check.assertGradientsMatch();
        check.assertSecondOrderMatches();
        check.assertBackwardPathsAgree(1e-4, 1e-6);
    }

    private static GradCheck soft(Reduction r, Variable targets) {
        return GradCheck.of(in -> in[0].crossEntropy(in[1], r)).inputs(logits(), targets)
                .names("logits", "targets");
    }

    @Test
    void softTargetsThatDoNotSumToOneAreDifferentiatedExactly() {
        // dz = softmax·Σt − t: the Σt factor matters only when rows do not sum to one.
        Variable t = Inputs.uniform(142, 0f, 1f, 4, 5);
        soft(Reduction.SUM, t).assertGradientsMatch();
    }

    @Test
    void constantTargetsGetNoGradient() {
        Variable t = Variable.constant(targets().value());
        soft(Reduction.MEAN, t).assertGradientsMatch();
    }

    @Test
    void forwardEqualsNegativeLogSoftmaxAtTheLabels() {
        Variable z = logits();
        Variable expected = z.logSoftmax(1).indexSelect(1, LABELS);    // (4, 4): −loss on diagonal
        float[] e = expected.value().toArray();
        float[] diagonal = new float[4];
        for (int i = 0; i < 4; i++) diagonal[i] = -e[i * 4 + i];
        Variable hard = z.crossEntropy(LABELS, Reduction.NONE);
        GradCheck.assertAllClose("crossEntropy(z, labels)", hard.value(), Tensor.of(diagonal, 4),
                1e-5, 1e-6);
        Variable t = targets();
        Variable soft = z.logSoftmax(1).mul(t).sum(false, 1).neg();
        GradCheck.assertAllClose("crossEntropy(z, t)", z.crossEntropy(t, Reduction.NONE).value(),
                soft.value(), 1e-5, 1e-6);
    }

    @Test
    void meanIsTheSumOverTheBatchSize() {
        Variable z = logits();
        float mean = z.crossEntropy(LABELS, Reduction.MEAN).item();
        float sum = z.crossEntropy(LABELS, Reduction.SUM).item();
        GradCheck.assertAllClose("mean · n", Tensor.scalar(mean * 4), Tensor.scalar(sum), 1e-6,
                1e-6);
    }
}
