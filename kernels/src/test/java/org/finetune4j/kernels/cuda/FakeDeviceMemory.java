package org.finetune4j.kernels.cuda;

import java.util.HashMap;
import java.util.Map;

/** A device of {@code total} bytes without a GPU: fake addresses, fails like cuMemAlloc. */
final class FakeDeviceMemory implements RawDeviceMemory {
    private final long total;
    private final Map<Long, Long> blocks = new HashMap<>();   // address -> bytes
    private long used;
    private long nextAddress = 0x7f00_0000_0000L;
    int allocCalls;
    int freeCalls;

    FakeDeviceMemory(long total) {
        this.total = total;
    }

    @Override
    public synchronized long alloc(long bytes) throws OutOfDeviceMemory {
        allocCalls++;
        if (used + bytes > total) throw new OutOfDeviceMemory("CUDA_ERROR_OUT_OF_MEMORY");
        long address = nextAddress;
        nextAddress += bytes + 4096;                         // distinct, never overlapping
        blocks.put(address, bytes);
        used += bytes;
        return address;
    }

    @Override
    public synchronized void free(long address) {
        freeCalls++;
        Long bytes = blocks.remove(address);
        if (bytes == null) throw new IllegalStateException("fake: double cuMemFree of " + address);
        used -= bytes;
    }

    @Override
    public synchronized long[] memInfo() {
        return new long[] {total - used, total};
    }

    synchronized long used() {
        return used;
    }
}
