package org.finetune4j.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.tensor.Tensor;
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
                () -> CudaOptimizerUpdates.sgdUpdate(p, p, null, 0.1f, 0f, 0f, 0f, false, true));
        assertTrue(sgd.getMessage().contains("optimizer.sgdUpdate")
                && sgd.getMessage().contains("cpu"), sgd.getMessage());
        IllegalArgumentException adam = assertThrows(IllegalArgumentException.class,
                () -> CudaOptimizerUpdates.adamUpdate(p, p, p, p, null, 1e-3f, 0.9f, 0.999f,
                        1e-8f, 0f, 1, false, false));
        assertTrue(adam.getMessage().contains("optimizer.adamUpdate"), adam.getMessage());
    }
}
