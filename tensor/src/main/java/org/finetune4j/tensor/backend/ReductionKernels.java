package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/** Reductions over axes, and softmax / log-softmax over one axis with their backward. */
public interface ReductionKernels {
    Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims);

    /** Index of the maximum along an axis (first wins on ties), as float values; the axis is removed. */
    Tensor argmax(Tensor x, int axis);

    /** Sums a broadcast result back to the shape of the operand (undo broadcasting). */
    Tensor sumToShape(Tensor x, Shape target);

    /** Σ(x − mean)² / (count − correction) over the axes. */
    Tensor variance(Tensor x, int[] axes, boolean keepDims, int correction);

    Tensor softmax(Tensor x, int axis);

    Tensor logSoftmax(Tensor x, int axis);

    /** dx = y·(dy − Σ dy·y), y = softmax(x). */
    Tensor softmaxBackward(Tensor dy, Tensor y, int axis);

    /** dx = dy − exp(y)·Σ dy, y = log_softmax(x). */
    Tensor logSoftmaxBackward(Tensor dy, Tensor y, int axis);
}
