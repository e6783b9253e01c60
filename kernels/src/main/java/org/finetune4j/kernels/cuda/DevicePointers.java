package org.finetune4j.kernels.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Converts between raw device addresses (what the allocator keeps) and JCuda's CUdeviceptr (what
 * the driver calls take). JCuda hides the address (protected fields), but every native call reads
 * nativePointer + byteOffset, so a null pointer with the address as its byte offset is the same
 * pointer to the driver; reading one back needs a subclass that cuMemAlloc fills in.
 */
public final class DevicePointers {
    private DevicePointers() {}

    /** The device pointer at {@code address} (0 gives the null pointer). */
    public static CUdeviceptr of(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    /** A CUdeviceptr that a driver call (cuMemAlloc) writes, and whose address we can read. */
    static final class Receiver extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }
}
