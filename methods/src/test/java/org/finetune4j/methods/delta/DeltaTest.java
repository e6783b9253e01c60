package org.finetune4j.methods.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.methods.Baseline;
import org.finetune4j.methods.BaselineConfig;
import org.finetune4j.methods.Fixtures;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.methods.l2sp.L2sp;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.resnet.Features;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.Stage;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Equation-level checks of J(w) = CE + α·Ω_att + β/2‖w_head‖² (spec delta.md §7). */
class DeltaTest {

    /** Adds N(0, std²) noise to one parameter in place. */
    private static void perturb(Parameter p, float std, long seed) {
        p.value().addInPlace(1f, Tensor.normal(Rng.seeded(seed), 0f, std,
                p.value().shape().dims()));
    }

    private static Features features(ResNet net, Batch batch) {
        return net.forwardWithFeatures(Variable.constant(batch.images()));
    }

    @Test
    void behaviourTermIsZeroWithZeroGradientWhenBothNetworksAreInEvalMode() {
        ResNet model = Fixtures.mini(1);
        Delta m = new Delta(model, ChannelAttention.uniform(model), DeltaConfig.defaults());
        model.eval();
        Batch batch = Fixtures.batch(5);
        Variable omega = Delta.omegaBehaviour(features(model, batch),
                m.sourceFeatures(batch.images()), m.attention(), 0.5);
        assertEquals(0f, omega.item(), 0f, "omega_behaviour at w = w0, both eval");
        omega.backward();
        assertTrue(model.namedParameters().get("conv1.weight").grad() != null,
                "the term reaches the stem");
        model.backboneParameters().forEach((k, p) -> {
            if (p.grad() == null) return;          // after the last tap (layer3.1.bn2): no path
            for (float g : p.grad().toArray()) assertEquals(0f, g, 0f, "grad of " + k);
        });
    }

    @Test
    void behaviourTermIsNonZeroAtStepZeroWithStudentInTrainAndSourceInEvalMode() {
        ResNet model = Fixtures.mini(1);
        Delta m = new Delta(model, ChannelAttention.uniform(model), DeltaConfig.defaults());
        LossTerms terms = m.step(Fixtures.batch(5));
        // batch vs running BN statistics upstream of the taps (spec §7, test 4)
        assertTrue(terms.get("omega_behaviour") > 0, "omega_behaviour " + terms);
    }

    @Test
    void uniformAttentionEqualsThePlainNormalisedFeatureDistance() {
        ResNet model = Fixtures.mini(2);
        Delta m = new Delta(model, ChannelAttention.uniform(model), DeltaConfig.defaults());
        perturb(model.namedParameters().get("layer1.0.conv1.weight"), 0.05f, 9);
        model.eval();
        Batch batch = Fixtures.batch(6);
        Features s = features(model, batch);
        Features t = m.sourceFeatures(batch.images());
        double alpha = 0.3;
        float actual = Delta.omegaBehaviour(s, t, m.attention(), alpha).item();
        // α · ½ Σ_l Σᵢ Σ_c mean_p diff², with plain Variable ops
        Variable expected = null;
        for (Stage stage : List.of(Stage.F1, Stage.F2, Stage.F3)) {
            Variable d = s.preBn(stage).sub(t.preBn(stage));
            int hw = d.shape().dim(2) * d.shape().dim(3);
            Variable term = d.square().sum().mul(1f / hw);
            expected = expected == null ? term : expected.add(term);
        }
        float want = expected.item() * (float) (alpha / 2);
        assertTrue(want > 0, "perturbation must move the features: " + want);
        assertEquals(want, actual, 1e-5 * want, "omega_behaviour with a = 1/C");
    }

    @Test
    void attentionWeightsEachChannelByCTimesA() {
        ResNet model = Fixtures.mini(2);
        List<Tensor> a = ChannelAttention.uniform(model);
        float[] first = a.get(0).data();                          // layer 1, 16 channels
        Arrays.fill(first, 0f);
        first[3] = 1f;                                            // all attention on channel 3
        Delta m = new Delta(model, a, DeltaConfig.defaults());
        perturb(model.namedParameters().get("conv1.weight"), 0.05f, 4);
        model.eval();
        Batch batch = Fixtures.batch(6);
        Features s = features(model, batch);
        Features t = m.sourceFeatures(batch.images());
        List<Tensor> onlyLayer1 = List.of(m.attention().get(0));
        float actual = Delta.omegaBehaviour(s, t, onlyLayer1, 1).item();
        Variable d = s.preBn(Stage.F1).sub(t.preBn(Stage.F1))
                .slice(1, 3, 4);                                   // channel 3: (n, 1, 28, 28)
        float want = d.square().sum().item() * 16f / (28 * 28) / 2;
        assertEquals(want, actual, 1e-5 * want, "omega = ½·16·mean_p diff², channel 3");
    }

