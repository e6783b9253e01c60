package org.finetune4j.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.CudaException;

/**
 * RawDeviceMemory on the CUDA driver API, bound to one context. Each call makes the context
 * current first, because the allocator may be called from any thread (the Cleaner's included).
 */
final class JCudaDeviceMemory implements RawDeviceMemory {
    private final CudaContext context;

    JCudaDeviceMemory(CudaContext context) {
        this.context = context;
    }

    @Override
    public long alloc(long bytes) throws OutOfDeviceMemory {
        context.makeCurrent();
        DevicePointers.Receiver p = new DevicePointers.Receiver();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("CUDA_ERROR_OUT_OF_MEMORY")) throw new OutOfDeviceMemory(m);
            throw new CudaException("cuMemAlloc(" + bytes + " bytes) on " + context.device()
                    + " failed: " + m, e);
        }
        return p.address();
    }

    @Override
    public void free(long address) {
        context.makeCurrent();
        // Kernels queued on our stream may still read the block; cuMemFree must not race them.
        cuStreamSynchronize(context.stream());
        cuMemFree(DevicePointers.of(address));
    }

    @Override
    public long[] memInfo() {
        context.makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }
}
