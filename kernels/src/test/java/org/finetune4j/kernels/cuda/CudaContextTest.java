package org.finetune4j.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import jcuda.Sizeof;
import org.junit.jupiter.api.Test;

/** Needs a real GPU; skipped elsewhere with the probe's reason. */
class CudaContextTest {

    @Test
    void uploadThenDownloadRoundTripsThroughPooledDeviceMemory() {
        CudaAvailability a = CudaAvailability.get();
        assumeTrue(a.available(0), a.describe());
        CudaContext context = CudaContext.of(0);
        float[] host = {1f, -2f, 3.5f, Float.NaN, 0f};
        CudaStorage s = CudaStorage.allocate(context, host.length);
        context.upload(host, 0, s.pointer(), host.length);
        float[] back = new float[host.length];
        context.download(s.pointer(), back, 0, host.length);
        assertArrayEquals(host, back);

        long hitsBefore = context.allocator().stats().hits();
        s.free();
        CudaStorage again = CudaStorage.allocate(context, host.length);   // served from the pool
        assertEquals(hitsBefore + 1, context.allocator().stats().hits());
        again.free();
        context.allocator().emptyCache();
        assertEquals(0, context.allocator().stats().cachedBytes());
    }

    @Test
    void largeCopiesRoundTripThroughPinnedStagingAtOffsets() {
        CudaAvailability a = CudaAvailability.get();
        assumeTrue(a.available(0), a.describe());
        CudaContext context = CudaContext.of(0);
        int chunk = PinnedStaging.CHUNK_BYTES / Sizeof.FLOAT;
        int n = 3 * chunk + chunk / 2 + 3;                     // 3.5 slots and a ragged tail
        float[] first = new float[n + 5];
        float[] second = new float[n + 5];
        for (int i = 0; i < first.length; i++) {
            first[i] = i * 0.5f;
            second[i] = -i - 0.25f;
        }
        float[] secondSent = second.clone();
        CudaStorage s = CudaStorage.allocate(context, n + 7);
        context.upload(first, 5, s.pointer().withByteOffset(7L * Sizeof.FLOAT), n);
        context.upload(second, 5, s.pointer().withByteOffset(7L * Sizeof.FLOAT), n);
        Arrays.fill(second, 0f);                                // host may change at once
        float[] back = new float[n + 2];
        context.download(s.pointer().withByteOffset(7L * Sizeof.FLOAT), back, 2, n);
        for (int i = 0; i < n; i++) {
            if (back[2 + i] != secondSent[5 + i]) {
                throw new AssertionError("back[" + (2 + i) + "] = " + back[2 + i]
                        + ", uploaded " + secondSent[5 + i] + " (" + context.staging().describe()
                        + ")");
            }
        }
        if (PinnedStaging.enabledByProperty()) {
            assertTrue(context.staging().active(), context.staging().describe());
        }
        s.free();
    }
}
