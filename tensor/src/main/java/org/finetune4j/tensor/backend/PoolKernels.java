package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Tensor;

/** Max / average pooling and bilinear resizing (align_corners = false), forward and backward. */
public interface PoolKernels {
    /** y and, per output element, the index of its maximum within the input plane (stored as float). */
    record MaxPoolResult(Tensor y, Tensor argmax) {}

    MaxPoolResult maxPool2dForward(Tensor x, Pool2dGeometry g);

    Tensor maxPool2dBackward(Tensor dy, Tensor argmax, Pool2dGeometry g);

    Tensor avgPool2dForward(Tensor x, Pool2dGeometry g);

    Tensor avgPool2dBackward(Tensor dy, Pool2dGeometry g);

    /** x (n, c, inH, inW) → (n, c, outH, outW), PyTorch's bilinear with align_corners = false. */
    Tensor bilinearResizeForward(Tensor x, int outH, int outW);

    /** The adjoint of the resize: dy (n, c, outH, outW) → dx (n, c, inH, inW). */
    Tensor bilinearResizeBackward(Tensor dy, int inH, int inW);
}
