package org.finetune4j.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LossTermsTest {
    @Test
    void keepsInsertionOrderAndSumsToTotal() {
        LossTerms t = LossTerms.of("task", 1.5f).and("omega_start", 0.25f).and("omega_head", 2f);
        assertEquals(List.of("task", "omega_start", "omega_head"), List.copyOf(t.asMap().keySet()));
        assertEquals(3.75f, t.total(), 0f);
        assertEquals(0.25f, t.get("omega_start"), 0f);
    }

    @Test
    void rejectsDuplicateAndUnknownNames() {
        LossTerms t = LossTerms.of("task", 1f);
        assertThrows(IllegalArgumentException.class, () -> t.and("task", 2f));
        assertThrows(IllegalArgumentException.class, () -> t.get("omega"));
    }
}
