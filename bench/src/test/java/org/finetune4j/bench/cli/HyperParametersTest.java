package org.finetune4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HyperParametersTest {
    @Test
    void theDefaultGridOfL2spIsEveryAlphaWithEveryBeta() {
        List<Map<String, Double>> configs = HyperParameters.expand("l2sp",
                HyperParameters.defaultGrid("l2sp"));
        assertEquals(8, configs.size());
        assertEquals(Map.of("alpha", 0.001, "beta", 0.01), configs.get(0));
        assertEquals(Map.of("alpha", 1.0, "beta", 0.1), configs.get(7));
    }

    @Test
    void aPartialGridKeepsTheOtherParametersAtTheirDefaults() {
        List<Map<String, Double>> configs = HyperParameters.expand("delta",
                Map.of("alpha", List.of(0.1, 1.0)));
        assertEquals(List.of(Map.of("alpha", 0.1, "beta", 0.01),
                Map.of("alpha", 1.0, "beta", 0.01)), configs);
        assertEquals(List.of(Map.of()), HyperParameters.expand("finetune", Map.of()));
    }

    @Test
    void tagsAreSortedAndShort() {
        assertEquals("alpha=0.001_beta=1", HyperParameters.tag(Map.of("beta", 1.0,
                "alpha", 0.001)));
        assertEquals("default", HyperParameters.tag(Map.of()));
    }

    @Test
    void overridesParseAndBadOnesNameTheEntry() {
        Map<String, Map<String, List<Double>>> o = HyperParameters.parseOverrides(List.of(
                "l2sp.alpha=0.1, 1", "fitnets.hint_fraction=0.5"));
        assertEquals(List.of(0.1, 1.0), o.get("l2sp").get("alpha"));
        assertEquals(List.of(0.5), o.get("fitnets").get("hint_fraction"));
        for (String bad : new String[] {"l2sp", "l2sp.alpha", "l2sp.alpha=", "nope.alpha=1",
            "finetune.alpha=1", "l2sp.alpha=-1", "freeze-k.k=1.5", "l2sp.alpha=NaN"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HyperParameters.parseOverrides(List.of(bad)), bad);
            assertTrue(e.getMessage().startsWith("--tune-grid '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void autoEpochsAimAtAThousandStepsWithinBounds() {
        CompareCommand.EpochRule auto = new CompareCommand.EpochRule(null);
        assertEquals(50, auto.epochs(50, 16));          // 4 steps per epoch
        assertEquals(50, auto.epochs(250, 16));         // 16 steps: 63 wanted, capped
        assertEquals(15, auto.epochs(1250, 16));        // 79 steps: 13 wanted, floor 15
        assertEquals(7, new CompareCommand.EpochRule(7).epochs(1250, 16));
    }
}
