package org.finetune4j.kernels.cuda;

import java.util.Objects;
import jcuda.driver.CUdeviceptr;

/**
 * Host <-> device copies of float[] for one context, staged through two page-locked buffers
 * ("slots") where that pays: large copies are cut into chunks, and while the DMA engine moves one
 * chunk on the stream the CPU fills or drains the other slot. Small copies, and every copy when
 * staging is off or page-locked memory could not be had, take the plain pageable driver copies.
 * Contracts (CudaContext.upload / download): upload returns once the host array may change;
 * download returns after everything queued on the stream before it. Thread-safe: one lock.
 * -Dfinetune4j.cuda.pinned=false turns staging off (read once per process).
 */
public final class PinnedStaging {
    private static final System.Logger LOG = System.getLogger(PinnedStaging.class.getName());
    private static final boolean ENABLED =
            !"false".equalsIgnoreCase(System.getProperty("finetune4j.cuda.pinned", "true"));

    // 4 MiB per slot: one chunk's DMA (~80-170 µs at 25-50 GB/s over PCIe 4/5) is >= 10x the
    // fixed cost of queueing a copy and an event (~5-10 µs), so per-chunk overhead stays small,
    // while the pipeline fill (the first chunk's host copy, not overlapped) stays short and the
    // two slots pin only 8 MiB of host memory per device. Not yet measured on a GPU.
    static final int CHUNK_BYTES = 4 << 20;
    // 256 KiB: below it a copy is latency-bound (~10 µs either way) and our extra host copy and
    // events cannot pay; the driver also stages small pageable uploads on its own. A guess from
    // the latency and bandwidth figures above, not yet measured on a GPU (CudaTransferBench).
    static final int THRESHOLD_BYTES = 256 << 10;

    private final String device;                  // "cuda:0", for messages
    private final HostTransfers transfers;
    private final boolean enabled;
    private final int chunkFloats;
    private final int thresholdFloats;
    private final Object lock = new Object();
    private HostTransfers.Slot[] slots;           // 2 slots once allocated (under lock)
    private int next;                             // the slot the next chunk uses (under lock)
    private volatile String unavailable;          // why page-locked memory failed; null if not

    /** Staging with the production sizes, on unless -Dfinetune4j.cuda.pinned=false. */
    PinnedStaging(String device, HostTransfers transfers) {
        this(device, transfers, ENABLED, CHUNK_BYTES / Float.BYTES,
                THRESHOLD_BYTES / Float.BYTES);
    }

    /** Copies of at least {@code thresholdFloats} (>= 1) go through slots of chunkFloats. */
    PinnedStaging(String device, HostTransfers transfers, boolean enabled, int chunkFloats,
                  int thresholdFloats) {
        if (chunkFloats < 1 || thresholdFloats < 1) {
            throw new IllegalArgumentException("chunk " + chunkFloats + " and threshold "
                    + thresholdFloats + " floats must both be >= 1");
        }
        this.device = device;
        this.transfers = transfers;
        this.enabled = enabled;
        this.chunkFloats = chunkFloats;
        this.thresholdFloats = thresholdFloats;
    }

    /** Whether -Dfinetune4j.cuda.pinned left staging on in this process. */
    public static boolean enabledByProperty() {
        return ENABLED;
    }

    /**
     * dst[0 .. count) = host[hostOffset .. hostOffset + count). Staged copies may still be in
     * flight on return; that is safe because the host array was already copied into a slot,
     * every later kernel or copy on the stream is ordered after them, and a slot is refilled
     * only after its event says its previous copy has finished.
     */
    void upload(float[] host, int hostOffset, CUdeviceptr dst, int count) {
        Objects.checkFromIndexSize(hostOffset, count, host.length);   // JCuda does not check
        if (!stages(count)) {
            transfers.toDevicePageable(host, hostOffset, dst, count);
            return;
        }
        synchronized (lock) {
            if (!slotsReady()) {
                transfers.toDevicePageable(host, hostOffset, dst, count);
                return;
            }
            for (long done = 0; done < count; done += chunkFloats) {   // long: no overflow
                int n = (int) Math.min(chunkFloats, count - done);
                HostTransfers.Slot slot = takeSlot();
                transfers.await(slot);                    // its last copy has read the buffer
                slot.floats().put(0, host, hostOffset + (int) done, n);
                transfers.toDeviceAsync(slot, dst, done * Float.BYTES, n);
                transfers.record(slot);
            }
        }
    }

