package org.finetune4j.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.OptimizerKernels.AdamStep;
import org.finetune4j.tensor.backend.OptimizerKernels.SgdStep;
import org.junit.jupiter.api.Test;

/**
 * CudaOptimizerUpdates' argument checks that need no GPU: a host parameter is refused before
 * any CUDA call, naming the op and the device. (The numerics: parity/OptimizerUpdatesParityTest.)
 */
class CudaOptimizerUpdatesTest {

    @Test
    void hostTensorsAreRefusedByName() {
        Tensor p = Tensor.zeros(3);
        IllegalArgumentException sgd = assertThrows(IllegalArgumentException.class,
                () -> CudaOptimizerUpdates.sgdUpdate(p, p, null,
                        new SgdStep(0.1f, 0f, 1f, 0f, false, true)));
        assertTrue(sgd.getMessage().contains("optimizer.sgdUpdate")
                && sgd.getMessage().contains("cpu"), sgd.getMessage());
        IllegalArgumentException adam = assertThrows(IllegalArgumentException.class,
                () -> CudaOptimizerUpdates.adamUpdate(p, p, p, p, null,
                        AdamStep.of(1e-3, 0.9, 0.999, 1e-8, 0, 1, false)));
        assertTrue(adam.getMessage().contains("optimizer.adamUpdate"), adam.getMessage());
    }
}
