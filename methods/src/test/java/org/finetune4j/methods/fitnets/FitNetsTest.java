package org.finetune4j.methods.fitnets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.methods.Fixtures;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.Stage;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Equation-level checks of FitNets (spec fitnets.md, section 7). */
class FitNetsTest {
    private static final int IMAGE = 28;                 // Fixtures.batch: (4, 1, 28, 28)

    private static FitNets compression(long seed, int hintEpochs) {
        return FitNets.compression(Fixtures.mini(seed), Fixtures.mini(seed + 1), IMAGE,
                FitNetsConfig.defaults().withHintEpochs(hintEpochs), Rng.seeded(seed + 2));
    }

    private static boolean isLower(String key) {
        return key.startsWith("conv1.") || key.startsWith("bn1.") || key.startsWith("layer1.")
                || key.startsWith("layer2.");
    }

    @Test
    void regressorKernelBringsTheGuidedMapToTheHintSize() {
        int[][] pairs = {{28, 14, 15}, {14, 14, 1}, {7, 4, 4}, {9, 1, 9}};
        for (int[] p : pairs) {
            assertEquals(p[2], HintRegressor.kernelSize(p[0], p[1]), "kernel for " + p[0] + "->"
                    + p[1]);
            HintRegressor r = new HintRegressor(3, 5, p[0], p[1], Rng.seeded(1));
            Variable v = Variable.constant(Tensor.normal(Rng.seeded(2), 0f, 1f, 2, 3, p[0], p[0]));
            assertArrayEquals(new int[] {2, 5, p[1], p[1]}, r.forward(v).shape().dims(),
                    "regressor output for " + p[0] + "->" + p[1]);
        }
        assertThrows(IllegalArgumentException.class, () -> HintRegressor.kernelSize(7, 14));
    }

    @Test
    void hintLossIsHalfTheSquaredErrorSummedPerExampleAndAveragedOverTheBatch() {
        Tensor r = Tensor.normal(Rng.seeded(3), 0f, 1f, 3, 2, 4, 4);
        Tensor u = Tensor.normal(Rng.seeded(4), 0f, 1f, 3, 2, 4, 4);
        float[] a = r.toArray();
        float[] b = u.toArray();
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += 0.5 * ((double) b[i] - a[i]) * (b[i] - a[i]);
        double expected = sum / 3;                        // mean over B = 3, sum over elements
        float got = FitNets.hintLoss(Variable.constant(r), Variable.constant(u)).item();
        assertEquals(expected, got, 1e-5 * expected, "L_HT");
    }

    @Test
    void hintLossGradientMatchesFiniteDifferencesAtARegressorWeight() {
        HintRegressor reg = new HintRegressor(3, 4, 5, 3, Rng.seeded(5));
        Variable g = Variable.constant(Tensor.uniform(Rng.seeded(6), 0f, 1f, 2, 3, 5, 5));
        Variable u = Variable.constant(Tensor.uniform(Rng.seeded(7), 0f, 1f, 2, 4, 3, 3));
        GradCheck.of(in -> FitNets.hintLoss(reg.forward(g), u))
                .inputs(reg.conv().weight().variable()).names("regressor.conv.weight")
                .assertGradientsMatch();
        // dL_HT/dr = (r − u)/B, checked through the output of the regressor
        Variable rp = Variable.param(Tensor.normal(Rng.seeded(8), 0f, 1f, 2, 4, 3, 3));
        FitNets.hintLoss(rp, u).backward();
        float[] rv = rp.value().toArray();
        float[] uv = u.value().toArray();
        float[] grad = rp.grad().value().toArray();
        for (int i = 0; i < rv.length; i++) {
            assertEquals((rv[i] - uv[i]) / 2, grad[i], 1e-6, "dL/dr at " + i);
        }
    }

    @Test
    void hintLossIsZeroForACopiedLowerPartAndAnIdentityRegressor() {
        ResNet teacher = Fixtures.mini(25);
        ResNet student = teacher.copy();
        teacher.eval();
        student.eval();
        HintRegressor reg = new HintRegressor(32, 32, 14, 14, Rng.seeded(26));
        float[] w = new float[32 * 32];                   // (32, 32, 1, 1) identity
        for (int c = 0; c < 32; c++) w[c * 32 + c] = 1f;
        reg.conv().weight().value().copyFrom(Tensor.wrap(w, 32, 32, 1, 1));
        reg.conv().bias().value().fillInPlace(0f);
        Variable x = Variable.constant(Fixtures.batch(27).images());
        Variable u = FitNets.lowerPart(teacher, Stage.F2, x);
        Variable r = reg.forward(FitNets.lowerPart(student, Stage.F2, x));
        assertEquals(0f, FitNets.hintLoss(r, u).item(), 0f, "L_HT with v_g = u_h, r = identity");
    }

    @Test
    void lowerPartIsTheFeaturePointOfTheFullForward() {
        ResNet net = Fixtures.mini(9);
        net.eval();
        Variable x = Variable.constant(Fixtures.batch(10).images());
        assertArrayEquals(net.forwardWithFeatures(x).at(Stage.F2).value().toArray(),
                FitNets.lowerPart(net, Stage.F2, x).value().toArray(), "F2");
    }

