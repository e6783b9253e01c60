package org.finetune4j.kernels.cuda;

import java.nio.FloatBuffer;
import jcuda.driver.CUdeviceptr;

/**
 * The copy primitives {@link PinnedStaging} builds on: page-locked host buffers ("slots", each
 * with an event marking the end of its last queued copy), async copies queued on the context's
 * one stream, and the plain pageable copies. JCudaHostTransfers in production, a fake in tests,
 * so the staging logic is tested on machines without a GPU. Device offsets are passed apart
 * from the pointer (never baked in with withByteOffset), so a fake can resolve its own pointers.
 * Counts are in floats; every slot copy uses the slot's first {@code count} floats.
 */
public interface HostTransfers {

    /** One page-locked buffer plus its event. */
    interface Slot {
        /** The buffer as floats in native byte order; use absolute get/put only. */
        FloatBuffer floats();
    }

    /** A slot of {@code floats} floats (cuMemHostAlloc + an event); nothing is queued on it. */
    Slot allocateSlot(int floats) throws PinnedUnavailable;

    /** Gives a slot's memory and event back; it must have no copy in flight. */
    void freeSlot(Slot slot);

    /** Queues dst[offset ..] = slot[0 .. count) on the stream; the slot is read later. */
    void toDeviceAsync(Slot src, CUdeviceptr dst, long dstByteOffset, int count);

    /** Queues slot[0 .. count) = src[offset ..] on the stream; the slot is written later. */
    void toHostAsync(CUdeviceptr src, long srcByteOffset, Slot dst, int count);

    /** Records the slot's event on the stream, after everything queued so far. */
    void record(Slot slot);

    /** Waits for the slot's last recorded event; returns at once if it was never recorded. */
    void await(Slot slot);

    /** dst[0 .. count) = host[hostOffset ..], pageable and synchronous; host may then change. */
    void toDevicePageable(float[] host, int hostOffset, CUdeviceptr dst, int count);

    /** host[hostOffset ..] = src[0 .. count), pageable, after all work queued on the stream. */
    void toHostPageable(CUdeviceptr src, float[] host, int hostOffset, int count);

    /** Page-locked memory could not be had (limit reached, no memory); staging falls back. */
    final class PinnedUnavailable extends Exception {
        public PinnedUnavailable(String message) {
            super(message);
        }
    }
}
