package org.finetune4j.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.kernels.cuda.KernelLaunch.Dim3;
import org.junit.jupiter.api.Test;

class KernelLaunchTest {

    @Test
    void gridForCoversNWithBlocksOf256AndCapsTheGrid() {
        assertEquals(1, KernelLaunch.gridFor(0));
        assertEquals(1, KernelLaunch.gridFor(1));
        assertEquals(1, KernelLaunch.gridFor(256));
        assertEquals(2, KernelLaunch.gridFor(257));
        assertEquals(65535 * 8, KernelLaunch.gridFor(Integer.MAX_VALUE));
    }

    @Test
    void badLaunchShapeIsRejectedNamingKernelAndShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelLaunch.checkShape("unary_exp", Dim3.of(4), new Dim3(64, 32, 1), 0));
        String shape = "unary_exp<<<grid (4,1,1), block (64,32,1), shared 0 B>>>";
        assertTrue(e.getMessage().contains(shape), e.getMessage());
        assertTrue(e.getMessage().contains("2048 threads per block"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> KernelLaunch.checkShape("k", new Dim3(1, 70000, 1), Dim3.of(1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> KernelLaunch.checkShape("k", Dim3.of(0), Dim3.of(1), 0));
    }

    @Test
    void kernelParamsAcceptEveryContractArgumentType() {
        int[] strided = new int[18];                                   // by-value Strided struct
        assertDoesNotThrow(() -> KernelLaunch.kernelParams("binary_add_bcast",
                DevicePointers.of(0x1000), strided, 1, 2f, 3L, 4.0));
    }

    @Test
    void unsupportedArgumentNamesKernelAndPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelLaunch.kernelParams("clamp", DevicePointers.of(0), true));
        assertTrue(e.getMessage().contains("kernel clamp argument 1"), e.getMessage());
        assertTrue(e.getMessage().contains("java.lang.Boolean"), e.getMessage());
    }
}
