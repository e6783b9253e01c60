package org.finetune4j.kernels;

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
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.finetune4j.tensor.backend.PoolKernels;
import org.finetune4j.tensor.backend.ScalarOp;

/**
 * PoolKernels on CUDA: pool.cu (max / avg pooling, forward and gather-form backward) and
 * bilinear_resize.cu, one grid-stride launch each over the output elements; shapes as CpuBackend.
 * The argmax tensor holds the same float values as the CPU backend's (plane index ih·w + iw),
 * although pool.cu reads and writes int32: an int i < 2^24 stored as float bits IS the float
 * i·2^-149 (a subnormal, or the smallest normal binade), so scaling by 2^149 in two exact steps
 * (2^100 then 2^49: 2^149 is not a float) turns the bits into the value, and 2^-49 then 2^-100
 * back. mul.f32 in elementwise.ptx keeps subnormals (no .ftz) and every step is exact, so a
 * downloaded argmax equals the CPU one and a CPU argmax uploaded to the device works too.
 */
public final class CudaPool implements PoolKernels {
    private static final float UP_1 = 0x1p100f, UP_2 = 0x1p49f;
    private static final float DOWN_1 = 0x1p-49f, DOWN_2 = 0x1p-100f;
    private static final int MAX_PLANE = 1 << 24;           // exact as float and as scaled bits

    private final CudaContext ctx;

    public CudaPool(CudaContext ctx, CudaAvailability availability) {
        this.ctx = ctx;
    }

    @Override
    public MaxPoolResult maxPool2dForward(Tensor x, Pool2dGeometry g) {
        checkInput("maxPool2d", x, g);
        if ((long) g.h() * g.w() > MAX_PLANE) {
            throw new IllegalArgumentException("maxPool2d: plane " + g.h() + "x" + g.w()
                    + " has more than 2^24 cells; argmax indices would not be exact floats");
        }
        Shape s = Shape.of(g.n(), g.c(), g.outH(), g.outW());
        Tensor y = CudaTensors.empty(ctx, s);
        Tensor argmax = CudaTensors.empty(ctx, s);
        CUdeviceptr am = CudaTensors.ptr(ctx, argmax, "maxPool2d", "argmax");
        launchPool(KernelSymbols.MAX_POOL2D_FORWARD, s.size(), g,
                CudaTensors.ptr(ctx, x, "maxPool2d", "input"),
                CudaTensors.ptr(ctx, y, "maxPool2d", "output"), am);
        scale(am, UP_1, am, s.size());                    // int bits -> float index, exactly
        scale(am, UP_2, am, s.size());
        return new MaxPoolResult(y, argmax);
    }

    @Override
    public Tensor maxPool2dBackward(Tensor dy, Tensor argmax, Pool2dGeometry g) {
        checkOutput("maxPool2dBackward", dy, g);
        if (!argmax.shape().equals(dy.shape())) {
            throw new IllegalArgumentException("maxPool2dBackward: argmax " + argmax.shape()
                    + " must match the gradient " + dy.shape());
        }
        Tensor dx = CudaTensors.empty(ctx, Shape.of(g.n(), g.c(), g.h(), g.w()));
        int size = dy.size();
        CudaStorage bits = CudaStorage.allocate(ctx, size);        // int32 argmax for pool.cu
        scale(CudaTensors.ptr(ctx, argmax, "maxPool2dBackward", "argmax"), DOWN_1,
                bits.pointer(), size);
        scale(bits.pointer(), DOWN_2, bits.pointer(), size);
        launchPool(KernelSymbols.MAX_POOL2D_BACKWARD, dx.size(), g,
                CudaTensors.ptr(ctx, dy, "maxPool2dBackward", "gradient"), bits.pointer(),
                CudaTensors.ptr(ctx, dx, "maxPool2dBackward", "input gradient"));
        bits.free();                                  // later users queue behind the kernel
        return dx;
    }

    @Override
    public Tensor avgPool2dForward(Tensor x, Pool2dGeometry g) {
        checkInput("avgPool2d", x, g);
        Tensor y = CudaTensors.empty(ctx, Shape.of(g.n(), g.c(), g.outH(), g.outW()));
        launchPool(KernelSymbols.AVG_POOL2D_FORWARD, y.size(), g,
                CudaTensors.ptr(ctx, x, "avgPool2d", "input"),
                CudaTensors.ptr(ctx, y, "avgPool2d", "output"));
        return y;
    }

