package org.finetune4j.kernels.parity;

import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CudaPool's bilinear resize (bilinear_resize.cu, align_corners = false) against the CPU
 * backend. The kernels round every float operation separately in the twin's order, so forward
 * and the gather-form backward are compared EXACT.
 */
class BilinearResizeParityTest {
    /** {inH, inW, outH, outW}: up, down, mixed, identity, to and from 1, non-integer scales. */
    private static final int[][] SIZES = {
        {7, 5, 14, 10}, {16, 16, 7, 5}, {7, 13, 5, 20}, {9, 9, 9, 9}, {1, 1, 4, 3},
        {6, 5, 1, 1}, {28, 28, 32, 32}, {13, 3, 31, 2}};

    private final Backend cpu = Parity.cpu();

    @BeforeEach
    void needsGpu() {
        Parity.assumeGpu();
    }

    @Test
    void forwardAndBackwardAreBitExactOnUpDownAndMixedScales() {
        long seed = 60;
        for (int[] s : SIZES) {
            Backend gpu = Parity.gpu();
            int inH = s[0], inW = s[1], outH = s[2], outW = s[3];
            String what = inH + "x" + inW + " -> " + outH + "x" + outW;
            Tensor x = Parity.uniform(seed++, -1f, 1f, 2, 3, inH, inW);
            Tensor dy = Parity.uniform(seed++, -1f, 1f, 2, 3, outH, outW);
            Parity.assertClose("bilinearResize " + what, cpu.bilinearResizeForward(x, outH, outW),
                    gpu.bilinearResizeForward(Parity.toGpu(x), outH, outW), Parity.Tol.EXACT);
            Parity.assertClose("bilinearResizeBackward " + what,
                    cpu.bilinearResizeBackward(dy, inH, inW),
                    gpu.bilinearResizeBackward(Parity.toGpu(dy), inH, inW), Parity.Tol.EXACT);
        }
    }
}
