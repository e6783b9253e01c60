package org.finetune4j.autograd.ops;

import java.util.List;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Graph;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * d_i = Σ_c w_ic · mean_hw (s − t)², s, t (2, 3, 2, 3), weights (n, c) or (c)
 * (ops/WeightedFeatureDistance.java). All three inputs are differentiated; the fused kernel, the
 * composed double-backward path and the composition of primitives must all agree.
 */
final class WeightedFeatureDistanceTest {

    private static Variable s() {
        return Inputs.uniform(160, -2f, 2f, 2, 3, 2, 3);
    }

    private static Variable t() {
        return Inputs.uniform(161, -2f, 2f, 2, 3, 2, 3);
    }

    private static Variable weights(int... dims) {
        return Inputs.uniform(162, 0.1f, 1f, dims);
    }

    private static GradCheck distance(Variable w) {
        return GradCheck.of(in -> in[0].weightedFeatureDistance(in[1], in[2])).inputs(s(), t(), w)
                .names("s", "t", "weights");
    }

    @Test
    void perSampleWeightsMatchFiniteDifferences() {
        distance(weights(2, 3)).assertGradientsMatch();
        distance(weights(2, 3)).assertSecondOrderMatches();
    }

    @Test
    void perChannelWeightsMatchFiniteDifferences() {
        distance(weights(3)).assertGradientsMatch();
        distance(weights(3)).assertSecondOrderMatches();
    }

    @Test
    void fusedBackwardEqualsComposedBackward() {
        distance(weights(2, 3)).assertBackwardPathsAgree(1e-4, 1e-6);
        distance(weights(3)).assertBackwardPathsAgree(1e-4, 1e-6);
    }

    @Test
    void constantTeacherAndWeightsGetNoGradient() {
        Variable t = Variable.constant(t().value());
        Variable w = Variable.constant(weights(3).value());
        GradCheck.of(in -> in[0].weightedFeatureDistance(in[1], in[2])).inputs(s(), t, w)
                .names("s", "t", "weights").assertGradientsMatch();
    }

    @Test
    void forwardEqualsCompositionOfPrimitives() {
        for (Variable w : new Variable[] {weights(2, 3), weights(3)}) {
            Variable expected = s().sub(t()).square().mean(false, 2, 3).mul(w).sum(false, 1);
            GradCheck.assertAllClose("weightedFeatureDistance, weights " + w.shape(),
                    s().weightedFeatureDistance(t(), w).value(), expected.value(), 1e-5, 1e-6);
        }
    }

    @Test
    void uniformWeightsGiveTheMeanSquaredDistanceTimesChannels() {
        Variable ones = Variable.constant(Tensor.ones(3));
        Variable mse = s().sub(t()).square().mean(false, 1, 2, 3).mul(3f);     // (n)
        Variable d = s().weightedFeatureDistance(t(), ones);
        GradCheck.assertAllClose("weightedFeatureDistance, weights 1", d.value(), mse.value(), 1e-5,
                1e-6);
    }

    @Test
    void teacherDerivedFromTheStudentIsDifferentiatedOnceOnBothPaths() {
        // t = 0.5·s + c shares s's ancestry; the composed path must still give partial derivatives
        // for s and t, so the engine's own step through t → s is not counted twice.
        Variable c = Variable.constant(t().value());
        Variable w = weights(2, 3);
        GradCheck.Fn f = in -> in[0].weightedFeatureDistance(in[0].mul(0.5f).add(c), in[1]);
        GradCheck check = GradCheck.of(f).inputs(s(), w).names("s", "weights");
        check.assertGradientsMatch();
        check.assertBackwardPathsAgree(1e-4, 1e-6);
    }

    @Test
    void weightsComputedFromTheStudentAreDifferentiatedOnceOnBothPaths() {
        // L2T-ww-like: weights = softmax(pooled features); the same graph feeds s and w.
        Variable t = Variable.constant(t().value());
        GradCheck.Fn f = in -> in[0].weightedFeatureDistance(t, in[0].mean(false, 2, 3).softmax(1));
        GradCheck.of(f).inputs(s()).names("s").assertGradientsMatch();
        GradCheck.of(f).inputs(s()).names("s").assertBackwardPathsAgree(1e-4, 1e-6);
        GradCheck.of(f).inputs(s()).names("s").assertSecondOrderMatches();
    }

    @Test
    void sameTensorAsStudentAndTeacherGivesZeroGradient() {
        Variable s = s();
        Variable y = s.weightedFeatureDistance(s, weights(3));
        Variable dy = Variable.constant(Tensor.ones(2));
        for (boolean createGraph : new boolean[] {false, true}) {
            Tensor g = Graph.grad(List.of(y), List.of(s), List.of(dy), true, createGraph).get(0)
                    .value();
            GradCheck.assertAllClose("d/ds distance(s, s), createGraph " + createGraph, g,
                    g.zerosLike(), 0, 1e-7);
        }
    }
}
