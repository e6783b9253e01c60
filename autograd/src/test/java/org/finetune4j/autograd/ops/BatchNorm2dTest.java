package org.finetune4j.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Graph;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Batch norm in training and evaluation mode, rank 4 (n, c, h, w) and rank 2 (n, c) inputs
 * (ops/BatchNorm2d.java). The training backward has two paths, the fused kernel and the
 * composition of primitives used for double backward; both are checked and compared.
 */
final class BatchNorm2dTest {
    private static final float EPS = 1e-5f;

    private static Variable gamma() {
        return Inputs.uniform(90, 0.5f, 1.5f, 3);
    }

    private static Variable beta() {
        return Inputs.uniform(91, -0.5f, 0.5f, 3);
    }

    private static GradCheck train(Variable x) {
        return GradCheck.of(in -> in[0].batchNorm(in[1], in[2], null, null, 0.1f, EPS))
                .inputs(x, gamma(), beta()).names("x", "gamma", "beta");
    }

    @Test
    void trainingBackwardMatchesFiniteDifferencesForRank4() {
        train(Inputs.uniform(92, -2f, 2f, 2, 3, 3, 3)).assertGradientsMatch();
    }

    @Test
    void trainingBackwardMatchesFiniteDifferencesForRank2() {
        train(Inputs.uniform(93, -2f, 2f, 8, 3)).assertGradientsMatch();
    }

    @Test
    void trainingSecondDerivativeMatchesFiniteDifferences() {
        train(Inputs.uniform(94, -2f, 2f, 2, 3, 2, 2)).assertSecondOrderMatches();
        train(Inputs.uniform(95, -2f, 2f, 6, 3)).assertSecondOrderMatches();
    }

    @Test
    void fusedBackwardEqualsComposedBackward() {
        train(Inputs.uniform(96, -2f, 2f, 2, 3, 3, 3)).assertBackwardPathsAgree(1e-4, 1e-5);
        train(Inputs.uniform(97, 3f, 5f, 8, 3)).assertBackwardPathsAgree(1e-4, 1e-5);   // |μ| ≫ σ
    }

    @Test
    void trainingForwardEqualsCompositionOfPrimitives() {
        Variable x = Inputs.uniform(98, -2f, 2f, 2, 3, 2, 3);
        Variable g = gamma();
        Variable b = beta();
        Variable mu = x.mean(true, 0, 2, 3);
        Variable var = x.variance(true, 0, 0, 2, 3);
        Variable expected = x.sub(mu).div(var.add(EPS).sqrt()).mul(g.reshape(1, 3, 1, 1))
                .add(b.reshape(1, 3, 1, 1));
        Variable y = x.batchNorm(g, b, null, null, 0.1f, EPS);
        GradCheck.assertAllClose("batchNorm(x)", y.value(), expected.value(), 1e-5, 1e-5);
    }

    @Test
    void trainingUpdatesRunningStatisticsOnceWithTheUnbiasedVariance() {
        Variable x = Inputs.uniform(99, -2f, 2f, 2, 3, 2, 2);         // m = 8 values per channel
        Tensor runningMean = Tensor.of(new float[] {0.5f, 0f, -1f}, 3);
        Tensor runningVar = Tensor.ones(3);
        Variable y = x.batchNorm(gamma(), beta(), runningMean, runningVar, 0.1f, EPS);
        float[] v = x.value().toArray();
        float[] m0 = {0.5f, 0f, -1f};
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sumSq = 0;
            for (int n = 0; n < 2; n++) {
                for (int p = 0; p < 4; p++) sum += v[n * 12 + c * 4 + p];
            }
            double mean = sum / 8;
            for (int n = 0; n < 2; n++) {
                for (int p = 0; p < 4; p++) sumSq += Math.pow(v[n * 12 + c * 4 + p] - mean, 2);
            }
            assertEquals(0.9 * m0[c] + 0.1 * mean, runningMean.get(c), 1e-6, "running mean " + c);
            assertEquals(0.9 + 0.1 * sumSq / 7, runningVar.get(c), 1e-6, "running var " + c);
        }
        float[] before = runningMean.toArray();
        Variable dy = Variable.constant(GradCheck.upstream(y.shape(), 1));
        Graph.grad(List.of(y), List.of(x), List.of(dy), true, true);   // the composed backward
        assertArrayEquals(before, runningMean.toArray(), "the composed backward updated it again");
    }

    private static Variable eval(Variable x, Variable g, Variable b) {
        Tensor runningMean = Tensor.of(new float[] {0.2f, -0.1f, 0.4f}, 3);
        Tensor runningVar = Tensor.of(new float[] {0.8f, 1.3f, 0.5f}, 3);
        return x.batchNormEval(g, b, runningMean, runningVar, EPS);
    }

    @Test
    void evaluationBackwardMatchesFiniteDifferences() {
        Variable[] inputs = {Inputs.uniform(100, -2f, 2f, 2, 3, 3, 3),
            Inputs.uniform(101, -2f, 2f, 8, 3)};
        for (Variable x : inputs) {
            GradCheck check = GradCheck.of(in -> eval(in[0], in[1], in[2]))
                    .inputs(x, gamma(), beta()).names("x", "gamma", "beta");
            check.assertGradientsMatch();
            check.assertSecondOrderMatches();
        }
    }

    @Test
    void evaluationForwardUsesTheRunningStatistics() {
        Variable x = Variable.constant(Tensor.uniform(Rng.seeded(102), -2f, 2f, 4, 3));
        Variable g = gamma();
        Variable b = beta();
        Variable mu = Variable.constant(Tensor.of(new float[] {0.2f, -0.1f, 0.4f}, 1, 3));
        Variable var = Variable.constant(Tensor.of(new float[] {0.8f, 1.3f, 0.5f}, 1, 3));
        Variable expected = x.sub(mu).div(var.add(EPS).sqrt()).mul(g).add(b);
        GradCheck.assertAllClose("batchNormEval(x)", eval(x, g, b).value(), expected.value(), 1e-5,
                1e-6);
    }
}
