package org.finetune4j.autograd.ops;

import java.util.List;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Graph;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * y = g·a + (1 − g)·b with paths a, b (2, 3, 2, 3) and the gate in all four accepted layouts:
 * (2), (2, 1, 1, 1) per sample, (2, 3), (2, 3, 1, 1) per channel (ops/GatedBlend.java). The fused
 * kernel, the composed double-backward path and the blend built from primitives must all agree.
 */
final class GatedBlendTest {

    static List<int[]> gateShapes() {
        return List.of(new int[] {2}, new int[] {2, 1, 1, 1}, new int[] {2, 3},
                new int[] {2, 3, 1, 1});
    }

    private static Variable gate(int... dims) {
        return Inputs.uniform(170, 0.1f, 0.9f, dims);
    }

    private static Variable a() {
        return Inputs.uniform(171, -2f, 2f, 2, 3, 2, 3);
    }

    private static Variable b() {
        return Inputs.uniform(172, -2f, 2f, 2, 3, 2, 3);
    }

    private static GradCheck blend(Variable g) {
        return GradCheck.of(in -> in[0].gatedBlend(in[1], in[2])).inputs(g, a(), b())
                .names("g", "a", "b");
    }

    /** The blend from primitive ops: the gate reshaped to broadcast over (h, w) (and c). */
    private static Variable composed(Variable g, Variable a, Variable b) {
        int c = g.value().size() == a.dim(0) ? 1 : a.dim(1);
        Variable gate = g.reshape(a.dim(0), c, 1, 1);
        return gate.mul(a).add(gate.rsub(1f).mul(b));
    }

    @ParameterizedTest(name = "gate {0}")
    @MethodSource("gateShapes")
    void everyGateLayoutMatchesFiniteDifferences(int[] gateDims) {
        blend(gate(gateDims)).assertGradientsMatch();
        blend(gate(gateDims)).assertSecondOrderMatches();
    }

    @ParameterizedTest(name = "gate {0}")
    @MethodSource("gateShapes")
    void fusedBackwardEqualsComposedBackward(int[] gateDims) {
        blend(gate(gateDims)).assertBackwardPathsAgree(1e-5, 1e-7);
    }

    @ParameterizedTest(name = "gate {0}")
    @MethodSource("gateShapes")
    void forwardAndBackwardEqualTheBlendOfPrimitives(int[] gateDims) {
        Variable g = gate(gateDims);
        Variable a = a();
        Variable b = b();
        Variable dy = Variable.constant(GradCheck.upstream(a.shape(), 173));
        Variable fused = g.gatedBlend(a, b);
        Variable expected = composed(g, a, b);
        GradCheck.assertAllClose("gatedBlend, gate " + g.shape(), fused.value(),
                expected.value(), 0, 1e-7);
        List<Variable> wrt = List.of(g, a, b);
        List<Variable> got = Graph.grad(List.of(fused), wrt, List.of(dy), false, false);
        List<Variable> want = Graph.grad(List.of(expected), wrt, List.of(dy), false, false);
        String[] names = {"dg", "da", "db"};
        for (int k = 0; k < 3; k++) {
            GradCheck.assertAllClose(names[k] + ", gate " + g.shape(), got.get(k).value(),
                    want.get(k).value(), 1e-5, 1e-7);
        }
    }

    @Test
    void constantGateAndFrozenPathGetNoGradient() {
        Variable g = Variable.constant(gate(2, 3).value());
        Variable b = Variable.constant(b().value());
        GradCheck.of(in -> in[0].gatedBlend(in[1], in[2])).inputs(g, a(), b)
                .names("g", "a", "b").assertGradientsMatch();
        Variable onlyGate = gate(2);
        GradCheck.of(in -> in[0].gatedBlend(in[1], in[2]))
                .inputs(onlyGate, Variable.constant(a().value()), b).names("g", "a", "b")
                .assertGradientsMatch();
    }

    @Test
    void pathsSharingAnInputAreDifferentiatedOnceOnBothPaths() {
        // SpotTune: both paths read the same block input x (b = 0.5·x + c stands in for the
        // frozen block), so the composed path must give partial derivatives.
        Variable c = Variable.constant(b().value());
        GradCheck.Fn f = in -> in[0].gatedBlend(in[1], in[1].mul(0.5f).add(c));
        GradCheck check = GradCheck.of(f).inputs(gate(2, 3), a()).names("g", "x");
        check.assertGradientsMatch();
        check.assertBackwardPathsAgree(1e-5, 1e-7);
        check.assertSecondOrderMatches();
    }

    @Test
    void gateFromAGumbelSoftmaxIsDifferentiatedThroughBothOps() {
        // SpotTune's policy: logits (n, 2) per block, gate = the first entry of the soft sample.
        Tensor noise = Tensor.gumbel(Rng.seeded(174), 2, 2);
        GradCheck.Fn f = in -> in[0].gumbelSoftmaxGate(noise, 1f, false).slice(1, 0, 1)
                .reshape(2).gatedBlend(in[1], in[2]);
        GradCheck check = GradCheck.of(f).inputs(Inputs.uniform(175, -1f, 1f, 2, 2), a(), b())
                .names("logits", "a", "b");
        check.assertGradientsMatch();
        check.assertBackwardPathsAgree(1e-5, 1e-7);
    }

    @Test
    void gateOfOneSelectsTheFirstPathAndZeroTheSecond() {
        Variable a = a();
        Variable b = b();
        Variable g = Variable.constant(Tensor.of(new float[] {1f, 0f}, 2));
        Variable y = g.gatedBlend(a, b);
        GradCheck.assertAllClose("blend with gate 1", y.value().slice(0, 0, 1),
                a.value().slice(0, 0, 1), 0, 0);
        GradCheck.assertAllClose("blend with gate 0", y.value().slice(0, 1, 2),
                b.value().slice(0, 1, 2), 0, 0);
    }
}
