package org.finetune4j.methods.l2sp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.methods.Baseline;
import org.finetune4j.methods.BaselineConfig;
import org.finetune4j.methods.Fixtures;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.methods.Objective;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Equation-level checks of Ω(w) = α/2‖w_S − w_S⁰‖² + β/2‖w_S̄‖² (spec l2sp.md, section 7). */
class L2spTest {
    private static final String PROBE = "layer2.0.conv1.weight";   // (32, 16, 3, 3)

    private static double sumSquares(Map<String, Parameter> params) {
        double s = 0;
        for (Parameter p : params.values()) {
            for (float v : p.value().toArray()) s += (double) v * v;
        }
        return s;
    }

    /** Adds N(0, std²) noise to one parameter in place; returns the noise. */
    private static float[] perturb(Parameter p, float std, long seed) {
        Tensor delta = Tensor.normal(Rng.seeded(seed), 0f, std, p.value().shape().dims());
        p.value().addInPlace(1f, delta);
        return delta.toArray();
    }

    @Test
    void penaltyIsZeroWithZeroGradientAtTheStartingPoint() {
        ResNet model = Fixtures.mini(1);
        L2sp m = new L2sp(model, L2spConfig.defaults().withAlphaBeta(0.1, 0.01));
        Variable start = L2sp.omegaStart(m.startingPoint(), model.backboneParameters(), 0.1);
        assertEquals(0f, start.item(), 0f, "omega_start at w = w0");
        start.backward();
        model.backboneParameters().forEach((k, p) -> {
            for (float g : p.grad().toArray()) assertEquals(0f, g, 0f, "grad of " + k);
        });
        // head term: β/2 Σ head² with β = 0.01
        double expected = 0.01 / 2 * sumSquares(model.headParameters());
        assertEquals(expected, L2sp.omegaHead(model.headParameters(), 0.01).item(),
                1e-6 * expected, "omega_head");
    }

    @Test
    void startTermGradientIsExactlyAlphaTimesDisplacement() {
        ResNet model = Fixtures.mini(2);
        double alpha = 0.1;
        L2sp m = new L2sp(model, L2spConfig.defaults().withAlphaBeta(alpha, 0.01));
        Parameter p = model.backboneParameters().get(PROBE);
        perturb(p, 0.05f, 11);
        float[] w = p.value().toArray();
        float[] w0 = m.startingPoint().get(PROBE).toArray();
        double sq = 0;
        for (int i = 0; i < w.length; i++) sq += (double) (w[i] - w0[i]) * (w[i] - w0[i]);

        Variable start = L2sp.omegaStart(m.startingPoint(), model.backboneParameters(), alpha);
        assertEquals(alpha / 2 * sq, start.item(), 1e-5 * alpha / 2 * sq, "α/2 ‖δ‖²");
        start.backward();
        float[] g = p.grad().toArray();
        for (int i = 0; i < g.length; i++) {
            // d/dw of α/2 (w − w0)² is α (w − w0); in float: (α/2)·2(w − w0) rounds the same way
            assertEquals((float) alpha * (w[i] - w0[i]), g[i], 0f, PROBE + "[" + i + "] grad");
        }
        for (float v : model.backboneParameters().get("conv1.weight").grad().toArray()) {
            assertEquals(0f, v, 0f, "conv1.weight was not perturbed");
        }
    }

    @Test
    void headTermGradientIsExactlyBetaTimesWeight() {
        ResNet model = Fixtures.mini(3);
        double beta = 0.03;
        L2sp.omegaHead(model.headParameters(), beta).backward();
        for (Map.Entry<String, Parameter> e : model.headParameters().entrySet()) {
            float[] w = e.getValue().value().toArray();
            float[] g = e.getValue().grad().toArray();
            for (int i = 0; i < w.length; i++) {
                assertEquals((float) beta * w[i], g[i], 0f, e.getKey() + "[" + i + "] grad");
            }
        }
    }

    @Test
    void penaltyGradientMatchesCentralDifferences() {
        ResNet model = Fixtures.mini(4);
        L2sp m = new L2sp(model, L2spConfig.defaults().withAlphaBeta(1.0, 1.0));
        Map<String, Parameter> params = model.namedParameters();
        perturb(params.get("bn1.weight"), 0.1f, 12);
        perturb(params.get("layer3.1.bn2.bias"), 0.1f, 13);
        m.penalty().backward();
        for (String k : List.of("bn1.weight", "layer3.1.bn2.bias", "fc.weight", "fc.bias")) {
            Parameter p = params.get(k);
            double[] numeric = GradCheck.numericGradient(p.value(), 1e-2, () -> m.penalty().item());
            GradCheck.assertAllClose(k + " grad", p.grad(), numeric, 1e-3, 1e-4);
        }
    }

    @Test
    void explicitL2IsL2spWithAZeroStartingPoint() {
        ResNet model = Fixtures.mini(5);
        L2sp l2 = L2sp.towardsZero(model, L2spConfig.defaults().withAlphaBeta(0.1, 0.02));
        double expected = 0.1 / 2 * sumSquares(model.backboneParameters())
                + 0.02 / 2 * sumSquares(model.headParameters());
        assertEquals(expected, l2.penalty().item(), 1e-5 * expected, "α/2‖w_S‖² + β/2‖w_S̄‖²");
        Variable viaZeros = L2sp.penalty(StartingPoint.zeros(model.backboneParameters()),
                model.backboneParameters(), model.headParameters(), 0.1, 0.02);
        assertEquals(viaZeros.item(), l2.penalty().item(), 0f, "same Ω as L2-SP with w0 = 0");
    }