    @Test
    void stepReturnsTheThreeTermsAndLeavesTheSourceBitIdentical() {
        ResNet model = Fixtures.mini(4);
        Delta m = new Delta(model, ChannelAttention.uniform(model),
                DeltaConfig.defaults().withAlphaBeta(0.1, 0.01));
        Map<String, float[]> source = Fixtures.snapshot(m.source());
        double head = 0;
        for (Parameter p : model.headParameters().values()) {
            for (float v : p.value().toArray()) head += (double) v * v;
        }
        LossTerms first = m.step(Fixtures.batch(7));
        assertEquals(List.of("task", "omega_behaviour", "omega_head"),
                List.copyOf(first.asMap().keySet()), "term names");
        assertEquals(0.01 / 2 * head, first.get("omega_head"), 1e-6 * head, "omega_head");
        for (int i = 0; i < 3; i++) m.step(Fixtures.batch(8 + i));
        Map<String, float[]> after = Fixtures.snapshot(m.source());
        source.forEach((k, v) -> assertArrayEquals(v, after.get(k), 0f, "source " + k));
        assertTrue(!m.source().isTraining(), "source stays in eval mode");
        float[] moved = model.namedParameters().get("layer1.0.conv1.weight").value().toArray();
        assertTrue(!Arrays.equals(moved, source.get("layer1.0.conv1.weight")),
                "the student did train");
    }

    @Test
    void headTermIsL2spsHeadTerm() {
        ResNet model = Fixtures.mini(4);
        Delta m = new Delta(model, ChannelAttention.uniform(model),
                DeltaConfig.defaults().withAlphaBeta(0, 0.02));
        float want = L2sp.omegaHead(model.headParameters(), 0.02).item();
        assertEquals(want, m.step(Fixtures.batch(7)).get("omega_head"), 0f, "omega_head");
    }

    @Test
    void behaviourGradientWithRespectToAStudentParameterMatchesFiniteDifferences() {
        ResNet model = Fixtures.mini(5);
        List<Tensor> a = ChannelAttention.compute(model, List.of(Fixtures.batch(3)), 5);
        Delta m = new Delta(model, a, DeltaConfig.defaults());
        perturb(model.namedParameters().get("conv1.weight"), 0.05f, 2);
        model.eval();
        Batch batch = Fixtures.batch(6);
        Features t = m.sourceFeatures(batch.images());
        Parameter p = model.namedParameters().get("bn1.weight");         // (16)
        Variable omega = Delta.omegaBehaviour(features(model, batch), t, a, 1);
        model.zeroGrad();
        omega.backward();
        float[] analytic = p.grad().toArray();
        double[] numeric = GradCheck.numericGradient(p.value(), 1e-2, () ->
                Delta.omegaBehaviour(features(model, batch), t, a, 1).item());
        double scale = 0;
        for (double g : numeric) scale = Math.max(scale, Math.abs(g));
        assertTrue(scale > 0, "gradient must be non-trivial");
        for (int i = 0; i < numeric.length; i++) {
            assertEquals(numeric[i], analytic[i], 2e-2 * Math.abs(numeric[i]) + 1e-3 * scale,
                    "d omega / d bn1.weight[" + i + "]");
        }
    }

    @Test
    void alphaAndBetaZeroReproducePlainFineTuningWithoutWeightDecayExactly() {
        ResNet a = Fixtures.mini(6);
        ResNet b = a.copy();
        Delta delta = new Delta(a, ChannelAttention.uniform(a),
                DeltaConfig.defaults().withAlphaBeta(0, 0));
        Baseline plain = Baseline.fineTune(b, new BaselineConfig(0.01, 0.9, 0, 1));
        for (int i = 0; i < 2; i++) {
            float ta = delta.step(Fixtures.batch(20 + i)).get("task");
            float tb = plain.step(Fixtures.batch(20 + i)).get("task");
            assertEquals(tb, ta, 0f, "task loss at step " + i);
        }
        Map<String, float[]> sb = Fixtures.snapshot(b);
        Fixtures.snapshot(a).forEach((k, v) -> assertArrayEquals(sb.get(k), v, 0f, "state " + k));
    }

    @Test
    void duplicatingTheBatchDoublesTheBehaviourTermButNotTheTaskLoss() {
        ResNet model = Fixtures.mini(7);
        Delta m = new Delta(model, ChannelAttention.uniform(model), DeltaConfig.defaults());
        perturb(model.namedParameters().get("conv1.weight"), 0.05f, 8);
        model.eval();
        Batch once = Fixtures.batch(9);
        int[] labels = new int[2 * once.size()];
        for (int i = 0; i < labels.length; i++) labels[i] = once.labels()[i % once.size()];
        Batch twice = new Batch(Tensor.concat(List.of(once.images(), once.images()), 0), labels);
        float o1 = Delta.omegaBehaviour(features(model, once), m.sourceFeatures(once.images()),
                m.attention(), 1).item();
        float o2 = Delta.omegaBehaviour(features(model, twice), m.sourceFeatures(twice.images()),
                m.attention(), 1).item();
        assertEquals(2 * o1, o2, 1e-5 * o2, "omega_behaviour sums over the batch");
        float ce1 = features(model, once).logits().crossEntropy(once.labels(),
                Reduction.MEAN).item();
        float ce2 = features(model, twice).logits().crossEntropy(labels,
                Reduction.MEAN).item();
        assertEquals(ce1, ce2, 1e-6 * Math.abs(ce1), "batch-mean CE");
    }
}
