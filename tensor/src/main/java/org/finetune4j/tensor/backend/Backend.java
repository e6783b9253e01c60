package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Device;

/**
 * The whole op set a device implements, split into role interfaces of at most 12 methods each.
 * CpuBackend (always present) and CudaBackend (module kernels) implement it. Ops compute
 * through tensors of their own device only; mixing devices is an error that names both.
 */
public interface Backend extends MemoryKernels, ElementwiseKernels, MovementKernels, ReductionKernels,
        LinalgKernels, ConvKernels, PoolKernels, NormKernels, LossKernels, FusedKernels,
        OptimizerKernels {

    Device device();

    /** One line for logs: which implementation and paths are active. */
    String describe();
}
