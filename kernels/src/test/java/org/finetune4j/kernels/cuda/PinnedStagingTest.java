package org.finetune4j.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PinnedStaging driven through FakeHostTransfers (no GPU): data, slot discipline, routing. */
class PinnedStagingTest {
    private static final int CHUNK = 8;                // floats per slot, tiny so copies span many
    private static final float UNTOUCHED = -7f;

    private static PinnedStaging staging(FakeHostTransfers fake, int threshold) {
        return new PinnedStaging("fake:0", fake, true, CHUNK, threshold);
    }

    /** Distinct, exactly representable values, different per seed. */
    private static float[] ramp(int n, int seed) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = seed * 1000 + i + 0.25f;
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + CHUNK / 2})
    void uploadThenDownloadRoundTripsExactlyAtOffsets(int n) {
        int hostOffset = 3;
        int deviceOffset = 5;
        FakeHostTransfers fake = new FakeHostTransfers(deviceOffset + n + 4);
        Arrays.fill(fake.device, UNTOUCHED);
        PinnedStaging s = staging(fake, 1);
        float[] host = ramp(hostOffset + n + 2, 1);
        float[] sent = host.clone();
        CUdeviceptr p = fake.pointer(deviceOffset);

        s.upload(host, hostOffset, p, n);
        Arrays.fill(host, 0f);                         // the contract: host may change at once
        float[] back = new float[n + 6];
        Arrays.fill(back, UNTOUCHED);
        s.download(p, back, 2, n);

        assertEquals(List.of(), fake.violations);
        for (int i = 0; i < n; i++) {
            assertEquals(sent[hostOffset + i], back[2 + i], "back[" + (2 + i) + "] of " + n);
        }
        for (int i : new int[] {0, 1, n + 2, n + 3, n + 4, n + 5}) {
            assertEquals(UNTOUCHED, back[i], "host outside the range, back[" + i + "] of " + n);
        }
        fake.drain();
        for (int i = 0; i < fake.device.length; i++) {
            boolean inside = i >= deviceOffset && i < deviceOffset + n;
            float expected = inside ? sent[hostOffset + i - deviceOffset] : UNTOUCHED;
            assertEquals(expected, fake.device[i], "device[" + i + "] after a copy of " + n);
        }
        assertEquals(n == 0 ? 0 : 2 * ((n + CHUNK - 1) / CHUNK), fake.asyncCopies, "async");
    }

    @Test
    void uploadReturnsBeforeItsCopiesFinishYetTheDeviceGetsTheOldHostValues() {
        FakeHostTransfers fake = new FakeHostTransfers(4 * CHUNK);
        float[] host = ramp(4 * CHUNK, 2);
        float[] sent = host.clone();
        staging(fake, 1).upload(host, 0, fake.pointer(0), host.length);
        assertTrue(fake.copiesInFlight() > 0, "upload waited for all its copies");
        Arrays.fill(host, 0f);
        fake.drain();
        assertArrayEquals(sent, fake.device);
        assertEquals(List.of(), fake.violations);
    }

    @Test
    void uploadRefillsASlotOnlyAfterAwaitingItsPreviousCopy() {
        FakeHostTransfers fake = new FakeHostTransfers(3 * CHUNK);
        staging(fake, 1).upload(ramp(3 * CHUNK, 3), 0, fake.pointer(0), 3 * CHUNK);
        assertEquals(List.of(
                "await s0", "htod 0 s0", "record s0",
                "await s1", "htod 8 s1", "record s1",
                "await s0", "htod 16 s0", "record s0"), fake.log);
        assertEquals(2, fake.maxSlotsInFlight, "both slots carry a copy at once");
    }

    @Test
    void downloadQueuesTheNextChunkBeforeCopyingTheCurrentOneOut() {
        FakeHostTransfers fake = new FakeHostTransfers(3 * CHUNK);
        float[] back = new float[3 * CHUNK];
        staging(fake, 1).download(fake.pointer(0), back, 0, 3 * CHUNK);
        assertEquals(List.of(
                "dtoh 0 s0", "record s0", "dtoh 8 s1", "record s1", "await s0",
                "dtoh 16 s0", "record s0", "await s1",
                "await s0"), fake.log);
        assertEquals(2, fake.maxSlotsInFlight);
    }

    @Test
    void interleavedUploadsAndDownloadsNeverTouchASlotInFlight() {
        FakeHostTransfers fake = new FakeHostTransfers(64 * CHUNK);
        PinnedStaging s = staging(fake, 1);
        int[] sizes = {1, 3 * CHUNK + 1, CHUNK, 5 * CHUNK - 1, 2, 7 * CHUNK};
        for (int round = 0; round < sizes.length; round++) {
            int n = sizes[round];
            CUdeviceptr p = fake.pointer(round * 9 * CHUNK);
            float[] sent = ramp(n, 10 + round);
            s.upload(sent.clone(), 0, p, n);
            float[] back = new float[n];
            s.download(p, back, 0, n);
            assertArrayEquals(sent, back, "round " + round + ", " + n + " floats");
        }
        assertEquals(List.of(), fake.violations);
        assertEquals(2, fake.allocateCalls, "two slots, allocated once");
    }

    @Test
    void copiesBelowTheThresholdArePageableAndPinNothing() {
        FakeHostTransfers fake = new FakeHostTransfers(4 * CHUNK);
        PinnedStaging s = staging(fake, 2 * CHUNK);
        float[] host = ramp(2 * CHUNK, 4);
        s.upload(host, 0, fake.pointer(0), 2 * CHUNK - 1);
        s.download(fake.pointer(0), new float[2 * CHUNK], 0, 2 * CHUNK - 1);
        assertEquals(2, fake.pageableCopies);
        assertEquals(0, fake.allocateCalls, "a small copy allocated page-locked memory");

        s.upload(host, 0, fake.pointer(0), 2 * CHUNK);
        assertEquals(2, fake.pageableCopies, "a copy at the threshold went pageable");
        assertEquals(2, fake.allocateCalls);
    }

    @Test
    void stagingSwitchedOffCopiesPageable() {
        FakeHostTransfers fake = new FakeHostTransfers(4 * CHUNK);
        PinnedStaging s = new PinnedStaging("fake:0", fake, false, CHUNK, 1);
        float[] host = ramp(4 * CHUNK, 5);
        s.upload(host, 0, fake.pointer(0), host.length);
        float[] back = new float[host.length];
        s.download(fake.pointer(0), back, 0, host.length);
        assertArrayEquals(host, back);
        assertEquals(2, fake.pageableCopies);
        assertEquals(0, fake.allocateCalls);
        assertTrue(s.describe().contains("off"), s.describe());
    }

    @Test
    void aFailedPinnedAllocationFallsBackToPageableForGood() {
        FakeHostTransfers fake = new FakeHostTransfers(4 * CHUNK);
        fake.failAllocationsFrom(1);
        PinnedStaging s = staging(fake, 1);
        float[] host = ramp(4 * CHUNK, 6);
        s.upload(host, 0, fake.pointer(0), host.length);
        float[] back = new float[host.length];
        s.download(fake.pointer(0), back, 0, host.length);
        assertArrayEquals(host, back);
        assertEquals(2, fake.pageableCopies);
        assertEquals(1, fake.allocateCalls, "retried cuMemHostAlloc after it failed");
        assertTrue(s.describe().contains("pinned limit"), s.describe());
    }

    @Test
    void aSecondSlotThatCannotBeAllocatedGivesTheFirstBack() {
        FakeHostTransfers fake = new FakeHostTransfers(4 * CHUNK);
        fake.failAllocationsFrom(2);
        PinnedStaging s = staging(fake, 1);
        float[] host = ramp(4 * CHUNK, 7);
        s.upload(host, 0, fake.pointer(0), host.length);
        assertArrayEquals(host, fake.device);
        assertEquals(2, fake.allocateCalls);
        assertEquals(1, fake.freeCalls, "the first slot stays pinned though staging is off");
        assertEquals(List.of(), fake.violations);
    }

    @Test
    void rejectsHostRangesOutsideTheArrayBeforeCopying() {
        FakeHostTransfers fake = new FakeHostTransfers(4 * CHUNK);
        PinnedStaging s = staging(fake, 1);
        float[] host = new float[CHUNK];
        assertThrows(IndexOutOfBoundsException.class,
                () -> s.upload(host, 1, fake.pointer(0), CHUNK));
        assertThrows(IndexOutOfBoundsException.class,
                () -> s.download(fake.pointer(0), host, -1, 2));
        assertEquals(0, fake.asyncCopies + fake.pageableCopies);
    }

    @Test
    void concurrentCallersShareTheSlotsSafely() throws Exception {
        int threads = 4;
        int n = 5 * CHUNK + 3;
        FakeHostTransfers fake = new FakeHostTransfers(threads * n);
        PinnedStaging s = staging(fake, 1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                CUdeviceptr p = fake.pointer(id * n);
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        float[] sent = ramp(n, id * 100 + round);
                        s.upload(sent, 0, p, n);
                        float[] back = new float[n];
                        s.download(p, back, 0, n);
                        assertArrayEquals(sent, back, "thread " + id + ", round " + round);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), fake.violations);
    }
}
