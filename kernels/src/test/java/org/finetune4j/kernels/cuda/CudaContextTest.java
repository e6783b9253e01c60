package org.finetune4j.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
}
