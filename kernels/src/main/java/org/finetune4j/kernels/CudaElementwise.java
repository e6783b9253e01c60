package org.finetune4j.kernels;

import static org.finetune4j.kernels.cuda.CudaTensors.ptr;

import java.util.Locale;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ElementwiseKernels;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;

/**
 * ElementwiseKernels on elementwise.cu (twin: CpuElementwise). Binary ops take the same-shape
 * kernel binary_<op> when both operands already have the output shape, else binary_<op>_bcast
 * with one Strided descriptor per operand (dims merged jointly, see StridedDescriptors).
 */
final class CudaElementwise implements ElementwiseKernels {
    private static final PtxModule M = PtxModule.ELEMENTWISE;
    private final CudaContext ctx;

    CudaElementwise(CudaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        String name = "unary " + op;
        Tensor y = CudaTensors.empty(ctx, x.shape());
        Launches.elementwise(ctx, M, op.kernelSymbol(), x.size(), ptr(ctx, x, name, "x"),
                ptr(ctx, y, name, "y"), x.size());
        return y;
    }

    @Override
    public Tensor unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy) {
        Launches.sameShape("unaryBackward", x, dy);
        Launches.sameShape("unaryBackward", x, y);        // the kernel reads y[i] for i < n
        String name = "unaryBackward " + op;
        Tensor dx = CudaTensors.empty(ctx, x.shape());
        Launches.elementwise(ctx, M, KernelSymbols.unaryBackward(op), x.size(),
                ptr(ctx, x, name, "x"), ptr(ctx, y, name, "y"), ptr(ctx, dy, name, "dy"),
                ptr(ctx, dx, name, "dx"), x.size());
        return dx;
    }

    @Override
    public Tensor scalar(ScalarOp op, Tensor x, float s) {
        String name = "scalar " + op;
        Tensor y = CudaTensors.empty(ctx, x.shape());
        Launches.elementwise(ctx, M, op.kernelSymbol(), x.size(), ptr(ctx, x, name, "x"), s,
                ptr(ctx, y, name, "y"), x.size());
        return y;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase(Locale.ROOT);
        Shape s = Shape.broadcast(name, a.shape(), b.shape());
        Tensor y = CudaTensors.empty(ctx, s);
        int n = s.size();
        if (n == 0) return y;
        if (a.shape().equals(s) && b.shape().equals(s)) {
            Launches.elementwise(ctx, M, op.kernelSymbol(), n, ptr(ctx, a, name, "a"),
                    ptr(ctx, b, name, "b"), ptr(ctx, y, name, "y"), n);
        } else {
            int[][] d = StridedDescriptors.broadcast(name, s, a.shape(), b.shape());
            Launches.elementwise(ctx, M, KernelSymbols.binaryBroadcast(op), n,
                    ptr(ctx, a, name, "a"), d[0], ptr(ctx, b, name, "b"), d[1],
                    ptr(ctx, y, name, "y"), n);
        }
        return y;
    }

    @Override
    public Tensor where(Tensor mask, Tensor a, Tensor b) {
        Shape s = Shape.broadcast("where", Shape.broadcast("where", mask.shape(), a.shape()),
                b.shape());
        Tensor y = CudaTensors.empty(ctx, s);
        int n = s.size();
        if (n == 0) return y;
        int[][] d = StridedDescriptors.broadcast("where", s, mask.shape(), a.shape(), b.shape());
        Launches.elementwise(ctx, M, KernelSymbols.WHERE_BCAST, n,
                ptr(ctx, mask, "where", "mask"), d[0], ptr(ctx, a, "where", "a"), d[1],
                ptr(ctx, b, "where", "b"), d[2], ptr(ctx, y, "where", "y"), n);
        return y;
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        Tensor y = CudaTensors.empty(ctx, x.shape());
        Launches.elementwise(ctx, M, KernelSymbols.CLAMP, x.size(), ptr(ctx, x, "clamp", "x"),
                lo, hi, ptr(ctx, y, "clamp", "y"), x.size());
        return y;
    }
}
