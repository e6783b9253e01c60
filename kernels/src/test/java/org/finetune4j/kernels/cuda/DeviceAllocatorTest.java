package org.finetune4j.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DeviceAllocatorTest {
    private static final long MIB = 1L << 20;

    @Test
    void roundsSmallRequestsTo512BytesAndLargeOnesTo2MiB() {
        assertEquals(512, DeviceAllocator.roundUp(0));
        assertEquals(512, DeviceAllocator.roundUp(1));
        assertEquals(512, DeviceAllocator.roundUp(512));
        assertEquals(1024, DeviceAllocator.roundUp(513));
        assertEquals(MIB, DeviceAllocator.roundUp(MIB));
        assertEquals(2 * MIB, DeviceAllocator.roundUp(MIB + 1));
        assertEquals(4 * MIB, DeviceAllocator.roundUp(3 * MIB));
        assertThrows(IllegalArgumentException.class, () -> DeviceAllocator.roundUp(-1));
    }

    @Test
    void reusesAReleasedBlockInsteadOfCallingTheDriver() {
        FakeDeviceMemory raw = new FakeDeviceMemory(64 * MIB);
        DeviceAllocator pool = new DeviceAllocator("cuda:0", raw);
        DeviceAllocator.Block first = pool.allocate(1000);
        pool.release(first);
        DeviceAllocator.Block second = pool.allocate(900);             // rounds to the same 1024
        assertEquals(first.address(), second.address());
        assertEquals(1, raw.allocCalls);
        DeviceAllocator.Stats s = pool.stats();
        assertEquals(1, s.hits());
        assertEquals(1, s.misses());
        assertEquals(2, s.allocations());
    }

    @Test
    void bestFitTakesTheSmallestCachedBlockThatIsLargeEnough() {
        DeviceAllocator pool = new DeviceAllocator("cuda:0", new FakeDeviceMemory(64 * MIB));
        DeviceAllocator.Block b4k = pool.allocate(4096);
        DeviceAllocator.Block b2k = pool.allocate(2048);
        DeviceAllocator.Block b8k = pool.allocate(8192);
        pool.release(b4k);
        pool.release(b2k);
        pool.release(b8k);
        DeviceAllocator.Block got = pool.allocate(1500);
        assertEquals(b2k.address(), got.address());
        assertEquals(2048, got.size());                                // the whole block is in use
        assertEquals(2048, pool.stats().allocatedBytes());
    }

    @Test
    void neverServesASmallRequestFromAMuchLargerBlock() {
        FakeDeviceMemory raw = new FakeDeviceMemory(64 * MIB);
        DeviceAllocator pool = new DeviceAllocator("cuda:0", raw);
        pool.release(pool.allocate(8 * MIB));
        DeviceAllocator.Block small = pool.allocate(512);
        assertEquals(512, small.size());
        assertEquals(2, raw.allocCalls);
        pool.release(pool.allocate(6 * MIB));                          // 8 MiB <= 2 x 6 MiB: reused
        assertEquals(2, raw.allocCalls);
    }

    @Test
    void statisticsTrackAllocatedReservedAndPeakBytes() {
        DeviceAllocator pool = new DeviceAllocator("cuda:1", new FakeDeviceMemory(64 * MIB));
        DeviceAllocator.Block a = pool.allocate(3 * MIB);              // 4 MiB
        DeviceAllocator.Block b = pool.allocate(100);                  // 512 B
        pool.release(a);
        DeviceAllocator.Stats s = pool.stats();
        assertEquals(512, s.allocatedBytes());
        assertEquals(4 * MIB + 512, s.reservedBytes());
        assertEquals(4 * MIB + 512, s.peakAllocatedBytes());
        assertEquals(4 * MIB, s.cachedBytes());
        pool.release(b);
        assertEquals(0, pool.stats().allocatedBytes());
    }

    @Test
    void emptyCacheReturnsOnlyUnusedBlocksToTheDriver() {
        FakeDeviceMemory raw = new FakeDeviceMemory(64 * MIB);
        DeviceAllocator pool = new DeviceAllocator("cuda:0", raw);
        DeviceAllocator.Block kept = pool.allocate(4 * MIB);
        pool.release(pool.allocate(2 * MIB));
        pool.release(pool.allocate(512));
        pool.emptyCache();
        assertEquals(2, raw.freeCalls);
        assertEquals(4 * MIB, raw.used());
        assertEquals(4 * MIB, pool.stats().reservedBytes());
        pool.release(kept);
        DeviceAllocator.Block again = pool.allocate(4 * MIB);
        assertEquals(kept.address(), again.address());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeDeviceMemory raw = new FakeDeviceMemory(10 * MIB);
        DeviceAllocator pool = new DeviceAllocator("cuda:0", raw);
        DeviceAllocator.Block a = pool.allocate(4 * MIB);
        pool.release(pool.allocate(4 * MIB));                         // 4 MiB cached, 8 reserved
        DeviceAllocator.Block big = pool.allocate(6 * MIB);            // fails, empties, retries
        assertNotEquals(a.address(), big.address());
        assertEquals(4, raw.allocCalls);                               // 2 warm-up, fail, retry
        assertEquals(1, raw.freeCalls);
        assertEquals(10 * MIB, pool.stats().reservedBytes());
    }

    @Test
    void outOfMemoryMessageNamesRequestDeviceMemoryAndPoolReserve() {
        FakeDeviceMemory raw = new FakeDeviceMemory(10 * MIB);
        DeviceAllocator pool = new DeviceAllocator("cuda:0", raw);
        pool.allocate(8 * MIB);
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class,
                () -> pool.allocate(4 * MIB - 10));
        String m = e.getMessage();
        assertTrue(m.contains("cuda:0"), m);
        assertTrue(m.contains("tried to allocate 4.00 MiB"), m);
        assertTrue(m.contains((4 * MIB - 10) + " bytes requested"), m);
        assertTrue(m.contains("device free 2.00 MiB"), m);
        assertTrue(m.contains("of total 10.00 MiB"), m);
        assertTrue(m.contains("pool reserved 8.00 MiB"), m);
        assertEquals(5, raw.allocCalls);                // 1 + the failed pair, before and after a GC
        assertEquals(8 * MIB, pool.stats().allocatedBytes());          // books unchanged
    }

    @Test
    void releasingABlockTwiceIsAnErrorNamingTheAddress() {
        DeviceAllocator pool = new DeviceAllocator("cuda:0", new FakeDeviceMemory(MIB));
        DeviceAllocator.Block b = pool.allocate(64);
        pool.release(b);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(b));
        assertTrue(e.getMessage().contains(Long.toHexString(b.address())), e.getMessage());
    }

    @Test
    void concurrentAllocateAndReleaseKeepTheBooksBalanced() throws Exception {
        FakeDeviceMemory raw = new FakeDeviceMemory(1L << 40);
        DeviceAllocator pool = new DeviceAllocator("cuda:0", raw);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            SplittableRandom rng = new SplittableRandom(t);
            done.add(threads.submit(() -> {
                List<DeviceAllocator.Block> held = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    if (!held.isEmpty() && rng.nextBoolean()) {
                        pool.release(held.remove(rng.nextInt(held.size())));
                    } else {
                        held.add(pool.allocate(rng.nextLong(1, 3 * MIB)));
                    }
                }
                held.forEach(pool::release);
            }));
        }
        for (Future<?> f : done) f.get();
        threads.shutdown();
        DeviceAllocator.Stats s = pool.stats();
        assertEquals(0, s.allocatedBytes());
        assertEquals(raw.used(), s.reservedBytes());
        assertEquals(s.allocations(), s.hits() + s.misses());
        assertEquals(raw.allocCalls, s.misses());
        assertTrue(s.hits() > 0, "no reuse in " + s);
    }
}
