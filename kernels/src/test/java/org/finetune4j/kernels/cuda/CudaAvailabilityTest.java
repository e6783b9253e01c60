package org.finetune4j.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CudaAvailabilityTest {

    @Test
    void shortCauseKeepsTheDlopenLineOfJCudasLoaderMessage() {
        String jcuda = """
                Error while loading native library "JCudaDriver-12.0.0-linux-x86_64"
                ---(start of nested stack traces)---
                Stack trace from the attempt to load the library as a file:
                java.lang.UnsatisfiedLinkError: no JCudaDriver-12.0.0-linux-x86_64 in \
                java.library.path
                \tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2434)
                Stack trace from the attempt to load the library as a resource:
                java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.0.0-linux-x86_64.so: \
                libcuda.so.1: cannot open shared object file: No such file or directory
                """;
        assertEquals("libcuda.so.1: cannot open shared object file: No such file or directory",
                CudaAvailability.shortCause(new UnsatisfiedLinkError(jcuda)));
    }

    @Test
    void reasonsNameTheMissingLayer() {
        CudaAvailability noDevice = new CudaAvailability(null, List.of(), null, null);
        assertEquals("no CUDA device: the driver reports 0 devices",
                noDevice.unavailableReason(0).orElseThrow());
        List<String> h200 = List.of("NVIDIA H200 (sm_90)");
        CudaAvailability one = new CudaAvailability(null, h200, "x", null);
        assertTrue(one.available(0));
        assertFalse(one.available(1));
        assertTrue(one.unavailableReason(1).orElseThrow().contains("cuda:1"));
        assertTrue(one.unavailableReason(1).orElseThrow().contains("cuda:0 NVIDIA H200 (sm_90)"));
    }

    @Test
    void activePathNamesEachLibraryInUseOrWhyNot() {
        List<String> h200 = List.of("NVIDIA H200 (sm_90)");
        String neither = new CudaAvailability(null, h200, "x", "y").activePath();
        assertTrue(neither.startsWith("CUDA path: driver-API PTX kernels only"), neither);
        assertTrue(neither.contains("cuBLAS unavailable: x"), neither);
        assertTrue(neither.contains("cuDNN unavailable: y"), neither);

        String dnnOnly = new CudaAvailability(null, h200, "x", null).activePath();
        assertTrue(dnnOnly.contains("PTX GEMM (cuBLAS unavailable: x)"), dnnOnly);
        assertTrue(dnnOnly.contains("cuDNN convolution, batch norm and average pooling"), dnnOnly);

        CudaAvailability both = new CudaAvailability(null, h200, null, null);
        assertTrue(both.useCublas() && both.useCudnn());
        assertEquals("CUDA path: cuBLAS GEMM, cuDNN convolution, batch norm and average pooling,"
                + " PTX kernels for the rest", both.activePath());
        System.setProperty("finetune4j.cuda.dnn", "ptx");
        try {
            assertFalse(both.useCudnn());
            assertTrue(both.activePath().contains("PTX convolution, batch norm and pooling (forced"
                    + " off by -Dfinetune4j.cuda.dnn=ptx)"), both.activePath());
        } finally {
            System.clearProperty("finetune4j.cuda.dnn");
        }
    }

    @Test
    void probeNeverThrowsAndExplainsItself() {
        CudaAvailability a = CudaAvailability.get();
        String line = a.describe();
        System.out.println("probe: " + line);
        System.out.println("path:  " + a.activePath());
        if (!a.available()) {
            assertTrue(line.startsWith("CUDA unavailable: no CUDA"), line);
            assertTrue(a.unavailableReason(0).isPresent());
        }
    }
}
