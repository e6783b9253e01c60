package org.finetune4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LrDecayTest {
    @Test
    void stepDecayCutsTheRateTenfoldForTheLastThirdOfTheEpochs() {
        FineTuning.LrDecay step = FineTuning.LrDecay.STEP;
        for (int e = 0; e < 10; e++) assertEquals(1.0, step.factor(e, 15), "epoch " + e);
        for (int e = 10; e < 15; e++) assertEquals(0.1, step.factor(e, 15), "epoch " + e);
        assertEquals(1.0, step.factor(33, 50));
        assertEquals(0.1, step.factor(34, 50));
        for (int e = 0; e < 50; e++) assertEquals(1.0, FineTuning.LrDecay.NONE.factor(e, 50));
        assertThrows(IllegalArgumentException.class, () -> FineTuning.LrDecay.parse("cosine"));
    }
}
