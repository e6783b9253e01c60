package org.finetune4j.tensor.backend;

import java.util.Locale;

/**
 * Pointwise functions y = f(x) that every backend implements. The derivative table lives in one
 * exhaustive switch in autograd (ops/Unary.java): adding a constant here without its derivative
 * does not compile.
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, SQUARE, RECIPROCAL, SIGN, RELU, RELU6, SIGMOID, TANH;

    /** Entry-point name in elementwise.cu, e.g. "unary_exp". */
    public String kernelSymbol() {
        return "unary_" + name().toLowerCase(Locale.ROOT);
    }
}