    @Test
    void teacherParametersAndBuffersStayBitIdenticalThroughBothStages() {
        FitNets m = compression(11, 1);
        Map<String, float[]> before = Fixtures.snapshot(m.teacher());
        m.step(Fixtures.batch(12));
        m.advanceEpoch();
        m.step(Fixtures.batch(13));
        Map<String, float[]> after = Fixtures.snapshot(m.teacher());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), "teacher " + k));
    }

    @Test
    void stageOneUpdatesOnlyTheStudentsLowerPartAndTheRegressor() {
        FitNets m = compression(14, 5);
        assertEquals(FitNets.Phase.HINT, m.phase());
        Map<String, float[]> before = Fixtures.snapshot(m.model());
        float[] reg = m.regressor().conv().weight().value().toArray().clone();
        m.step(Fixtures.batch(15));
        Map<String, float[]> after = Fixtures.snapshot(m.model());
        int changed = 0;
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            boolean same = Arrays.equals(e.getValue(), after.get(e.getKey()));
            if (!isLower(e.getKey())) {
                assertTrue(same, "upper-part " + e.getKey() + " changed in stage 1");
            } else if (!same) {
                changed++;
            }
        }
        assertTrue(changed > 0, "no lower-part tensor changed in stage 1");
        assertFalse(Arrays.equals(before.get("layer2.1.conv2.weight"),
                after.get("layer2.1.conv2.weight")), "guided layer did not train");
        assertFalse(Arrays.equals(reg, m.regressor().conv().weight().value().toArray()),
                "regressor did not train");
    }

    @Test
    void kdTermMatchesAHandComputedSoftCrossEntropyOnTinyLogits() {
        float[] zs = {1f, 2f, 0.5f, -1f, 0f, 3f};         // (2, 3)
        float[] zt = {0.2f, 1.5f, -0.3f, 2f, 0.1f, 0.4f};
        double tau = 2;
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            double[] pt = softmax(zt, i, tau);
            double[] ps = softmax(zs, i, tau);
            for (int k = 0; k < 3; k++) expected -= pt[k] * Math.log(ps[k]) / 2;   // mean, B = 2
        }
        Variable s = Variable.constant(Tensor.wrap(zs, 2, 3));
        Variable t = Variable.constant(Tensor.wrap(zt, 2, 3));
        assertEquals(expected, FitNets.kdTerm(s, t, tau, false).item(), 1e-5, "H(P_T, P_S)");
        assertEquals(expected * tau * tau, FitNets.kdTerm(s, t, tau, true).item(), 1e-4,
                "tau^2 H(P_T, P_S)");
    }

    private static double[] softmax(float[] z, int row, double tau) {
        double[] e = new double[3];
        double sum = 0;
        for (int k = 0; k < 3; k++) sum += e[k] = Math.exp(z[row * 3 + k] / tau);
        for (int k = 0; k < 3; k++) e[k] /= sum;
        return e;
    }

    @Test
    void lambdaAnnealsLinearlyFromStartToSaturate() {
        FitNetsConfig c = FitNetsConfig.defaults();       // 4 → 1 between epochs 5 and 400
        for (int e = 0; e < 5; e++) assertEquals(4.0, c.lambda(e), 0, "epoch " + e);
        assertEquals(4 - 3.0 / 396, c.lambda(5), 1e-12, "epoch 5");
        assertEquals(4 - 3.0 * 2 / 396, c.lambda(6), 1e-12, "epoch 6");
        assertEquals(1.0, c.lambda(400), 0, "epoch 400");
        assertEquals(1.0, c.lambda(1000), 0, "epoch 1000");
        assertEquals(0.0, c.withLambda(4, 0, 5, 150).lambda(150), 0, "MNIST config at 150");
    }

    @Test
    void scheduleRunsHintEpochsThenKdWithLambdaCountedFromStageTwo() {
        FitNets m = compression(16, 2);
        for (int e = 0; e < 2; e++) {
            assertEquals(FitNets.Phase.HINT, m.phase(), "epoch " + e);
            assertEquals(0.0, m.lambda(), 0, "lambda in stage 1");
            m.advanceEpoch();
        }
        assertEquals(FitNets.Phase.KD, m.phase());
        assertEquals(4.0, m.lambda(), 0, "lambda0 at stage-2 epoch 0");
        assertEquals(m.model().namedParameters().size(),
                m.parameterGroups().get(0).params().size(), "stage 2 trains every parameter");
    }

    @Test
    void stepReturnsTheNamedTermsOfEachStageAndMode() {
        FitNets a = compression(17, 1);
        assertEquals(List.of("hint"), List.copyOf(a.step(Fixtures.batch(18)).asMap().keySet()));
        a.advanceEpoch();
        LossTerms kd = a.step(Fixtures.batch(19));
        assertEquals(List.of("task", "kd"), List.copyOf(kd.asMap().keySet()));
        assertTrue(kd.get("kd") > 0 && Float.isFinite(kd.total()), "kd " + kd);

        FitNets b = FitNets.crossTask(Fixtures.mini(20), Fixtures.mini(21), IMAGE,
                FitNetsConfig.defaults().withHintEpochs(1), Rng.seeded(22));
        assertEquals(List.of("hint"), List.copyOf(b.step(Fixtures.batch(23)).asMap().keySet()));
        b.advanceEpoch();
        assertEquals(List.of("task"), List.copyOf(b.step(Fixtures.batch(24)).asMap().keySet()));
        assertEquals(0.0, b.lambda(), 0, "mode B has no KD weight");
    }
}
