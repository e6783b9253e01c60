package org.finetune4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ServiceLoader;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.BackendProvider;
import org.finetune4j.tensor.backend.Backends;
import org.junit.jupiter.api.Test;

class BackendSelectionTest {

    @Test
    void serviceLoaderFindsTheCudaProvider() {
        boolean found = ServiceLoader.load(BackendProvider.class).stream()
                .anyMatch(p -> p.type() == CudaBackendProvider.class);
        assertTrue(found, "META-INF/services does not register CudaBackendProvider");
    }

    @Test
    void cudaWithoutDriverOrDeviceFailsNamingWhatIsMissing() {
        CudaAvailability a = CudaAvailability.get();
        assumeFalse(a.available(0), "a CUDA device is present: " + a.describe());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Backends.of(Device.cuda(0)));
        String m = e.getMessage();
        assertTrue(m.contains("no CUDA driver") || m.contains("no CUDA device"), m);
        assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
    }

    @Test
    void aMissingOrdinalIsNamedInTheMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Backends.of(Device.cuda(97)));
        assertTrue(e.getMessage().contains("cuda:97"), e.getMessage());
    }

    @Test
    void withAGpuOpenGivesTheCudaBackendOfThatDevice() {
        CudaAvailability a = CudaAvailability.get();
        assumeTrue(a.available(0), a.describe());
        Backend b = Backends.of(Device.cuda(0));
        assertTrue(b instanceof CudaBackend, b.getClass().getName());
        assertEquals(Device.cuda(0), b.device());
        assertTrue(b.describe().contains("sm_") && b.describe().contains("CUDA path"),
                b.describe());
        assertSame(b, Backends.of(Device.cuda(0)), "Backends must cache the one backend");
    }

    @Test
    void theCpuDeviceIsUnaffectedByTheCudaPlugIn() {
        assertTrue(Backends.of(Device.CPU) == Backends.cpu());
    }
}