    @Override
    public Tensor avgPool2dBackward(Tensor dy, Pool2dGeometry g) {
        checkOutput("avgPool2dBackward", dy, g);
        Tensor dx = CudaTensors.empty(ctx, Shape.of(g.n(), g.c(), g.h(), g.w()));
        launchPool(KernelSymbols.AVG_POOL2D_BACKWARD, dx.size(), g,
                CudaTensors.ptr(ctx, dy, "avgPool2dBackward", "gradient"),
                CudaTensors.ptr(ctx, dx, "avgPool2dBackward", "input gradient"));
        return dx;
    }

    /** bilinear_resize_forward(x, y, nc, inH, inW, outH, outW). */
    @Override
    public Tensor bilinearResizeForward(Tensor x, int outH, int outW) {
        rank4("bilinearResize", x, "input");
        positive("bilinearResize", outH, outW);
        int nc = x.dim(0) * x.dim(1), inH = x.dim(2), inW = x.dim(3);
        Tensor y = CudaTensors.empty(ctx, Shape.of(x.dim(0), x.dim(1), outH, outW));
        launch(PtxModule.BILINEAR_RESIZE, KernelSymbols.BILINEAR_RESIZE_FORWARD, y.size(),
                CudaTensors.ptr(ctx, x, "bilinearResize", "input"),
                CudaTensors.ptr(ctx, y, "bilinearResize", "output"), nc, inH, inW, outH, outW);
        return y;
    }

    /** bilinear_resize_backward(dy, dx, nc, inH, inW, outH, outW): gather form. */
    @Override
    public Tensor bilinearResizeBackward(Tensor dy, int inH, int inW) {
        rank4("bilinearResizeBackward", dy, "gradient");
        positive("bilinearResizeBackward", inH, inW);
        int nc = dy.dim(0) * dy.dim(1), outH = dy.dim(2), outW = dy.dim(3);
        Tensor dx = CudaTensors.empty(ctx, Shape.of(dy.dim(0), dy.dim(1), inH, inW));
        launch(PtxModule.BILINEAR_RESIZE, KernelSymbols.BILINEAR_RESIZE_BACKWARD, dx.size(),
                CudaTensors.ptr(ctx, dy, "bilinearResizeBackward", "gradient"),
                CudaTensors.ptr(ctx, dx, "bilinearResizeBackward", "input gradient"),
                nc, inH, inW, outH, outW);
        return dx;
    }

    // ---------------------------------------------------------------- launches

    /** pool.cu: (pointers..., n, c, h, w, kH, kW, strideH, strideW, padH, padW, outH, outW). */
    private void launchPool(String symbol, long total, Pool2dGeometry g, CUdeviceptr... ptrs) {
        Object[] args = new Object[ptrs.length + 12];
        System.arraycopy(ptrs, 0, args, 0, ptrs.length);
        int[] geometry = {g.n(), g.c(), g.h(), g.w(), g.kH(), g.kW(), g.strideH(), g.strideW(),
            g.padH(), g.padW(), g.outH(), g.outW()};
        for (int i = 0; i < geometry.length; i++) args[ptrs.length + i] = geometry[i];
        launch(PtxModule.POOL, symbol, total, args);
    }

    /** scalar_mul(x, s, y, n): y = x·s, in place when x == y. */
    private void scale(CUdeviceptr x, float s, CUdeviceptr y, int n) {
        launch(PtxModule.ELEMENTWISE, ScalarOp.MUL.kernelSymbol(), n, x, s, y, n);
    }

    private void launch(PtxModule module, String symbol, long total, Object... args) {
        if (total == 0) return;
        KernelLaunch.launch(ctx, module, symbol, KernelLaunch.gridFor(total),
                KernelLaunch.ELEMENTWISE_BLOCK, 0, args);
    }

    // ---------------------------------------------------------------- shapes

    static void checkInput(String op, Tensor x, Pool2dGeometry g) {
        rank4(op, x, "input");
        int[] xs = {g.n(), g.c(), g.h(), g.w()};
        if (!Arrays.equals(x.dims(), xs)) {
            throw new IllegalArgumentException(op + ": input " + x.shape()
                    + " does not match geometry " + Arrays.toString(xs));
        }
    }

    static void checkOutput(String op, Tensor dy, Pool2dGeometry g) {
        int[] ys = {g.n(), g.c(), g.outH(), g.outW()};
        if (!Arrays.equals(dy.dims(), ys)) {
            throw new IllegalArgumentException(op + ": gradient " + dy.shape() + " must be "
                    + Arrays.toString(ys));
        }
    }

    private static void rank4(String op, Tensor t, String what) {
        if (t.rank() != 4) {
            throw new IllegalArgumentException(op + ": " + what + " must have rank 4, got "
                    + t.shape());
        }
    }

    private static void positive(String op, int h, int w) {
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(op + ": target size " + h + "x" + w
                    + " must be positive");
        }
    }
}
