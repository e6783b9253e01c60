package org.finetune4j.kernels.parity;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.kernels.CudaLinalg;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.Backends;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CudaLinalg against the CPU backend on both GPU paths (cuBLAS where it loads, PTX sgemm_tiled
 * always). Tolerance from gemm.cu: atol 1e-5·sqrt(k) + rtol 1e-4 for inputs in [-1, 1].
 */
class GemmParityTest {
    private static final Device GPU = Device.cuda(0);
    private static final int[] SIZES = {1, 7, 13, 63, 64, 65};

    private final Backend cpu = Backends.cpu();

    @BeforeEach
    void needsGpu() {
        Parity.assumeGpu();
    }

    private static List<CudaLinalg> paths() {
        CudaAvailability a = CudaAvailability.get();
        CudaContext ctx = CudaContext.of(0);
        List<CudaLinalg> paths = new ArrayList<>();
        paths.add(new CudaLinalg(ctx, a, CudaLinalg.Path.PTX));
        if (a.cublas()) paths.add(new CudaLinalg(ctx, a, CudaLinalg.Path.CUBLAS));
        return paths;
    }

    @Test
    void gemmMatchesCpuForEveryTransposeAlphaAndBetaOnOddSizes() {
        Rng rng = Rng.seeded(1);
        for (CudaLinalg linalg : paths()) {
            for (int m : SIZES) {
                for (int n : SIZES) {
                    for (int k : SIZES) {
                        for (int t = 0; t < 4; t++) {
                            float alpha = t == 3 ? -0.5f : 1f, beta = t % 2 == 0 ? 0f : 0.75f;
                            check(linalg, rng, t / 2 == 1, t % 2 == 1, m, n, k, 0, alpha, beta,
                                    false);
                        }
                    }
                }
            }
        }
    }

    @Test
    void betaZeroNeverReadsCSoNanInCDoesNotSurvive() {
        Rng rng = Rng.seeded(2);
        for (CudaLinalg linalg : paths()) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    check(linalg, rng, ta, tb, 65, 63, 17, 0, 1.5f, 0f, true);
                    check(linalg, rng, ta, tb, 5, 3, 65, 4, 1f, 0f, true);
                }
            }
        }
    }

    @Test
    void batchedGemmMatchesCpu() {
        Rng rng = Rng.seeded(3);
        for (CudaLinalg linalg : paths()) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    check(linalg, rng, ta, tb, 13, 65, 31, 5, 1f, 0f, false);
                    check(linalg, rng, ta, tb, 64, 7, 64, 3, 0.5f, 2f, false);
                }
            }
        }
    }

    @Test
    void batchesAboveTheGridLimitRunInChunks() {
        Rng rng = Rng.seeded(4);
        for (CudaLinalg linalg : paths()) check(linalg, rng, false, true, 2, 3, 2, 65537, 1f, 0f,
                false);
    }

    @Test
    void largeSquareProductMatchesCpu() {
        Rng rng = Rng.seeded(5);
        for (CudaLinalg linalg : paths()) {
            check(linalg, rng, false, false, 1024, 1024, 1024, 0, 1f, 0f, false);
            check(linalg, rng, true, true, 1024, 1024, 1024, 0, 1f, 1f, false);
        }
    }

    @Test
    void matmulOfTheBackendMatchesCpuIncludingShape() {
        Rng rng = Rng.seeded(6);
        Backend gpu = Parity.gpu();
        Tensor a = Tensor.uniform(rng, -1f, 1f, 3, 17, 29);
        Tensor b = Tensor.uniform(rng, -1f, 1f, 3, 31, 29);
        Tensor expected = cpu.matmul(a, b, false, true);
        Tensor actual = gpu.matmul(a.to(GPU), b.to(GPU), false, true);
        Parity.assertClose("matmul (3,17,29)·(3,31,29)ᵀ", expected, actual, tol(29));
        for (CudaLinalg linalg : paths()) {
            Tensor viaPath = linalg.matmul(a.to(GPU), b.to(GPU), false, true);
            Parity.assertClose("matmul on " + linalg.describe(), expected, viaPath, tol(29));
        }
    }

    /** batch 0: rank-2 operands; else rank 3 with that batch. */
    private void check(CudaLinalg linalg, Rng rng, boolean ta, boolean tb, int m, int n, int k,
                       int batch, float alpha, float beta, boolean nanC) {
        Tensor a = random(rng, batch, ta ? k : m, ta ? m : k);
        Tensor b = random(rng, batch, tb ? n : k, tb ? k : n);
        Tensor c = random(rng, batch, m, n);
        if (nanC) c = c.mul(Float.NaN);
        Tensor expected = Tensor.of(c.toArray(), c.dims());
        cpu.gemm(ta, tb, alpha, a, b, beta, expected);
        Tensor actual = c.to(GPU);
        linalg.gemm(ta, tb, alpha, a.to(GPU), b.to(GPU), beta, actual);
        String what = linalg.describe() + " " + (ta ? "Aᵀ" : "A") + (tb ? "Bᵀ" : "B") + " m="
                + m + " n=" + n + " k=" + k + " batch=" + batch + " alpha=" + alpha + " beta="
                + beta + (nanC ? " (NaN in C)" : "");
        Parity.assertClose(what, expected, actual, tol(k));
    }

    /** gemm.cu: float accumulation over k in another order than CpuGemm. */
    private static Parity.Tol tol(int k) {
        return Parity.Tol.of(1e-5 * Math.sqrt(Math.max(1, k)), 1e-4);
    }

    private static Tensor random(Rng rng, int batch, int rows, int cols) {
        return batch == 0 ? Tensor.uniform(rng, -1f, 1f, rows, cols)
                : Tensor.uniform(rng, -1f, 1f, batch, rows, cols);
    }
}
