package org.finetune4j.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.finetune4j.methods.l2sp.L2sp;
import org.finetune4j.methods.l2sp.L2spConfig;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.resnet.ResNet;
import org.junit.jupiter.api.Test;

class BaselineTest {
    private static void runSteps(TransferMethod m, int steps) {
        for (int s = 0; s < steps; s++) {
            LossTerms t = m.step(Fixtures.batch(100 + s));
            assertTrue(Float.isFinite(t.total()), "step " + s + " loss " + t);
        }
    }

    /** Tensors selected by frozen are bit-identical; every other one has moved. */
    private static void assertFrozenExactly(Map<String, float[]> before, ResNet model,
                                            Predicate<String> frozen, Predicate<String> moves) {
        Map<String, float[]> after = Fixtures.snapshot(model);
        before.forEach((k, v) -> {
            if (frozen.test(k)) {
                assertArrayEquals(v, after.get(k), k + " changed although frozen");
            } else if (moves.test(k)) {
                assertFalse(Arrays.equals(v, after.get(k)), k + " did not change");
            }
        });
    }

    @Test
    void linearProbeLeavesEveryBackboneTensorAndBnBufferBitIdenticalWhileTheHeadChanges() {
        ResNet model = Fixtures.mini(1);
        Map<String, float[]> before = Fixtures.snapshot(model);
        Baseline probe = Baseline.linearProbe(model, BaselineConfig.defaults());
        runSteps(probe, 3);
        assertFrozenExactly(before, model, k -> !ResNet.isHead(k), ResNet::isHead);
        assertEquals(1, probe.parameterGroups().size(), "only the head is optimised");
        assertEquals(List.of("fc.weight", "fc.bias"), probe.parameterGroups().get(0).names());
    }

    @Test
    void freezingTwoStagesLeavesStemAndStagesOneAndTwoBitIdentical() {
        ResNet model = Fixtures.mini(2);
        Map<String, float[]> before = Fixtures.snapshot(model);
        runSteps(Baseline.freezeStages(model, 2, BaselineConfig.defaults()), 3);
        Predicate<String> frozen = k -> k.startsWith("conv1.") || k.startsWith("bn1.")
                || k.startsWith("layer1.") || k.startsWith("layer2.");
        // weights of layer3 and fc move; running stats and num_batches_tracked too
        assertFrozenExactly(before, model, frozen, k -> k.endsWith("weight") && !frozen.test(k));
    }

    @Test
    void freezingOneStageLeavesStemAndStageOneBitIdentical() {
        ResNet model = Fixtures.mini(3);
        Map<String, float[]> before = Fixtures.snapshot(model);
        runSteps(Baseline.freezeStages(model, 1, BaselineConfig.defaults()), 2);
        Predicate<String> frozen = k -> k.startsWith("conv1.") || k.startsWith("bn1.")
                || k.startsWith("layer1.");
        assertFrozenExactly(before, model, frozen, k -> k.endsWith("conv1.weight")
                && !frozen.test(k));
    }

    @Test
    void fineTuneWithBackboneMultiplierPutsTheRightRatesInTheGroups() {
        ResNet model = Fixtures.mini(4);
        BaselineConfig cfg = BaselineConfig.defaults().withBackboneLrMultiplier(0.1);
        Baseline ft = Baseline.fineTune(model, cfg);
        List<ParamGroup> g = ft.parameterGroups();
        assertEquals(2, g.size());
        assertEquals(0.01 * 0.1, g.get(0).lr(), 0.0, "backbone lr");
        assertEquals(0.01, g.get(1).lr(), 0.0, "head lr");
        assertEquals(List.copyOf(model.backboneParameters().keySet()), g.get(0).names());
        assertEquals(List.of("fc.weight", "fc.bias"), g.get(1).names());
        for (ParamGroup p : g) assertEquals(1e-4, p.weightDecay(), 0.0, "weight decay");
        assertEquals(0.01 * 0.1, ft.optimizer().lr(0), 0.0, "optimiser's current backbone lr");
    }

    @Test
    void scratchTrainsEveryParameterOfAFreshNetwork() {
        Baseline s = Baseline.scratch(Fixtures.mini(5).config(),
                org.finetune4j.tensor.Rng.seeded(9), BaselineConfig.defaults());
        int listed = s.parameterGroups().stream().mapToInt(p -> p.params().size()).sum();
        assertEquals(s.model().namedParameters().size(), listed);
        LossTerms t = s.step(Fixtures.batch(6));
        assertEquals(List.of("task"), List.copyOf(t.asMap().keySet()));
        assertEquals(t.get("task"), t.total(), 0f);
    }

    @Test
    void explicitL2HasNoOptimiserWeightDecay() {
        L2sp l2 = Baseline.explicitL2(Fixtures.mini(7), L2spConfig.defaults());
        assertEquals("explicit-l2", l2.name());
        for (ParamGroup p : l2.parameterGroups()) assertEquals(0.0, p.weightDecay(), 0.0);
    }

    @Test
    void scalingLearningRatesScalesEveryGroupOfEveryOptimiserFromTheConfiguredRate() {
        Baseline ft = Baseline.fineTune(Fixtures.mini(1),
                BaselineConfig.defaults().withBackboneLrMultiplier(0.1));
        ft.scaleLearningRates(0.1);
        ft.scaleLearningRates(0.1);                      // from the configured rate, not compounded
        List<ParamGroup> groups = ft.parameterGroups();
        for (int i = 0; i < groups.size(); i++) {
            assertEquals(groups.get(i).lr() * 0.1, ft.optimizer().lr(i), 1e-15);
        }
        ft.scaleLearningRates(1);
        assertEquals(groups.get(0).lr(), ft.optimizer().lr(0), 0);
        assertEquals(1, ft.optimizers().size());
    }
}
