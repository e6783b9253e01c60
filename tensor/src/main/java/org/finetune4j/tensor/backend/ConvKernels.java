package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Tensor;

/** 2-D convolution (cross-correlation, as PyTorch) and its two adjoints. */
public interface ConvKernels {
    /** y = conv(x, w) + bias; bias may be null. */
    Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dGeometry g);

    /** dx = conv_transpose(dy, w). */
    Tensor conv2dBackwardInput(Tensor dy, Tensor w, Conv2dGeometry g);

    /** dw = Σ_n dy ⋆ x. */
    Tensor conv2dBackwardWeight(Tensor x, Tensor dy, Conv2dGeometry g);

    /** db = Σ_{n,h,w} dy. */
    Tensor conv2dBackwardBias(Tensor dy, Conv2dGeometry g);
}
