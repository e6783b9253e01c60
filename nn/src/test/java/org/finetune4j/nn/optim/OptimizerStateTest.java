package org.finetune4j.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.schedule.CosineLr;
import org.finetune4j.nn.schedule.LrSchedule;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Skipping rules, state round trips and loadState's errors, for every optimiser. */
class OptimizerStateTest {
    private static final LrSchedule COSINE = new CosineLr(5, 1e-4);

    /** Backbone at a tenth of the head's rate, both with weight decay (so a skip is visible). */
    static List<ParamGroup> groups(TinyModel m) {
        return List.of(ParamGroup.of(m, n -> n.startsWith("body."), 0.01, 0.1),
                ParamGroup.of(m, n -> n.startsWith("head."), 0.1, 0.1));
    }

    private static Map<String, float[]> values(TinyModel m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, p) -> out.put(k, p.value().toArray()));
        return out;
    }

    /** Steps t = from..to−1 with the cosine schedule applied per step and data drawn from rng. */
    private static void train(TinyModel m, Optimizer opt, Rng rng, int from, int to) {
        for (int t = from; t < to; t++) {
            COSINE.applyTo(opt, t);
            opt.zeroGrad();
            m.lossAndBackward(rng);
            opt.step();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.finetune4j.nn.optim.Optimizers#all")
    void frozenParametersAreNeverUpdated(Optimizers.Factory f) {
        TinyModel m = new TinyModel(1);
        m.body().setTrainable(false);
        Map<String, float[]> before = values(m);
        Optimizer opt = f.of(groups(m));
        train(m, opt, Rng.seeded(2), 0, 3);
        Map<String, float[]> after = values(m);
        assertArrayEquals(before.get("body.weight"), after.get("body.weight"), "body.weight");
        assertArrayEquals(before.get("body.bias"), after.get("body.bias"), "body.bias");
        assertFalse(Arrays.equals(before.get("head.weight"), after.get("head.weight")));
        assertEquals(List.of("optimizer", "lr.0", "lr.1", "head.weight.step", "head.bias.step"),
                List.copyOf(opt.scalarState().keySet()));
        opt.stateDict().keySet().forEach(k -> assertTrue(k.startsWith("head."), k));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.finetune4j.nn.optim.Optimizers#all")
    void parametersWithoutGradientAreSkipped(Optimizers.Factory f) {
        TinyModel m = new TinyModel(3);
        Map<String, float[]> before = values(m);
        Optimizer opt = f.of(groups(m));
        Map<String, Parameter> p = m.namedParameters();
        Grads.set(p.get("head.weight"), Tensor.uniform(Rng.seeded(4), -1f, 1f, 2, 4));
        opt.step();
        Map<String, float[]> after = values(m);
        for (String k : List.of("body.weight", "body.bias", "head.bias")) {
            assertArrayEquals(before.get(k), after.get(k), k + " has no gradient but moved");
        }
        assertFalse(Arrays.equals(before.get("head.weight"), after.get("head.weight")));
        assertEquals("1", opt.scalarState().get("head.weight.step"));
        assertFalse(opt.scalarState().containsKey("head.bias.step"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.finetune4j.nn.optim.Optimizers#all")
    void resumingFromStateDictContinuesBitIdentically(Optimizers.Factory f) {
        TinyModel straight = new TinyModel(5);
        train(straight, f.of(groups(straight)), Rng.seeded(6), 0, 5);

        TinyModel resumed = new TinyModel(5);
        Rng rng = Rng.seeded(6);
        Optimizer first = f.of(groups(resumed));
        train(resumed, first, rng, 0, 3);
        Map<String, Tensor> tensors = first.stateDict();
        Map<String, String> scalars = first.scalarState();
        Optimizer second = f.of(groups(resumed));
        second.loadState(tensors, scalars);
        assertEquals(scalars, second.scalarState());
        train(resumed, second, rng, 3, 5);

        Map<String, float[]> want = values(straight);
        values(resumed).forEach((k, v) -> assertArrayEquals(want.get(k), v, k));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.finetune4j.nn.optim.Optimizers#all")
    void stateDictIsASnapshot(Optimizers.Factory f) {
        TinyModel m = new TinyModel(7);
        Optimizer opt = f.of(groups(m));
        Rng rng = Rng.seeded(8);
        train(m, opt, rng, 0, 1);
        Map<String, Tensor> saved = opt.stateDict();
        Map<String, float[]> copy = new LinkedHashMap<>();
        saved.forEach((k, t) -> copy.put(k, t.toArray()));
        train(m, opt, rng, 1, 2);
        saved.forEach((k, t) -> assertArrayEquals(copy.get(k), t.toArray(), k));
        assertFalse(saved.isEmpty());
    }

    @Test
    void stateKeysFollowTheModuleOrThePosition() {
        TinyModel m = new TinyModel(9);
        Parameter loose = new Parameter(Tensor.zeros(3));
        Adam adam = new Adam(List.of(ParamGroup.of(m, 1e-3, 0),
                ParamGroup.unnamed(List.of(loose), 1e-3, 0)), Adam.Options.defaults());
        m.lossAndBackward(Rng.seeded(10));
        Grads.set(loose, Tensor.ones(3));
        adam.step();
        assertEquals(List.of("body.weight.exp_avg", "body.weight.exp_avg_sq", "body.bias.exp_avg",
                "body.bias.exp_avg_sq", "head.weight.exp_avg", "head.weight.exp_avg_sq",
                "head.bias.exp_avg", "head.bias.exp_avg_sq", "1.0.exp_avg", "1.0.exp_avg_sq"),
                List.copyOf(adam.stateDict().keySet()));
        assertEquals("1", adam.scalarState().get("1.0.step"));
        assertEquals("Adam", adam.scalarState().get("optimizer"));
    }

    @Test
    void loadStateNamesEveryProblemAndChangesNothing() {
        TinyModel m = new TinyModel(11);
        Optimizer source = new Adam(groups(m), Adam.Options.defaults());
        train(m, source, Rng.seeded(12), 0, 2);
        Map<String, Tensor> tensors = new LinkedHashMap<>(source.stateDict());
        Map<String, String> scalars = new LinkedHashMap<>(source.scalarState());
        tensors.remove("head.weight.exp_avg");
        tensors.put("body.bias.exp_avg_sq", Tensor.zeros(5));
        tensors.put("tail.weight.exp_avg", Tensor.zeros(1));
        scalars.put("body.bias.step", "two");

        Optimizer target = new Adam(groups(m), Adam.Options.defaults());
        target.setLr(1, 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> target.loadState(tensors, scalars));
        String msg = e.getMessage();
        for (String part : List.of("missing tensor 'head.weight.exp_avg'",
                "'body.bias.exp_avg_sq' has shape [5], parameter 'body.bias' has [4]",
                "unexpected tensor 'tail.weight.exp_avg'", "'body.bias.step' = 'two'")) {
            assertTrue(msg.contains(part), "message lacks \"" + part + "\":\n" + msg);
        }
        assertEquals(0.5, target.lr(1), 0.0);
        assertTrue(target.stateDict().isEmpty(), "a failed load must change nothing");
    }

    @Test
    void loadStateRejectsAnotherOptimizersState() {
        TinyModel m = new TinyModel(13);
        Optimizer sgd = new Sgd(groups(m), Sgd.Options.momentum(0.9));
        train(m, sgd, Rng.seeded(14), 0, 1);
        Optimizer adam = new AdamW(groups(m), Adam.Options.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> adam.loadState(sgd.stateDict(), sgd.scalarState()));
        assertTrue(e.getMessage().contains("written by Sgd, not AdamW"), e.getMessage());
    }

    @Test
    void aParameterMayBelongToOneGroupOnly() {
        TinyModel m = new TinyModel(15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sgd(List.of(ParamGroup.of(m, 0.1, 0),
                        ParamGroup.of(m, n -> n.startsWith("head."), 0.1, 0)),
                        Sgd.Options.plain()));
        assertTrue(e.getMessage().contains("'head.weight' (group 1) is already listed"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ParamGroup.of(m, n -> n.startsWith("fc."), 0.1, 0));
    }

    @Test
    void setLrScalesTheNextStep() {
        Parameter w = new Parameter(Tensor.of(new float[] {1f, 2f}, 2));
        Sgd sgd = new Sgd(List.of(ParamGroup.unnamed(List.of(w), 0.1, 0)), Sgd.Options.plain());
        sgd.setLr(0, 0.5);
        Grads.set(w, Tensor.of(new float[] {1f, -1f}, 2));
        sgd.step();
        assertArrayEquals(new float[] {0.5f, 2.5f}, w.value().toArray());
        assertEquals(0.1, sgd.groups().get(0).lr(), 0.0);
    }
}