    @Test
    void explicitL2TrainsLikeSgdWeightDecayOfAlpha() {
        // spec test 4: with w0 = 0 and α = β = wd, the in-loss penalty equals SGD weight decay
        ResNet a = Fixtures.mini(6);
        ResNet b = a.copy();
        L2sp l2 = L2sp.towardsZero(a, new L2spConfig(0.05, 0.05, 0.01, 0.9, 1.0));
        Baseline ft = Baseline.fineTune(b, new BaselineConfig(0.01, 0.9, 0.05, 1.0));
        for (int s = 0; s < 3; s++) {
            l2.step(Fixtures.batch(200 + s));
            ft.step(Fixtures.batch(200 + s));
        }
        Map<String, Tensor> sb = b.stateDict();
        a.stateDict().forEach((k, t) -> GradCheck.assertAllClose(k, t, sb.get(k), 1e-4, 1e-6));
    }

    @Test
    void stepReturnsTaskAndBothOmegaTermsAndNeverMovesTheStartingPoint() {
        ResNet model = Fixtures.mini(7);
        L2sp m = new L2sp(model, L2spConfig.defaults());
        Map<String, float[]> loaded = Fixtures.snapshot(model);
        LossTerms first = m.step(Fixtures.batch(300));
        assertEquals(List.of("task", "omega_start", "omega_head"),
                List.copyOf(first.asMap().keySet()));
        assertEquals(0f, first.get("omega_start"), 0f, "no displacement before the first update");
        LossTerms t = first;
        for (int s = 1; s < 4; s++) t = m.step(Fixtures.batch(300 + s));
        assertTrue(t.get("omega_start") > 0, "backbone moved, so omega_start > 0: " + t);
        assertEquals(t.get("task") + t.get("omega_start") + t.get("omega_head"), t.total(), 1e-6f);
        for (String k : m.startingPoint().names()) {
            assertArrayEquals(loaded.get(k), m.startingPoint().get(k).toArray(), "w0 of " + k);
        }
        for (ParamGroup g : m.parameterGroups()) assertEquals(0.0, g.weightDecay(), 0.0);
    }

    @Test
    void batchNormRunningStatisticsAreNotPenalised() {
        ResNet model = Fixtures.mini(8);
        L2sp m = new L2sp(model, L2spConfig.defaults());
        perturb(model.backboneParameters().get(PROBE), 0.05f, 14);
        float before = m.penalty().item();
        model.namedBuffers().get("bn1.running_mean").fillInPlace(3f);
        model.namedBuffers().get("layer1.0.bn1.running_var").fillInPlace(7f);
        assertEquals(before, m.penalty().item(), 0f, "Ω changed with BN buffers");
    }

    @Test
    void penaltyAloneContractsTowardsTheStartingPointGeometrically() {
        // spec test 5: plain SGD on α/2‖w − w0‖² gives w_k − w0 = (1 − lr·α)^k (w_start − w0)
        ResNet model = Fixtures.mini(9);
        double alpha = 0.5;
        double lr = 0.1;
        StartingPoint w0 = StartingPoint.snapshot(model.backboneParameters());
        Parameter p = model.backboneParameters().get(PROBE);
        float[] delta = perturb(p, 0.05f, 15);
        float[] anchor = w0.get(PROBE).toArray();
        Sgd sgd = new Sgd(List.of(ParamGroup.of(model.backboneParameters(), lr, 0)),
                Sgd.Options.plain());
        int k = 4;
        for (int s = 0; s < k; s++) {
            Objective.minimise(sgd, Map.of("omega_start",
                    L2sp.omegaStart(w0, model.backboneParameters(), alpha)));
        }
        double factor = Math.pow(1 - lr * alpha, k);
        double[] expected = new double[delta.length];
        for (int i = 0; i < delta.length; i++) expected[i] = anchor[i] + factor * delta[i];
        GradCheck.assertAllClose(PROBE + " after " + k + " steps", p.value(), expected, 1e-5, 1e-6);
    }

    @Test
    void zeroAlphaAndBetaReproduceFineTuningWithoutWeightDecayBitForBit() {
        // spec test 3: same seed, same batches, α = β = 0 against the fine-tune baseline, wd 0
        ResNet a = Fixtures.mini(10);
        ResNet b = a.copy();
        L2sp sp = new L2sp(a, new L2spConfig(0, 0, 0.01, 0.9, 1.0));
        Baseline ft = Baseline.fineTune(b, new BaselineConfig(0.01, 0.9, 0, 1.0));
        for (int s = 0; s < 3; s++) {
            LossTerms ta = sp.step(Fixtures.batch(400 + s));
            LossTerms tb = ft.step(Fixtures.batch(400 + s));
            assertEquals(tb.get("task"), ta.get("task"), 0f, "task loss at step " + s);
        }
        Map<String, float[]> sb = Fixtures.snapshot(b);
        Fixtures.snapshot(a).forEach((k, v) -> assertArrayEquals(sb.get(k), v, k));
    }
}
