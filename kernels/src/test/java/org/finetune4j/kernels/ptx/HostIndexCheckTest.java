package org.finetune4j.kernels.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dense kernels' index arithmetic checked without a GPU: kernels/src/test/cuda/
 * host_index_check.cu includes the .cu files, runs their __host__ __device__ per-element helpers
 * on the CPU and compares with C++ ports of the Java CPU twins (bit-exact for im2col, col2im,
 * pooling, bilinear resize and the naive GEMM; the tiled GEMM's tiles emulated on the host).
 * Skipped where nvcc is absent.
 */
class HostIndexCheckTest {
    @Test
    void denseKernelIndexMathMatchesTheCpuTwinsOnTheHost(@TempDir Path tmp) throws Exception {
        Optional<Path> nvcc = PtxRepo.onPath("nvcc");
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc is not on the PATH: host index check"
                + " not built");
        Path cuda = PtxRepo.cudaDir();
        Path source = cuda.resolve("../../test/cuda/host_index_check.cu").normalize();
        assertTrue(Files.isRegularFile(source), source + " missing");
        Path exe = tmp.resolve("host_index_check");
        PtxRepo.Result built = PtxRepo.run(List.of(nvcc.get().toString(), "-std=c++17",
                "-I" + cuda, "-o", exe.toString(), source.toString()));
        assertEquals(0, built.exitCode(), "nvcc failed:\n" + built.output());
        PtxRepo.Result ran = PtxRepo.run(List.of(exe.toString()));
        assertEquals(0, ran.exitCode(), ran.output());
        assertTrue(ran.output().contains("all host checks passed"), ran.output());
    }
}