    /**
     * host[hostOffset .. hostOffset + count) = src[0 .. count), after all work queued on the
     * stream: the copies queue behind it, and waiting on their events waits for it too. The DMA
     * of chunk i + 1 is queued before chunk i is copied out, so the two overlap.
     */
    void download(CUdeviceptr src, float[] host, int hostOffset, int count) {
        Objects.checkFromIndexSize(hostOffset, count, host.length);
        if (!stages(count)) {
            transfers.toHostPageable(src, host, hostOffset, count);
            return;
        }
        synchronized (lock) {
            if (!slotsReady()) {
                transfers.toHostPageable(src, host, hostOffset, count);
                return;
            }
            int chunks = (int) (((long) count + chunkFloats - 1) / chunkFloats);
            HostTransfers.Slot current = queueChunk(src, 0, count);
            for (int i = 0; i < chunks; i++) {
                // The slot chunk i + 1 lands in held chunk i - 1, already copied out below.
                HostTransfers.Slot following = i + 1 < chunks
                        ? queueChunk(src, (long) (i + 1) * chunkFloats, count) : null;
                int start = i * chunkFloats;
                transfers.await(current);
                current.floats().get(0, host, hostOffset + start,
                        Math.min(chunkFloats, count - start));
                current = following;
            }
        }
    }

    /** On, and page-locked memory has not failed (yet: slots are allocated on first use). */
    public boolean active() {
        return enabled && unavailable == null;
    }

    /** Which path copies take, for logs and benchmarks. */
    public String describe() {
        if (!enabled) return "pinned staging off (-Dfinetune4j.cuda.pinned=false)";
        String why = unavailable;
        if (why != null) return "pinned staging off (" + why + "); pageable copies";
        return "pinned staging on for copies >= " + DeviceAllocator.human(thresholdBytes())
                + ": 2 page-locked slots of " + DeviceAllocator.human(chunkBytes());
    }

    private boolean stages(int count) {
        return count >= thresholdFloats && active();
    }

    /** Queues the DMA of floats [first, first + chunk) of src into the next slot. */
    private HostTransfers.Slot queueChunk(CUdeviceptr src, long first, int count) {
        int n = (int) Math.min(chunkFloats, count - first);
        HostTransfers.Slot slot = takeSlot();
        // No await: the host has not touched this slot since its last copy-out, and the stream
        // runs this DMA after any upload still reading the slot.
        transfers.toHostAsync(src, first * Float.BYTES, slot, n);
        transfers.record(slot);
        return slot;
    }

    private HostTransfers.Slot takeSlot() {
        HostTransfers.Slot slot = slots[next];
        next ^= 1;
        return slot;
    }

    /**
     * Allocates both slots on first use, so processes that never move a large array pin
     * nothing. On failure frees what it got, logs once, and never tries again: a retry would
     * cost a failing cuMemHostAlloc on every large copy.
     */
    private boolean slotsReady() {
        if (slots != null) return true;
        if (unavailable != null) return false;
        HostTransfers.Slot first = null;
        try {
            first = transfers.allocateSlot(chunkFloats);
            HostTransfers.Slot second = transfers.allocateSlot(chunkFloats);
            slots = new HostTransfers.Slot[] {first, second};
            return true;
        } catch (HostTransfers.PinnedUnavailable e) {
            if (first != null) transfers.freeSlot(first);
            unavailable = e.getMessage();
            LOG.log(System.Logger.Level.WARNING, "finetune4j " + device + ": " + describe());
            return false;
        }
    }

    private long chunkBytes() {
        return (long) chunkFloats * Float.BYTES;
    }

    private long thresholdBytes() {
        return (long) thresholdFloats * Float.BYTES;
    }
}
