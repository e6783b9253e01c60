package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Tensor;

/** Pointwise maps. Binary ops and where broadcast as NumPy does; results are new tensors. */
public interface ElementwiseKernels {
    Tensor unary(UnaryOp op, Tensor x);

    /** dx = dy · f'(x), given x and y = f(x): the fused backward of {@link #unary}. */
    Tensor unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy);

    Tensor scalar(ScalarOp op, Tensor x, float s);

    Tensor binary(BinaryOp op, Tensor a, Tensor b);

    /** mask ≠ 0 ? a : b, all three broadcast together. */
    Tensor where(Tensor mask, Tensor a, Tensor b);

    /** min(max(x, lo), hi). */
    Tensor clamp(Tensor x, float lo, float hi);
}
