package org.finetune4j.kernels.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching device allocator in the spirit of PyTorch's CUDACachingAllocator: a released block
 * goes to a size-keyed free list and the next request of (nearly) that size reuses it, so a
 * training step that repeats the same shapes never calls cuMemAlloc (which synchronises the
 * device and costs ~0.1-1 ms) once warm. Blocks are never split or merged; requests are rounded
 * so that reuse is likely. All work runs on one stream, so a block released here may be reused
 * at once: any later kernel touching it is queued behind the kernels that used it before.
 * Thread-safe: every method is synchronized (the Cleaner thread releases blocks too).
 */
public final class DeviceAllocator {
    private static final long RECLAIM_WAIT_MS = 50;   // cleaners run on their own thread
    static final long SMALL_LIMIT = 1L << 20;     // <= 1 MiB: "small" pool (PyTorch kSmallSize)
    static final long SMALL_GRANULE = 512;        // PyTorch kMinBlockSize
    static final long LARGE_GRANULE = 2L << 20;   // 2 MiB, PyTorch's large-buffer rounding
    static final long MAX_OVERSIZE = 2;           // a cached block may be at most 2x the request,
                                                  // so a tiny tensor never pins a huge block

    /** A block handed out by {@link #allocate}; size is the rounded size actually reserved. */
    public record Block(long address, long size) {}

    /** Pool counters. allocated: in use by callers; reserved: obtained from the driver. */
    public record Stats(long allocatedBytes, long reservedBytes, long peakAllocatedBytes,
                        long hits, long misses, long allocations) {
        public long cachedBytes() {
            return reservedBytes - allocatedBytes;
        }
    }

    private final String device;                                       // "cuda:0", for messages
    private final RawDeviceMemory raw;
    private final TreeMap<Long, ArrayDeque<Long>> free = new TreeMap<>();   // size -> addresses
    private final Map<Long, Long> live = new HashMap<>();              // address -> size in use
    private long allocated;
    private long reserved;
    private long peak;
    private long hits;
    private long misses;
    private long allocations;

    public DeviceAllocator(String device, RawDeviceMemory raw) {
        this.device = device;
        this.raw = raw;
    }

    /** Rounds a request: 512-byte granules up to 1 MiB, 2 MiB granules above; at least 512. */
    public static long roundUp(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
        }
        long granule = bytes <= SMALL_LIMIT ? SMALL_GRANULE : LARGE_GRANULE;
        long rounded = (bytes + granule - 1) / granule * granule;
        return Math.max(rounded, SMALL_GRANULE);                       // 0 bytes still gets a block
    }

    public Block allocate(long bytes) {
        try {
            return allocateLocked(bytes);
        } catch (CudaOutOfMemoryException first) {
            // Dead tensors give their blocks back through a Cleaner, i.e. only after a garbage
            // collection, and device memory can run out long before the (small) Java heap
            // forces one. So collect, give the cleaners a moment (outside this allocator's lock:
            // they call release), and try once more; a second failure is the real OOM.
            System.gc();
            try {
                Thread.sleep(RECLAIM_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw first;
            }
            return allocateLocked(bytes);
        }
    }

    private synchronized Block allocateLocked(long bytes) {
        long size = roundUp(bytes);
        allocations++;
        Block cached = takeCached(size);
        if (cached != null) {
            hits++;
            return handOut(cached);
        }
        misses++;
        Block fresh = new Block(allocFromDriver(bytes, size), size);
        reserved += size;
        return handOut(fresh);
    }

    /** Returns a block to the pool (not to the driver); throws on a double or foreign release. */
    public synchronized void release(Block block) {
        Long size = live.remove(block.address());
        if (size == null) {
            throw new IllegalStateException("release of a block " + device + " pool does not hold"
                    + " (already released?): address 0x" + Long.toHexString(block.address())
                    + ", " + block.size() + " bytes");
        }
        allocated -= size;
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block.address());
    }

    /** Frees every cached (unused) block back to the driver; blocks in use are untouched. */
    public synchronized void emptyCache() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet()) {
            for (long address : e.getValue()) {
                raw.free(address);
                reserved -= e.getKey();
            }
        }
        free.clear();
    }

    public synchronized Stats stats() {
        return new Stats(allocated, reserved, peak, hits, misses, allocations);
    }

    public String device() {
        return device;
    }

    /** Best fit from the same pool (small or large), within MAX_OVERSIZE; null if none fits. */
    private Block takeCached(long size) {
        Map.Entry<Long, ArrayDeque<Long>> e = free.ceilingEntry(size);
        if (e == null) return null;
        long candidate = e.getKey();
        boolean samePool = (candidate <= SMALL_LIMIT) == (size <= SMALL_LIMIT);
        if (!samePool || candidate > size * MAX_OVERSIZE) return null;
        long address = e.getValue().pop();
        if (e.getValue().isEmpty()) free.remove(candidate);
        return new Block(address, candidate);                          // the whole block is in use
    }

    private Block handOut(Block block) {
        live.put(block.address(), block.size());
        allocated += block.size();
        peak = Math.max(peak, allocated);
        return block;
    }

    /** cuMemAlloc; on OOM, empty the cache (cached blocks may be the reason) and try once more. */
    private long allocFromDriver(long requested, long size) {
        try {
            return raw.alloc(size);
        } catch (RawDeviceMemory.OutOfDeviceMemory first) {
            emptyCache();
            try {
                return raw.alloc(size);
            } catch (RawDeviceMemory.OutOfDeviceMemory second) {
                throw outOfMemory(requested, size, second);
            }
        }
    }

    private CudaOutOfMemoryException outOfMemory(long requested, long size, Exception cause) {
        String deviceMemory;
        try {
            long[] info = raw.memInfo();
            deviceMemory = "device free " + human(info[0]) + " of total " + human(info[1]);
        } catch (RuntimeException e) {
            deviceMemory = "device free/total unknown (cuMemGetInfo failed: " + e.getMessage()
                    + ")";
        }
        return new CudaOutOfMemoryException("CUDA out of memory on " + device
                + ": tried to allocate " + human(size) + " (" + requested + " bytes requested, "
                + size + " rounded); "
                + deviceMemory + "; pool reserved " + human(reserved) + " of which "
                + human(allocated) + " in use by tensors (cache already emptied and retried); "
                + "driver: " + cause.getMessage());
    }

    /** "1.50 GiB (1610612736 bytes)": readable, and exact for the curious. */
    static String human(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u == 0) return bytes + " bytes";
        return String.format(Locale.ROOT, "%.2f %s (%d bytes)", v, units[u], bytes);
    }
}
