package org.finetune4j.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.tensor.Device;
import org.junit.jupiter.api.Test;

class CudaStorageTest {
    private static final long MIB = 1L << 20;

    @Test
    void explicitFreeReturnsTheBlockToThePoolExactlyOnce() {
        DeviceAllocator pool = new DeviceAllocator("cuda:0", new FakeDeviceMemory(64 * MIB));
        CudaStorage s = new CudaStorage(Device.cuda(0), pool, 1000);   // 4000 B -> 4096 B block
        assertEquals(4096, pool.stats().allocatedBytes());
        assertEquals(4000, s.byteSize());
        s.free();
        s.free();                                                       // second free is a no-op
        assertTrue(s.isFreed());
        assertEquals(0, pool.stats().allocatedBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, s::pointer);
        assertTrue(e.getMessage().contains("1000 floats on cuda:0"), e.getMessage());
    }

    @Test
    void unreachableStorageIsReturnedToThePoolByTheCleaner() throws InterruptedException {
        DeviceAllocator pool = new DeviceAllocator("cuda:0", new FakeDeviceMemory(64 * MIB));
        allocateAndDrop(pool);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (pool.stats().allocatedBytes() != 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, pool.stats().allocatedBytes(), "Cleaner did not release within 10 s");
        assertEquals(512, pool.stats().cachedBytes());
    }

    private static void allocateAndDrop(DeviceAllocator pool) {
        new CudaStorage(Device.cuda(0), pool, 3).bumpVersion();
    }

    @Test
    void versionCountsInPlaceWritesAndDeviceIsReported() {
        DeviceAllocator pool = new DeviceAllocator("cuda:2", new FakeDeviceMemory(MIB));
        CudaStorage s = new CudaStorage(Device.cuda(2), pool, 8);
        s.bumpVersion();
        s.bumpVersion();
        assertEquals(2, s.version());
        assertEquals(8, s.size());
        assertEquals(Device.cuda(2), s.device());
        s.free();
    }
}
