package org.finetune4j.kernels.cuda;

/**
 * The device-memory primitives the caching {@link DeviceAllocator} builds on: cuMemAlloc,
 * cuMemFree and cuMemGetInfo in production (JCudaDeviceMemory), a fake in tests, so the pool
 * logic is tested on machines without a GPU. Addresses are raw device pointers (CUdeviceptr).
 */
public interface RawDeviceMemory {

    /** A fresh block of exactly {@code bytes} bytes; throws when the device is out of memory. */
    long alloc(long bytes) throws OutOfDeviceMemory;

    void free(long address);

    /** {free, total} device memory in bytes, as cuMemGetInfo reports them. */
    long[] memInfo();

    /** The raw layer's "no memory left" (CUDA_ERROR_OUT_OF_MEMORY); the pool may still recover. */
    final class OutOfDeviceMemory extends Exception {
        public OutOfDeviceMemory(String message) {
            super(message);
        }
    }
}
