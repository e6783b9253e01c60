package org.finetune4j.kernels.cuda;

/**
 * Thrown by {@link DeviceAllocator} when a request cannot be met even after the cache was
 * emptied. The message names the request, the device's free and total memory and the pool's
 * reserved bytes, so a user can tell fragmentation (large reserved, small in use) from a model
 * or batch that simply does not fit.
 */
public final class CudaOutOfMemoryException extends RuntimeException {
    public CudaOutOfMemoryException(String message) {
        super(message);
    }
}
