package org.finetune4j.tensor.backend;

import java.util.Locale;

/** y = a ∘ b with NumPy broadcasting. Comparisons give masks of 1.0 and 0.0. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN, GT, GE, LT, LE, EQ, NE;

    public String kernelSymbol() {
        return "binary_" + name().toLowerCase(Locale.ROOT);
    }

    public boolean isComparison() {
        return switch (this) {
            case GT, GE, LT, LE, EQ, NE -> true;
            case ADD, SUB, MUL, DIV, MAX, MIN -> false;
        };
    }
}
