package org.finetune4j.kernels.parity;

import java.util.List;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.ConvKernels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both CUDA convolutions against the CPU backend: CudaConv (im2col.cu + GEMM) and CudnnConv
 * (cuDNN, GEMM-family algorithms, FMA math); forward with bias and the three gradients, on the
 * resnet-mini layer shapes at batch 4 and on odd stride / padding / dilation / groups cases.
 * Tolerance: the GEMM's (gemm.cu) for the reduction length k of each product,
 * atol 1e-5·sqrt(k) + rtol 1e-4; im2col / col2im themselves are exact. cuDNN's algorithms are
 * dot products too (CudnnConv admits no FFT or Winograd), so the same bound applies.
 */
class Conv2dParityTest {
    /** resnet-mini (width 1, 1x28x28 input) layers at batch 4, incl. the 1x1 stride-2 shortcuts. */
    private static final List<Conv2dGeometry> RESNET_MINI = List.of(
            Conv2dGeometry.of(4, 1, 28, 28, 16, 3, 1, 1, 1),       // stem
            Conv2dGeometry.of(4, 16, 28, 28, 16, 3, 1, 1, 1),      // stage 1
            Conv2dGeometry.of(4, 16, 28, 28, 32, 3, 2, 1, 1),      // stage 2 entry
            Conv2dGeometry.of(4, 16, 28, 28, 32, 1, 2, 0, 1),      // stage 2 shortcut
            Conv2dGeometry.of(4, 32, 14, 14, 32, 3, 1, 1, 1),      // stage 2
            Conv2dGeometry.of(4, 32, 14, 14, 64, 3, 2, 1, 1),      // stage 3 entry
            Conv2dGeometry.of(4, 32, 14, 14, 64, 1, 2, 0, 1),      // stage 3 shortcut
            Conv2dGeometry.of(4, 64, 7, 7, 64, 3, 1, 1, 1));       // stage 3

    /** (n, cIn, h, w, cOut, kH, kW, strideH, strideW, padH, padW, dilH, dilW, groups). */
    private static final List<Conv2dGeometry> ODD = List.of(
            new Conv2dGeometry(3, 6, 11, 9, 4, 3, 2, 2, 3, 1, 0, 2, 1, 2),
            new Conv2dGeometry(2, 8, 10, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8),      // depthwise
            new Conv2dGeometry(3, 5, 7, 7, 6, 1, 1, 1, 1, 0, 0, 1, 1, 1),        // direct 1x1
            new Conv2dGeometry(2, 6, 5, 3, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2),        // grouped 1x1
            new Conv2dGeometry(1, 3, 5, 5, 2, 5, 5, 1, 1, 2, 2, 1, 1, 1),        // one image
            new Conv2dGeometry(2, 2, 9, 9, 3, 2, 2, 3, 3, 0, 0, 1, 1, 1),        // stride > k
            new Conv2dGeometry(5, 3, 13, 7, 7, 3, 3, 2, 1, 2, 1, 3, 2, 1));      // dilated

    private final Backend cpu = Parity.cpu();

    @BeforeEach
    void needsGpu() {
        Parity.assumeGpu();
    }

    @ParameterizedTest
    @EnumSource(Parity.Path.class)
    void resnetMiniLayersMatchCpuForwardAndBackward(Parity.Path path) {
        Parity.assumePath(path);
        ConvKernels gpu = Parity.conv(path);
        long seed = 10;
        for (Conv2dGeometry g : RESNET_MINI) check(gpu, g, seed++);
    }

    @ParameterizedTest
    @EnumSource(Parity.Path.class)
    void oddStridePaddingDilationAndGroupsMatchCpu(Parity.Path path) {
        Parity.assumePath(path);
        ConvKernels gpu = Parity.conv(path);
        long seed = 100;
        for (Conv2dGeometry g : ODD) check(gpu, g, seed++);
    }

    private void check(ConvKernels gpu, Conv2dGeometry g, long seed) {
        Tensor x = Parity.uniform(seed, -1f, 1f, g.n(), g.cIn(), g.h(), g.w());
        Tensor w = Parity.uniform(seed + 1, -1f, 1f, g.cOut(), g.cInG(), g.kH(), g.kW());
        Tensor bias = Parity.uniform(seed + 2, -1f, 1f, g.cOut());
        Tensor dy = Parity.uniform(seed + 3, -1f, 1f, g.n(), g.cOut(), g.outH(), g.outW());
        Tensor xg = Parity.toGpu(x), wg = Parity.toGpu(w), dyg = Parity.toGpu(dy);
        int p = g.outH() * g.outW();
        int kForward = g.cInG() * g.kH() * g.kW();
        int kInput = g.cOutG() * g.kH() * g.kW();
        Parity.assertClose("conv2dForward " + g, cpu.conv2dForward(x, w, bias, g),
                gpu.conv2dForward(xg, wg, Parity.toGpu(bias), g), tol(kForward + 1));
        Parity.assertClose("conv2dForward without bias " + g, cpu.conv2dForward(x, w, null, g),
                gpu.conv2dForward(xg, wg, null, g), tol(kForward));
        Parity.assertClose("conv2dBackwardInput " + g, cpu.conv2dBackwardInput(dy, w, g),
                gpu.conv2dBackwardInput(dyg, wg, g), tol(kInput));
        Parity.assertClose("conv2dBackwardWeight " + g, cpu.conv2dBackwardWeight(x, dy, g),
                gpu.conv2dBackwardWeight(xg, dyg, g), tol(g.n() * p));
        Parity.assertClose("conv2dBackwardBias " + g, cpu.conv2dBackwardBias(dy, g),
                gpu.conv2dBackwardBias(dyg, g), tol(g.n() * p));
    }

    private static Parity.Tol tol(int k) {
        return Parity.Tol.of(1e-5 * Math.sqrt(k), 1e-4);
    }
}
