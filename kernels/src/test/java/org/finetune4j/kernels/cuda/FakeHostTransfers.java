package org.finetune4j.kernels.cuda;

import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUdeviceptr;

/**
 * Host transfers without a GPU, as late as a GPU may legally be. Device memory is a float[];
 * async copies wait in a FIFO "stream" and run only when an await reaches past them or a pageable
 * copy drains the stream. An upload reads its slot at that moment and reports a violation if the
 * slot changed since the copy was queued; a download scribbles POISON over its slot when it
 * reaches the head of the stream (the DMA has started), so a slot read before its await shows.
 * Pointers come from {@link #pointer}; offsets must be passed apart (HostTransfers' contract).
 */
final class FakeHostTransfers implements HostTransfers {
    static final float POISON = Float.intBitsToFloat(0x7fc0dead);

    final float[] device;
    final List<String> violations = new ArrayList<>();
    final List<String> log = new ArrayList<>();       // "htod 8 s1", "record s1", "await s0", ...
    int allocateCalls;
    int freeCalls;
    int asyncCopies;
    int pageableCopies;
    int maxSlotsInFlight;
    private final Map<CUdeviceptr, Integer> pointers = new IdentityHashMap<>();  // -> float index
    private final ArrayDeque<Copy> stream = new ArrayDeque<>();
    private int failFromAllocation = Integer.MAX_VALUE;
    private long queued;                              // copies queued so far (sequence numbers)

    final class FakeSlot implements Slot {
        private final FloatBuffer floats;
        private final String name;
        private long recordedAfter = -1;              // sequence of the last copy before record
        private boolean freed;

        FakeSlot(int floats, String name) {
            this.floats = FloatBuffer.allocate(floats);
            this.name = name;
        }

        @Override
        public FloatBuffer floats() {
            return floats;
        }
    }

    /** One queued copy; snapshot: the slot's contents when an upload was queued. */
    private record Copy(long sequence, boolean toDevice, FakeSlot slot, int deviceIndex, int count,
                        float[] snapshot, boolean[] started) {}

    FakeHostTransfers(int deviceFloats) {
        this.device = new float[deviceFloats];
    }

    /** A device pointer to float {@code index} of the fake device. */
    synchronized CUdeviceptr pointer(int index) {
        CUdeviceptr p = DevicePointers.of(0x7f00_0000_0000L + (long) index * Float.BYTES);
        pointers.put(p, index);
        return p;
    }

    /** Allocation number {@code n} (1-based) and every later one fail. */
    synchronized void failAllocationsFrom(int n) {
        failFromAllocation = n;
    }

    synchronized int copiesInFlight() {
        return stream.size();
    }

    /** Runs everything queued, as cuStreamSynchronize would wait for it. */
    synchronized void drain() {
        while (!stream.isEmpty()) complete(stream.poll());
    }

    @Override
    public synchronized Slot allocateSlot(int floats) throws PinnedUnavailable {
        allocateCalls++;
        if (allocateCalls >= failFromAllocation) {
            throw new PinnedUnavailable("fake: CUDA_ERROR_OUT_OF_MEMORY (pinned limit)");
        }
        return new FakeSlot(floats, "s" + (allocateCalls - 1));
    }

    @Override
    public synchronized void freeSlot(Slot slot) {
        freeCalls++;
        FakeSlot s = (FakeSlot) slot;
        if (s.freed) violations.add("double free of " + s.name);
        s.freed = true;
    }

    @Override
    public synchronized void toDeviceAsync(Slot src, CUdeviceptr dst, long dstByteOffset,
                                           int count) {
        FakeSlot s = live(src);
        int index = resolve(dst, dstByteOffset, count);
        float[] snapshot = new float[count];
        s.floats.get(0, snapshot, 0, count);
        enqueue(new Copy(queued++, true, s, index, count, snapshot, new boolean[1]));
        log.add("htod " + index + " " + s.name);
    }

    @Override
    public synchronized void toHostAsync(CUdeviceptr src, long srcByteOffset, Slot dst,
                                         int count) {
        FakeSlot s = live(dst);
        int index = resolve(src, srcByteOffset, count);
        enqueue(new Copy(queued++, false, s, index, count, null, new boolean[1]));
        log.add("dtoh " + index + " " + s.name);
    }

    @Override
    public synchronized void record(Slot slot) {
        FakeSlot s = live(slot);
        s.recordedAfter = queued - 1;
        log.add("record " + s.name);
    }

    @Override
    public synchronized void await(Slot slot) {
        FakeSlot s = live(slot);
        while (!stream.isEmpty() && stream.peek().sequence() <= s.recordedAfter) {
            complete(stream.poll());
        }
        log.add("await " + s.name);
    }

    @Override
    public synchronized void toDevicePageable(float[] host, int hostOffset, CUdeviceptr dst,
                                              int count) {
        drain();                                  // the legacy stream waits for ours
        pageableCopies++;
        System.arraycopy(host, hostOffset, device, resolve(dst, 0, count), count);
    }

    @Override
    public synchronized void toHostPageable(CUdeviceptr src, float[] host, int hostOffset,
                                            int count) {
        drain();
        pageableCopies++;
        System.arraycopy(device, resolve(src, 0, count), host, hostOffset, count);
    }

    private void enqueue(Copy copy) {
        asyncCopies++;
        stream.add(copy);
        startHead();
        maxSlotsInFlight = Math.max(maxSlotsInFlight,
                (int) stream.stream().map(Copy::slot).distinct().count());
    }

    private void complete(Copy c) {
        if (c.toDevice()) {
            float[] now = new float[c.count()];
            c.slot().floats.get(0, now, 0, c.count());
            for (int i = 0; i < c.count(); i++) {
                if (Float.floatToRawIntBits(now[i]) != Float.floatToRawIntBits(c.snapshot()[i])) {
                    violations.add("slot " + c.slot().name + " rewritten while its upload to "
                            + c.deviceIndex() + " was in flight: [" + i + "] queued "
                            + c.snapshot()[i] + ", now " + now[i]);
                    break;
                }
            }
            System.arraycopy(now, 0, device, c.deviceIndex(), c.count());
        } else {
            c.slot().floats.put(0, device, c.deviceIndex(), c.count());
        }
        startHead();
    }

    /** The copy at the head of the stream has begun: a download may have written anything. */
    private void startHead() {
        Copy head = stream.peek();
        if (head == null || head.toDevice() || head.started()[0]) return;
        head.started()[0] = true;
        for (int i = 0; i < head.count(); i++) head.slot().floats.put(i, POISON);
    }

    private FakeSlot live(Slot slot) {
        FakeSlot s = (FakeSlot) slot;
        if (s.freed) throw new IllegalStateException("fake: " + s.name + " used after freeSlot");
        return s;
    }

    private int resolve(CUdeviceptr p, long byteOffset, int count) {
        Integer base = pointers.get(p);
        if (base == null) {
            throw new IllegalStateException("fake: pointer " + p + " did not come from pointer()"
                    + " (an offset baked in with withByteOffset?)");
        }
        if (byteOffset % Float.BYTES != 0) {
            throw new IllegalStateException("fake: byte offset " + byteOffset + " not a float");
        }
        long index = base + byteOffset / Float.BYTES;
        if (count < 0 || index + count > device.length) {
            throw new IllegalStateException("fake: copy of " + count + " floats at " + index
                    + " overruns the " + device.length + "-float device");
        }
        return (int) index;
    }
}
