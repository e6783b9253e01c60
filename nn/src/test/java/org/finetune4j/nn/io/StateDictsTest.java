package org.finetune4j.nn.io;

import static org.finetune4j.nn.io.SafetensorsTest.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class StateDictsTest {
    @Test
    void strictLoadCopiesEveryValueIntoTheModulesOwnTensors() {
        TinyNet source = new TinyNet(1);
        TinyNet target = new TinyNet(2);
        Tensor convBefore = target.namedParameters().get("conv1.weight").value();
        LoadReport report = StateDicts.load(target, StateDicts.snapshot(source), true);
        assertTrue(report.clean(), report.describe());
        assertSame(convBefore, target.namedParameters().get("conv1.weight").value(),
                "parameters keep their identity");
        source.stateDict().forEach((k, t) -> assertBitsEqual(k, t, target.stateDict().get(k)));
    }

    @Test
    void strictLoadNamesEveryMismatchAndLoadsNothing() {
        Map<String, Tensor> state = StateDicts.snapshot(new TinyNet(Rng.seeded(1), 5));   // 5-way
        state.remove("bn1.running_var");
        state.put("layer1.0.conv1.weight", Tensor.zeros(1));
        TinyNet target = new TinyNet(2);
        Map<String, Tensor> before = StateDicts.snapshot(target);
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class,
                () -> StateDicts.load(target, state, true));
        LoadReport r = e.report();
        assertEquals(List.of("bn1.running_var"), r.missing());
        assertEquals(List.of("layer1.0.conv1.weight"), r.unexpected());
        assertEquals(List.of("fc.weight", "fc.bias"), r.misShapedNames());
        assertEquals(Shape.of(3, 2), r.misShaped().get(0).expected());
        assertEquals(Shape.of(5, 2), r.misShaped().get(0).found());
        List<String> named = List.of("bn1.running_var", "layer1.0.conv1.weight",
                "fc.weight (module [3, 2], state dict [5, 2])");
        for (String name : named) {
            assertTrue(e.getMessage().contains(name), () -> name + " not in: " + e.getMessage());
        }
        before.forEach((k, t) -> assertBitsEqual(k, t, target.stateDict().get(k)));   // none copied
    }

    @Test
    void nonStrictLoadsWhatMatchesAndReportsTheRest() {
        TinyNet pretrained = new TinyNet(Rng.seeded(1), 5);
        TinyNet target = new TinyNet(2);
        Map<String, Tensor> headBefore = StateDicts.snapshot(target);
        LoadReport r = StateDicts.load(target, pretrained.stateDict(), false);
        assertEquals(List.of("fc.weight", "fc.bias"), r.misShapedNames());
        assertEquals(6, r.loaded().size());
        Map<String, Tensor> now = target.stateDict();
        for (String k : r.loaded()) assertBitsEqual(k, pretrained.stateDict().get(k), now.get(k));
        for (String k : r.misShapedNames()) assertBitsEqual(k, headBefore.get(k), now.get(k));
    }

    @Test
    void checkCopiesNothing() {
        TinyNet target = new TinyNet(2);
        Map<String, Tensor> before = StateDicts.snapshot(target);
        assertTrue(StateDicts.check(target, new TinyNet(1).stateDict()).clean());
        before.forEach((k, t) -> assertBitsEqual(k, t, target.stateDict().get(k)));
    }

    @Test
    void describeListsAtMostTenNamesPerProblem() {
        Map<String, Tensor> state = new LinkedHashMap<>(new TinyNet(1).stateDict());
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < 25; i++) extra.add("extra" + i);
        extra.forEach(k -> state.put(k, Tensor.zeros(1)));
        String d = StateDicts.check(new TinyNet(2), state).describe();
        assertTrue(d.startsWith("unexpected (25): extra0, "), d);
        assertTrue(d.endsWith("extra9, … and 15 more"), d);
    }
}
