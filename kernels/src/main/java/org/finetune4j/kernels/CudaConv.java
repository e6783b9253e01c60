package org.finetune4j.kernels;

import static org.finetune4j.kernels.CudaLinalg.offset;

import java.util.Arrays;
import jcuda.driver.CUdeviceptr;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelLaunch;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.ConvKernels;
import org.finetune4j.tensor.backend.ReduceOp;

/**
 * ConvKernels on CUDA: im2col.cu + CudaLinalg's GEMM (cuBLAS or sgemm_tiled), the layout of the
 * CPU twin's GroupedConv2d (K = cIn·kH·kW, kG = K / groups, P = outH·outW):
 *   forward       y_g (cOutG, P) = W_g (cOutG, kG) · col_g (kG, P), + bias (binary_add_bcast)
 *   backwardInput dcol_g (kG, P) = W_gᵀ · dy_g, dx = col2im(dcol)
 *   backwardWeight per image and group dy_g · col_gᵀ in one batched GEMM, then summed over the
 *                 images by reduce_sum_rows (double, fixed tree): deterministic, and parallel
 *                 where a per-image beta = 1 chain would run one small GEMM after another
 *   backwardBias  dy permuted to (cOut, n·P) by strided_copy, then reduce_sum_rows.
 * The im2col workspace holds a chunk of images (one at least, COL_BUDGET floats at most), so
 * with groups = 1 one batched GEMM (weights broadcast: stride 0) covers the chunk. A 1x1,
 * stride-1, unpadded convolution skips im2col: x[img] already is its (cIn, P) column matrix.
 */
public final class CudaConv implements ConvKernels {
    private static final long COL_BUDGET = 1L << 24;        // floats per workspace (64 MiB)
    private static final int ROW_BLOCK = 256;               // reduce_sum_rows: one block per row

    private final CudaContext ctx;
    private final CudaLinalg linalg;

    public CudaConv(CudaContext ctx, CudaAvailability availability) {
        this.ctx = ctx;
        this.linalg = new CudaLinalg(ctx, availability);
    }

