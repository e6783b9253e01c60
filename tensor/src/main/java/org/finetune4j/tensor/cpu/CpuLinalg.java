package org.finetune4j.tensor.cpu;

import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Conv2dGeometry;

/** Shape checks and tensor-level entry points for GEMM, convolution and batch norm on the CPU. */
final class CpuLinalg {
    private CpuLinalg() {}

    /** Validates operands of a (batched) product; returns the batch size, or 0 for rank 2. */
    static int batch(String op, Tensor a, Tensor b) {
        if (a.rank() != b.rank() || a.rank() < 2 || a.rank() > 3) {
            throw new IllegalArgumentException(op + ": operands must both be rank 2 or both rank 3, got "
                    + a.shape() + " and " + b.shape());
        }
        if (a.rank() == 3 && a.dim(0) != b.dim(0)) {
            throw new IllegalArgumentException(op + ": batch sizes differ: " + a.shape() + " and " + b.shape());
        }
        return a.rank() == 3 ? a.dim(0) : 0;
    }

    static void gemm(String op, boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta,
                     Tensor c) {
        int batch = a.rank() == 3 ? a.dim(0) : 1;
        int m = transA ? a.dim(-1) : a.dim(-2);
        int k = transA ? a.dim(-2) : a.dim(-1);
        int kb = transB ? b.dim(-1) : b.dim(-2);
        int n = transB ? b.dim(-2) : b.dim(-1);
        if (k != kb) {
            throw new IllegalArgumentException(op + ": inner dimensions differ: " + a.shape()
                    + (transA ? "ᵀ" : "") + " · " + b.shape() + (transB ? "ᵀ" : ""));
        }
        if (c.rank() != a.rank() || c.dim(-2) != m || c.dim(-1) != n || (batch > 1 && c.dim(0) != batch)) {
            throw new IllegalArgumentException(op + ": output " + c.shape() + " does not fit " + a.shape()
                    + " · " + b.shape());
        }
        int lda = a.dim(-1);
        int ldb = b.dim(-1);
        if (batch == 1) {
            CpuGemm.gemm(transA, transB, m, n, k, alpha, a.data(), 0, lda, b.data(), 0, ldb, beta, c.data(), 0, n);
        } else {
            CpuGemm.gemmBatched(transA, transB, m, n, k, alpha, a.data(), 0, lda, (long) m * k,
                    b.data(), 0, ldb, (long) k * n, beta, c.data(), 0, n, (long) m * n, batch);
        }
    }

    static void checkConv(Tensor x, Tensor w, Conv2dGeometry g) {
        int[] xs = {g.n(), g.cIn(), g.h(), g.w()};
        int[] ws = {g.cOut(), g.cInG(), g.kH(), g.kW()};
        if (!java.util.Arrays.equals(x.dims(), xs)) {
            throw new IllegalArgumentException("conv2d: input " + x.shape() + " does not match geometry "
                    + java.util.Arrays.toString(xs));
        }
        if (!java.util.Arrays.equals(w.dims(), ws)) {
            throw new IllegalArgumentException("conv2d: weight " + w.shape() + " must be "
                    + java.util.Arrays.toString(ws) + " for input " + x.shape() + " with groups=" + g.groups());
        }
    }

    static void checkConvOutput(Tensor dy, Conv2dGeometry g) {
        int[] ys = {g.n(), g.cOut(), g.outH(), g.outW()};
        if (!java.util.Arrays.equals(dy.dims(), ys)) {
            throw new IllegalArgumentException("conv2d backward: gradient " + dy.shape() + " must be "
                    + java.util.Arrays.toString(ys));
        }
    }

    /** Checks x (n, c, …) against gamma and beta (c); returns c. */
    static int checkBatchNorm(Tensor x, Tensor gamma, Tensor beta) {
        if (x.rank() < 2) throw new IllegalArgumentException("batchNorm: input must be (n, c, …), got " + x.shape());
        int c = x.dim(1);
        if (gamma.rank() != 1 || gamma.dim(0) != c || beta.rank() != 1 || beta.dim(0) != c) {
            throw new IllegalArgumentException("batchNorm: gamma " + gamma.shape() + " and beta " + beta.shape()
                    + " must be [" + c + "] for input " + x.shape());
        }
        return c;
    }
}
