package org.finetune4j.tensor.backend;

import java.util.Locale;

/**
 * y = x ∘ s for a scalar s. Comparisons give masks of 1.0 and 0.0.
 * RSUB is s − x; POW is x^s.
 */
public enum ScalarOp {
    ADD, MUL, RSUB, POW, MAX, MIN, GT, GE, LT, LE, EQ;

    public String kernelSymbol() {
        return "scalar_" + name().toLowerCase(Locale.ROOT);
    }
}
