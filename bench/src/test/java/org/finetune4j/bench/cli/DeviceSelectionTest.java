package org.finetune4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.kernels.cuda.CudaAvailability;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DeviceSelectionTest {
    @Test
    void theCpuOrNoSelectionIsFine() {
        assertNull(DeviceSelection.problem(null, null));
        assertNull(DeviceSelection.problem("cpu", null));
        assertNull(DeviceSelection.problem(null, " "));
    }

    @Test
    void aBadNameIsOneLineNamingWhereItCameFrom() {
        String p = DeviceSelection.problem("gpu0", null);
        assertTrue(p.startsWith("-Dfinetune4j.device=gpu0: bad device 'gpu0'"), p);
        String e = DeviceSelection.problem(null, "tpu");
        assertTrue(e.startsWith("FINETUNE4J_DEVICE=tpu: bad device"), e);
    }

    @Test
    void cudaWithoutAGpuSaysWhy() {
        Assumptions.assumeFalse(CudaAvailability.get().available(0),
                "a GPU is present: the no-GPU message cannot be observed");
        String p = DeviceSelection.problem("cuda", null);
        assertTrue(p != null && p.startsWith("-Dfinetune4j.device=cuda: ") && p.contains(
                CudaAvailability.get().unavailableReason(0).orElseThrow()), p);
    }
}
