package org.finetune4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.io.StateDictMismatchException;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.nn.layers.BatchNorm2d;
import org.finetune4j.nn.layers.Linear;
import org.finetune4j.nn.layers.ReLU;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModuleTest {
    /** Exposes registration so the tests can misuse it. */
    private static final class Open extends Module {
        Parameter addParam(String name) {
            return param(name, Tensor.ones(2));
        }

        Tensor addBuffer(String name) {
            return buffer(name, Tensor.zeros(2));
        }

        <M extends Module> M addChild(String name, M m) {
            return child(name, m);
        }

        <M extends Module> M swap(String name, M m) {
            return replaceChild(name, m);
        }

        @Override
        public Variable forward(Variable x) {
            return x;
        }
    }

    @Test
    void rejectsDuplicateAndDottedNames() {
        Open m = new Open();
        m.addParam("w");
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> m.addBuffer("w"));
        assertTrue(twice.getMessage().contains("'w' registered twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.addChild("w", new ReLU()));
        assertThrows(IllegalArgumentException.class, () -> m.addParam("a.b"));
        assertThrows(IllegalArgumentException.class, () -> m.addParam(""));
    }

    @Test
    void replaceChildNeedsAnExistingName() {
        Open m = new Open();
        ReLU first = m.addChild("act", new ReLU());
        ReLU second = m.swap("act", new ReLU());
        assertNotSame(first, m.children().get("act"));
        assertEquals(second, m.children().get("act"));
        assertThrows(IllegalArgumentException.class, () -> m.swap("missing", new ReLU()));
    }

    @Test
    void parameterOrderIsRegistrationOrderAndStable() {
        Sequential s = new Sequential(new Linear(3, 4, true, Rng.seeded(1)), new ReLU(),
                new Linear(4, 2, false, Rng.seeded(2)));
        List<String> expected = List.of("0.weight", "0.bias", "2.weight");
        assertEquals(expected, List.copyOf(s.namedParameters().keySet()));
        assertEquals(s.parameters(), s.parameters());
        assertEquals(expected, List.copyOf(s.copy().namedParameters().keySet()));
    }

    @Test
    void trainAndEvalReachEveryModuleOfTheSubtree() {
        Sequential inner = new Sequential(new BatchNorm2d(2), new ReLU());
        Sequential outer = new Sequential(inner, new Linear(2, 2, true, Rng.seeded(3)));
        outer.eval();
        for (Map.Entry<String, Module> e : outer.namedModules().entrySet()) {
            assertFalse(e.getValue().isTraining(), "module '" + e.getKey() + "' still training");
        }
        inner.train();
        assertTrue(inner.get(0).isTraining());
        assertFalse(outer.isTraining());
        assertFalse(outer.get(1).isTraining());
    }

    @Test
    void frozenParametersGetNoGradientAndOthersDo() {
        Linear a = new Linear(3, 4, true, Rng.seeded(4));
        Linear b = new Linear(4, 2, true, Rng.seeded(5));
        Sequential net = new Sequential(a, new ReLU(), b);
        a.setTrainable(false);
        b.bias().setTrainable(false);
        Variable x = Variable.constant(Tensor.uniform(Rng.seeded(6), -1, 1, 5, 3));
        net.forward(x).square().sum().backward();
        assertNull(a.weight().grad(), "frozen 0.weight got a gradient");
        assertNull(a.bias().grad(), "frozen 0.bias got a gradient");
        assertNull(b.bias().grad(), "frozen 2.bias got a gradient");
        assertNotNull(b.weight().grad(), "trainable 2.weight got no gradient");
        assertEquals(List.of(b.weight()), net.trainableParameters());
    }

    @Test
    void frozenBatchNormStatisticsStayBitIdenticalInTrainingMode() {
        BatchNorm2d bn = new BatchNorm2d(3);
        bn.runningMean().copyFrom(Tensor.of(new float[] {0.1f, -0.2f, 0.3f}, 3));
        Map<String, Tensor> before = StateDicts.snapshot(bn);
        Sequential net = new Sequential(bn);
        net.freezeBatchNormStatistics(true);
        net.train();                                    // must not undo the freezing
        Variable x = Variable.param(Tensor.uniform(Rng.seeded(7), -2, 2, 4, 3, 2, 2));
        Variable y = net.forward(x);
        y.sum().backward();
        assertTrue(bn.isTraining());
        before.forEach((k, t) -> assertArrayEquals(t.toArray(), bn.stateDict().get(k).toArray(),
                "buffer or parameter '" + k + "' changed"));
        assertNotNull(bn.weight().grad(), "γ stays trainable while statistics are frozen");
        net.freezeBatchNormStatistics(false);
        net.forward(x);
        assertEquals(1f, bn.numBatchesTracked().item());
    }

    @Test
    void copyIsIndependentAndKeepsNamesModesAndFlags() {
        Sequential net = new Sequential(new Linear(3, 3, true, Rng.seeded(8)), new BatchNorm2d(3));
        net.get(1).eval();
        ((Linear) net.get(0)).bias().setTrainable(false);
        net.get(1).freezeBatchNormStatistics(true);
        Map<String, Tensor> original = StateDicts.snapshot(net);

        Sequential c = net.copy();
        assertEquals(net.stateDict().keySet(), c.stateDict().keySet());
        net.stateDict().forEach((k, t) -> {
            assertNotSame(t.storage(), c.stateDict().get(k).storage(), k + " shares storage");
            assertArrayEquals(t.toArray(), c.stateDict().get(k).toArray(), k + " differs");
        });
        assertTrue(c.get(0).isTraining());
        assertFalse(c.get(1).isTraining());
        assertTrue(c.get(1).batchNormStatisticsFrozen());
        assertFalse(c.namedParameters().get("0.bias").trainable());
        assertTrue(c.namedParameters().get("0.weight").trainable());

        c.stateDict().values().forEach(t -> t.fillInPlace(42f));
        original.forEach((k, t) -> assertArrayEquals(t.toArray(), net.stateDict().get(k).toArray(),
                "mutating the copy changed the original's '" + k + "'"));
    }

    @Test
    void copyOfAModuleWithoutDuplicateSaysWhatToOverride() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new Open().copy());
        assertTrue(e.getMessage().contains("override duplicate()"), e.getMessage());
    }

    @Test
    void loadStateDictIsStrictWhenAsked() {
        Linear a = new Linear(2, 2, true, Rng.seeded(9));
        Linear b = new Linear(2, 2, true, Rng.seeded(10));
        assertTrue(b.loadStateDict(a.stateDict(), true).clean());
        assertArrayEquals(a.weight().value().toArray(), b.weight().value().toArray());
        Map<String, Tensor> partial = Map.of("weight", Tensor.zeros(2, 2));
        assertThrows(StateDictMismatchException.class, () -> b.loadStateDict(partial, true));
        b.loadStateDict(partial, false);
        assertArrayEquals(new float[4], b.weight().value().toArray());
    }
}
