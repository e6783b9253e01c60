package org.finetune4j.tensor.backend;

import java.util.Locale;

/** Reductions over chosen axes. SUM and MEAN accumulate in double on the CPU. */
public enum ReduceOp {
    SUM, MEAN, MAX, MIN;

    public String kernelSymbol() {
        return "reduce_" + name().toLowerCase(Locale.ROOT);
    }
}