    @Override
    public Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dGeometry g) {
        checkConv(x, w, g);
        checkBias(bias, g);
        int p = g.outH() * g.outW(), kG = g.cInG() * g.kH() * g.kW(), cOutG = g.cOutG();
        long inSize = (long) g.cIn() * g.h() * g.w(), outSize = (long) g.cOut() * p;
        long colSize = (long) g.cIn() * g.kH() * g.kW() * p;
        Tensor y = CudaTensors.empty(ctx, Shape.of(g.n(), g.cOut(), g.outH(), g.outW()));
        CUdeviceptr xp = CudaTensors.ptr(ctx, x, "conv2d", "input");
        CUdeviceptr wp = CudaTensors.ptr(ctx, w, "conv2d", "weight");
        CUdeviceptr yp = CudaTensors.ptr(ctx, y, "conv2d", "output");
        boolean direct = direct(g);
        int chunk = direct ? g.n() : imagesPerChunk(colSize, g.n());
        CudaStorage col = direct ? null : CudaStorage.allocate(ctx, (int) (chunk * colSize));
        for (int i0 = 0; i0 < g.n(); i0 += chunk) {
            int b = Math.min(chunk, g.n() - i0);
            CUdeviceptr src = offset(xp, i0 * inSize);
            if (!direct) {
                for (int t = 0; t < b; t++) {
                    im2col(offset(xp, (i0 + t) * inSize), offset(col.pointer(), t * colSize), g);
                }
                src = col.pointer();
            }
            groupedGemm(false, cOutG, p, kG, wp, kG, (long) cOutG * kG,
                    src, (long) kG * p, direct ? inSize : colSize,
                    offset(yp, i0 * outSize), (long) cOutG * p, outSize, b, g.groups());
        }
        if (col != null) col.free();
        if (bias != null) addBias(yp, CudaTensors.ptr(ctx, bias, "conv2d", "bias"), g);
        return y;
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor dy, Tensor w, Conv2dGeometry g) {
        checkConvOutput(dy, g);
        checkWeight(w, g);
        int p = g.outH() * g.outW(), kG = g.cInG() * g.kH() * g.kW(), cOutG = g.cOutG();
        long inSize = (long) g.cIn() * g.h() * g.w(), outSize = (long) g.cOut() * p;
        long colSize = (long) g.cIn() * g.kH() * g.kW() * p;
        Tensor dx = CudaTensors.empty(ctx, Shape.of(g.n(), g.cIn(), g.h(), g.w()));
        CUdeviceptr dyp = CudaTensors.ptr(ctx, dy, "conv2dBackwardInput", "gradient");
        CUdeviceptr wp = CudaTensors.ptr(ctx, w, "conv2dBackwardInput", "weight");
        CUdeviceptr dxp = CudaTensors.ptr(ctx, dx, "conv2dBackwardInput", "input gradient");
        boolean direct = direct(g);                  // col2im is the identity: GEMM into dx
        int chunk = direct ? g.n() : imagesPerChunk(colSize, g.n());
        CudaStorage col = direct ? null : CudaStorage.allocate(ctx, (int) (chunk * colSize));
        for (int i0 = 0; i0 < g.n(); i0 += chunk) {
            int b = Math.min(chunk, g.n() - i0);
            CUdeviceptr dst = direct ? offset(dxp, i0 * inSize) : col.pointer();
            groupedGemm(true, kG, p, cOutG, wp, kG, (long) cOutG * kG,
                    offset(dyp, i0 * outSize), (long) cOutG * p, outSize,
                    dst, (long) kG * p, direct ? inSize : colSize, b, g.groups());
            if (direct) continue;
            for (int t = 0; t < b; t++) {
                col2im(offset(col.pointer(), t * colSize), offset(dxp, (i0 + t) * inSize), g);
            }
        }
        if (col != null) col.free();
        return dx;
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor x, Tensor dy, Conv2dGeometry g) {
        checkConvOutput(dy, g);
        checkInput(x, g);
        int p = g.outH() * g.outW(), kG = g.cInG() * g.kH() * g.kW(), cOutG = g.cOutG();
        int wSize = g.weightSize();                                   // (cOut, cInG, kH, kW)
        long inSize = (long) g.cIn() * g.h() * g.w(), outSize = (long) g.cOut() * p;
        long colSize = (long) g.cIn() * g.kH() * g.kW() * p;
        Tensor dw = CudaTensors.empty(ctx, Shape.of(g.cOut(), g.cInG(), g.kH(), g.kW()));
        CUdeviceptr xp = CudaTensors.ptr(ctx, x, "conv2dBackwardWeight", "input");
        CUdeviceptr dyp = CudaTensors.ptr(ctx, dy, "conv2dBackwardWeight", "gradient");
        CUdeviceptr dwp = CudaTensors.ptr(ctx, dw, "conv2dBackwardWeight", "weight gradient");
        boolean direct = direct(g);
        int chunk = imagesPerChunk(Math.max(direct ? 0 : colSize, wSize), g.n());
        CudaStorage col = direct ? null : CudaStorage.allocate(ctx, (int) (chunk * colSize));
        // partials (b, groups, cOutG, kG) = (b, wSize) and its transpose (wSize, b) for the sum
        CudaStorage partials = chunk > 1 ? CudaStorage.allocate(ctx, chunk * wSize) : null;
        CudaStorage partialsT = chunk > 1 ? CudaStorage.allocate(ctx, chunk * wSize) : null;
        CudaStorage chunkSum = chunk < g.n() ? CudaStorage.allocate(ctx, wSize) : null;
        for (int i0 = 0; i0 < g.n(); i0 += chunk) {
            int b = Math.min(chunk, g.n() - i0);
            CUdeviceptr src = offset(xp, i0 * inSize);
            if (!direct) {
                for (int t = 0; t < b; t++) {
                    im2col(offset(xp, (i0 + t) * inSize), offset(col.pointer(), t * colSize), g);
                }
                src = col.pointer();
            }
            CUdeviceptr target = i0 == 0 ? dwp : chunkSum.pointer();
            // Batch index z = image·groups + group: dy_z, col_z and partial_z all sit at
            // z times their per-group size, because each image holds its groups back to back.
            CUdeviceptr out = b == 1 ? target : partials.pointer();
            linalg.gemm(false, true, cOutG, kG, p, 1f, offset(dyp, i0 * outSize), p,
                    (long) cOutG * p, src, p, (long) kG * p, 0f, out, kG, (long) cOutG * kG,
                    b * g.groups());
            if (b > 1) {
                transpose(partials.pointer(), partialsT.pointer(), b, wSize);
                sumRows(partialsT.pointer(), target, wSize, b);
            }
            if (i0 > 0) axpy(dwp, chunkSum.pointer(), wSize);          // chunks in order
        }
        for (CudaStorage s : new CudaStorage[] {col, partials, partialsT, chunkSum}) {
            if (s != null) s.free();
        }
        return dw;
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor dy, Conv2dGeometry g) {
        checkConvOutput(dy, g);
        int p = g.outH() * g.outW(), cOut = g.cOut(), n = g.n();
        Tensor db = CudaTensors.empty(ctx, Shape.of(cOut));
        CUdeviceptr dyp = CudaTensors.ptr(ctx, dy, "conv2dBackwardBias", "gradient");
        CudaStorage perm = CudaStorage.allocate(ctx, dy.size());    // (cOut, n, P)
        stridedCopy(dyp, strided(new int[] {cOut, n, p}, new int[] {p, cOut * p, 1}),
                perm.pointer(), dy.size());
        sumRows(perm.pointer(), CudaTensors.ptr(ctx, db, "conv2dBackwardBias", "output"), cOut,
                n * p);
        perm.free();
        return db;
    }

    // ---------------------------------------------------------------- GEMM over groups and images

    /**
     * For each of {@code images} images t and group gi: C = op(A_gi)·B, with A_gi = a + gi·aGroup
     * (row stride lda), B = b + t·bImage + gi·bGroup and C = c + t·cImage + gi·cGroup, both
     * (k, n) / (m, n) with row stride n. groups = 1: one GEMM batched over the images with the
     * weights broadcast (stride 0); otherwise one GEMM per image batched over the groups.
     */
    private void groupedGemm(boolean transA, int m, int n, int k, CUdeviceptr a, int lda,
                             long aGroup, CUdeviceptr b, long bGroup, long bImage,
                             CUdeviceptr c, long cGroup, long cImage, int images, int groups) {
        if (groups == 1) {
            linalg.gemm(transA, false, m, n, k, 1f, a, lda, 0, b, n, bImage, 0f, c, n, cImage,
                    images);
            return;
        }
        for (int t = 0; t < images; t++) {
            linalg.gemm(transA, false, m, n, k, 1f, a, lda, aGroup, offset(b, t * bImage), n,
                    bGroup, 0f, offset(c, t * cImage), n, cGroup, groups);
        }
    }

    // ---------------------------------------------------------------- kernel launches

    /** im2col(x, col, c, h, w, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW). */
    private void im2col(CUdeviceptr x, CUdeviceptr col, Conv2dGeometry g) {
        long total = (long) g.cIn() * g.kH() * g.kW() * g.outH() * g.outW();
        launchGeometry(KernelSymbols.IM2COL, x, col, total, g);
    }

    /** col2im(col, x, ...same...): gather form, x overwritten. */
    private void col2im(CUdeviceptr col, CUdeviceptr x, Conv2dGeometry g) {
        launchGeometry(KernelSymbols.COL2IM, col, x, (long) g.cIn() * g.h() * g.w(), g);
    }

    private void launchGeometry(String symbol, CUdeviceptr in, CUdeviceptr out, long total,
                                Conv2dGeometry g) {
        KernelLaunch.launch(ctx, PtxModule.IM2COL, symbol, KernelLaunch.gridFor(total),
                KernelLaunch.ELEMENTWISE_BLOCK, 0, in, out, g.cIn(), g.h(), g.w(), g.kH(), g.kW(),
                g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilH(), g.dilW(), g.outH(),
                g.outW());
    }

    /** y (n, cOut, P) += bias[o], in place: binary_add_bcast(a = y, as, b = bias, bs, y, size). */
    private void addBias(CUdeviceptr y, CUdeviceptr bias, Conv2dGeometry g) {
        int p = g.outH() * g.outW(), cOut = g.cOut(), size = g.outputSize();
        int[] shape = {g.n(), cOut, p};
        KernelLaunch.launch(ctx, PtxModule.ELEMENTWISE, KernelSymbols.binaryBroadcast(BinaryOp.ADD),
                KernelLaunch.gridFor(size), KernelLaunch.ELEMENTWISE_BLOCK, 0,
                y, strided(shape, new int[] {cOut * p, p, 1}),
                bias, strided(shape, new int[] {0, 1, 0}), y, size);
    }

    /** (rows, cols) -> (cols, rows) by strided_copy. */
    private void transpose(CUdeviceptr x, CUdeviceptr y, int rows, int cols) {
        stridedCopy(x, strided(new int[] {cols, rows}, new int[] {1, cols}), y, rows * cols);
    }

    private void stridedCopy(CUdeviceptr x, int[] xs, CUdeviceptr y, int n) {
        KernelLaunch.launch(ctx, PtxModule.MOVEMENT, KernelSymbols.STRIDED_COPY,
                KernelLaunch.gridFor(n), KernelLaunch.ELEMENTWISE_BLOCK, 0, x, xs, y, n);
    }

    /** y[r] = Σ x[r, :] in double, one block per row (reduce_sum_rows(x, y, rows, cols)). */
    private void sumRows(CUdeviceptr x, CUdeviceptr y, int rows, int cols) {
        KernelLaunch.launch(ctx, PtxModule.REDUCE, KernelSymbols.reduceRows(ReduceOp.SUM), rows,
                ROW_BLOCK, 0, x, y, rows, cols);
    }

    /** y += x over n floats (axpy(y, alpha, x, n)). */
    private void axpy(CUdeviceptr y, CUdeviceptr x, int n) {
        KernelLaunch.launch(ctx, PtxModule.ELEMENTWISE, KernelSymbols.AXPY,
                KernelLaunch.gridFor(n), KernelLaunch.ELEMENTWISE_BLOCK, 0, y, 1f, x, n);
    }

    /** The Strided descriptor (common.cuh) as int[18]: rank, offset 0, shape[8], stride[8]. */
    static int[] strided(int[] shape, int[] stride) {
        int[] s = new int[18];
        s[0] = shape.length;
        System.arraycopy(shape, 0, s, 2, shape.length);
        System.arraycopy(stride, 0, s, 10, stride.length);
        return s;
    }

    // ---------------------------------------------------------------- shapes

    /** As CpuConv2d.direct: x[img] already is the (cIn, h·w) column matrix. */
    private static boolean direct(Conv2dGeometry g) {
        return g.kH() == 1 && g.kW() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.padH() == 0 && g.padW() == 0;
    }

    /** Images per workspace: as many as fit COL_BUDGET floats of perImage each, at least one. */
    private static int imagesPerChunk(long perImage, int n) {
        if (perImage > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: one image's im2col matrix has " + perImage
                    + " elements, more than a device buffer index holds (2^31 - 1)");
        }
        return (int) Math.max(1, Math.min(n, COL_BUDGET / Math.max(1, perImage)));
    }

    static void checkBias(Tensor bias, Conv2dGeometry g) {
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != g.cOut())) {
            throw new IllegalArgumentException("conv2d: bias " + bias.shape() + " must be ["
                    + g.cOut() + "]");
        }
    }

    static void checkConv(Tensor x, Tensor w, Conv2dGeometry g) {
        checkInput(x, g);
        checkWeight(w, g);
    }

    static void checkInput(Tensor x, Conv2dGeometry g) {
        int[] xs = {g.n(), g.cIn(), g.h(), g.w()};
        if (!Arrays.equals(x.dims(), xs)) {
            throw new IllegalArgumentException("conv2d: input " + x.shape()
                    + " does not match geometry " + Arrays.toString(xs));
        }
    }

    static void checkWeight(Tensor w, Conv2dGeometry g) {
        int[] ws = {g.cOut(), g.cInG(), g.kH(), g.kW()};
        if (!Arrays.equals(w.dims(), ws)) {
            throw new IllegalArgumentException("conv2d: weight " + w.shape() + " must be "
                    + Arrays.toString(ws) + " for input (" + g.n() + ", " + g.cIn() + ", "
                    + g.h() + ", " + g.w() + ") with groups=" + g.groups());
        }
    }

    static void checkConvOutput(Tensor dy, Conv2dGeometry g) {
        int[] ys = {g.n(), g.cOut(), g.outH(), g.outW()};
        if (!Arrays.equals(dy.dims(), ys)) {
            throw new IllegalArgumentException("conv2d backward: gradient " + dy.shape()
                    + " must be " + Arrays.toString(ys));
        }
    }
}
