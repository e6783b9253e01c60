package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Tensor;

/** Matrix products. Rank 2 (m×k)·(k×n), or rank 3 batched with equal batch sizes. */
public interface LinalgKernels {
    /** op(a)·op(b); op transposes the last two dimensions when its flag is set. */
    Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB);

    /** c ← alpha·op(a)·op(b) + beta·c, in place on c. */
    void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c);
}
