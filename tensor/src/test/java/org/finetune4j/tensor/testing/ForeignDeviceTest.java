package org.finetune4j.tensor.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.NormKernels.BatchNormResult;
import org.finetune4j.tensor.backend.UnaryOp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fake device itself: results equal the CPU's bit for bit and stay foreign, in-place ops
 * write the private array and bump its version, and a host tensor reaching a device op, or host
 * access to a device tensor, fails loudly.
 */
class ForeignDeviceTest {
    private static final Device DEV = ForeignDevice.CUDA0;

    @BeforeAll
    static void install() {
        ForeignDevice.install();
    }

    @Test
    void uploadAndDownloadAreCopies() {
        float[] host = {1, 2, 3, 4, 5, 6};
        Tensor d = Tensor.wrap(host, 2, 3).to(DEV);
        host[0] = 99;
        assertTrue(ForeignDevice.isForeign(d));
        assertEquals(DEV, d.device());
        float[] back = d.toArray();
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, back);
        back[1] = -1;
        assertEquals(2f, d.get(0, 1));
        assertEquals(Device.CPU, d.to(Device.CPU).device());
    }

    @Test
    void hostAccessFailsAsForARealGpuTensor() {
        Tensor d = Tensor.ones(3).to(DEV);
        IllegalStateException e = assertThrows(IllegalStateException.class, d::data);
        assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
    }

    @Test
    void opsMatchTheCpuBitForBitAndStayOnTheDevice() {
        Tensor x = Tensor.normal(Rng.seeded(1), 0f, 1f, 2, 3, 5, 5);        // (n, c, h, w)
        Tensor w = Tensor.normal(Rng.seeded(2), 0f, 1f, 4, 3, 3, 3);        // (out, in, kh, kw)
        Conv2dGeometry g = Conv2dGeometry.of(2, 3, 5, 5, 4, 3, 1, 1, 1);
        Tensor cpu = x.backend().conv2dForward(x, w, null, g).map(UnaryOp.RELU).sum();
        Tensor xd = x.to(DEV);
        Tensor dev = xd.backend().conv2dForward(xd, w.to(DEV), null, g).map(UnaryOp.RELU).sum();
        assertTrue(ForeignDevice.isForeign(dev));
        assertEquals(cpu.item(), dev.item());
        Tensor cat = Tensor.concat(List.of(xd, xd.mul(2f)), 1);
        assertTrue(ForeignDevice.isForeign(cat));
        assertArrayEquals(Tensor.concat(List.of(x, x.mul(2f)), 1).toArray(), cat.toArray());
    }

    @Test
    void recordResultsAreWrappedAndInPlaceStatisticsReachTheDevice() {
        Tensor x = Tensor.normal(Rng.seeded(3), 0f, 1f, 4, 2, 3, 3);
        Tensor gamma = Tensor.ones(2);
        Tensor beta = Tensor.zeros(2);
        Tensor mean = Tensor.zeros(2);
        Tensor var = Tensor.ones(2);
        BatchNormResult cpu = x.backend().batchNormTrainForward(x, gamma, beta, mean, var, 0.1f,
                1e-5f);
        Tensor meanD = Tensor.zeros(2).to(DEV);
        Tensor varD = Tensor.ones(2).to(DEV);
        int before = meanD.version();
        Tensor xd = x.to(DEV);
        BatchNormResult dev = xd.backend().batchNormTrainForward(xd, gamma.to(DEV), beta.to(DEV),
                meanD, varD, 0.1f, 1e-5f);
        assertTrue(ForeignDevice.isForeign(dev.y()) && ForeignDevice.isForeign(dev.rstd()));
        assertArrayEquals(cpu.y().toArray(), dev.y().toArray());
        assertArrayEquals(mean.toArray(), meanD.toArray());
        assertArrayEquals(var.toArray(), varD.toArray());
        assertNotEquals(before, meanD.version(), "running mean updated without a version bump");
    }

    @Test
    void inPlaceOpsWriteTheDeviceArrayAndBumpTheVersion() {
        Tensor y = Tensor.of(new float[] {1, 2, 3}, 3).to(DEV);
        Tensor view = y.reshape(1, 3);
        int v0 = y.version();
        y.addInPlace(2f, Tensor.ones(3).to(DEV));
        y.scaleInPlace(0.5f);
        assertArrayEquals(new float[] {1.5f, 2f, 2.5f}, view.toArray());
        assertEquals(v0 + 2, y.version());
        y.copyFrom(Tensor.zeros(3).to(DEV));
        y.fillInPlace(7f);
        assertArrayEquals(new float[] {7, 7, 7}, y.toArray());
        assertEquals(v0 + 4, view.version());
    }

    @Test
    void aHostTensorInADeviceOpFailsNamingTheOp() {
        Tensor d = Tensor.ones(2, 2).to(DEV);
        Tensor host = Tensor.ones(2, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.add(host));
        assertTrue(e.getMessage().contains("'binary'") && e.getMessage().contains("argument 2")
                && e.getMessage().contains("cpu"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> d.copyFrom(host));
        assertTrue(e.getMessage().contains("'copyInto'"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> Tensor.concat(List.of(d, host), 0), "a host tensor inside a list");
    }

    @Test
    void aDeviceTensorInAHostOpFails() {
        Tensor d = Tensor.ones(2, 2).to(DEV);
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 2).add(d));
    }

    @Test
    void anotherOrdinalIsAnotherDevice() {
        Tensor a = Tensor.ones(2).to(DEV);
        Tensor b = Tensor.ones(2).to(Device.cuda(1));
        assertEquals(Device.cuda(1), b.device());
        assertThrows(IllegalStateException.class, () -> a.add(b));
        assertEquals(Shape.of(2), b.add(b).shape());
    }
}
