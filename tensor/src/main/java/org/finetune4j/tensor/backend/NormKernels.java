package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Tensor;

/** Batch normalisation over (n, h, w) per channel of an NCHW tensor. */
public interface NormKernels {
    /** y, and the batch mean and 1/sqrt(var + eps) per channel saved for backward. */
    record BatchNormResult(Tensor y, Tensor mean, Tensor rstd) {}

    record BatchNormGrads(Tensor dx, Tensor dGamma, Tensor dBeta) {}

    /** Training mode: batch statistics; running statistics (may be null) updated in place with momentum. */
    BatchNormResult batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                          Tensor runningVar, float momentum, float eps);

    /** Evaluation mode: running statistics. */
    Tensor batchNormEvalForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                float eps);

    /** Gradients of the training-mode forward; entries not asked for are null. */
    BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd,
                                     boolean needX, boolean needGamma, boolean needBeta);
}
