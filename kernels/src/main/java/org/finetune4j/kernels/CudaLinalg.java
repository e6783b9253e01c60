package org.finetune4j.kernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelLaunch;
import org.finetune4j.kernels.cuda.KernelLaunch.Dim3;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.LinalgKernels;

/**
 * LinalgKernels on CUDA, the shapes and semantics of CpuBackend.matmul / gemm (rank 2, or rank 3
 * with equal batch sizes; row-major; beta == 0 leaves C unread). Two paths: cuBLAS
 * (cublasSgemm / cublasSgemmStridedBatched, FP32 math, no TF32) when it loads, else gemm.cu's
 * sgemm_tiled. -Dfinetune4j.cuda.gemm=ptx forces the PTX path. CudaConv calls {@link #gemm} on
 * raw pointers, so convolutions follow the same path.
 */
public final class CudaLinalg implements LinalgKernels {
    /** Which implementation runs the products. */
    public enum Path { CUBLAS, PTX }

    private static final int TILE = 64;                 // sgemm_tiled: 64x64 C tile per block
    private static final int TILED_THREADS = 256;
    private static final int MAX_GRID_YZ = 65535;
    // One cuBLAS handle per context for the process: creating one costs milliseconds and memory.
    private static final Map<CudaContext, cublasHandle> HANDLES = new ConcurrentHashMap<>();

    private final CudaContext ctx;
    private final Path path;

    public CudaLinalg(CudaContext ctx, CudaAvailability availability) {
        this(ctx, availability, defaultPath(availability));
    }

    /** A launcher on an explicit path (the parity tests run both); CUBLAS needs cuBLAS. */
    public CudaLinalg(CudaContext ctx, CudaAvailability availability, Path path) {
        if (path == Path.CUBLAS && !availability.cublas()) {
            throw new IllegalStateException("cuBLAS path requested but " + availability.describe());
        }
        this.ctx = ctx;
        this.path = path;
    }

    private static Path defaultPath(CudaAvailability availability) {
        return availability.useCublas() ? Path.CUBLAS : Path.PTX;
    }

    public Path path() {
        return path;
    }

    public String describe() {
        return path == Path.CUBLAS ? "gemm: cuBLAS cublasSgemm(StridedBatched), FP32 math"
                : "gemm: PTX sgemm_tiled (64x64 tiles, float accumulation)";
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        int batch = batch("matmul", a, b);
        int m = transA ? a.dim(-1) : a.dim(-2);
        int n = transB ? b.dim(-2) : b.dim(-1);
        Shape s = batch == 0 ? Shape.of(m, n) : Shape.of(batch, m, n);
        Tensor c = CudaTensors.empty(ctx, s);
        product("matmul", transA, transB, 1f, a, b, 0f, c);
        return c;
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta,
                     Tensor c) {
        batch("gemm", a, b);
        product("gemm", transA, transB, alpha, a, b, beta, c);
        c.bumpVersion();
    }

    private void product(String op, boolean transA, boolean transB, float alpha, Tensor a,
                         Tensor b, float beta, Tensor c) {
        int batch = a.rank() == 3 ? a.dim(0) : 1;
        int m = transA ? a.dim(-1) : a.dim(-2);
        int k = transA ? a.dim(-2) : a.dim(-1);
        int kb = transB ? b.dim(-1) : b.dim(-2);
        int n = transB ? b.dim(-2) : b.dim(-1);
        if (k != kb) {
            throw new IllegalArgumentException(op + ": inner dimensions differ: " + a.shape()
                    + (transA ? "ᵀ" : "") + " · " + b.shape() + (transB ? "ᵀ" : ""));
        }
        if (c.rank() != a.rank() || c.dim(-2) != m || c.dim(-1) != n
                || (batch > 1 && c.dim(0) != batch)) {
            throw new IllegalArgumentException(op + ": output " + c.shape() + " does not fit "
                    + a.shape() + " · " + b.shape());
        }
        gemm(transA, transB, m, n, k, alpha,
                CudaTensors.ptr(ctx, a, op, "a"), a.dim(-1), (long) m * k,
                CudaTensors.ptr(ctx, b, op, "b"), b.dim(-1), (long) k * n, beta,
                CudaTensors.ptr(ctx, c, op, "c"), n, (long) m * n, batch);
    }

    /** CpuLinalg.batch: both rank 2 or both rank 3 with equal batch; returns the batch or 0. */
    private static int batch(String op, Tensor a, Tensor b) {
        if (a.rank() != b.rank() || a.rank() < 2 || a.rank() > 3) {
            throw new IllegalArgumentException(op + ": operands must both be rank 2 or both rank 3,"
                    + " got " + a.shape() + " and " + b.shape());
        }
        if (a.rank() == 3 && a.dim(0) != b.dim(0)) {
            throw new IllegalArgumentException(op + ": batch sizes differ: " + a.shape() + " and "
                    + b.shape());
        }
        return a.rank() == 3 ? a.dim(0) : 0;
    }

    /**
     * Row-major, element strides: C[z] = alpha·op(A[z])·op(B[z]) + beta·C[z] for z < batch, with
     * A[z] at a + z·strideA (stride 0 broadcasts one matrix over the batch), likewise B and C.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              CUdeviceptr a, int lda, long strideA, CUdeviceptr b, int ldb, long strideB,
              float beta, CUdeviceptr c, int ldc, long strideC, int batch) {
        if (m == 0 || n == 0 || batch == 0) return;
        if (path == Path.CUBLAS) {
            cublas(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc,
                    strideC, batch);
        } else {
            tiled(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc,
                    strideC, batch);
        }
    }

    /**
     * cuBLAS is column-major; a row-major (r, s) matrix with row stride ld is the column-major
     * (s, r) matrix with leading dimension ld, its transpose. So row-major C = op(A)·op(B) is
     * column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: pass B first with opB, then A with opA, sizes (n, m, k).
     */
    private void cublas(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        CUdeviceptr a, int lda, long strideA, CUdeviceptr b, int ldb, long strideB,
                        float beta, CUdeviceptr c, int ldc, long strideC, int batch) {
        cublasHandle handle = handle();
        int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        // cuBLAS rejects a leading dimension below 1 even when k == 0 leaves the operand unread.
        int ldA = Math.max(1, lda), ldB = Math.max(1, ldb), ldC = Math.max(1, ldc);
        Pointer alphaP = Pointer.to(new float[] {alpha});
        Pointer betaP = Pointer.to(new float[] {beta});      // host pointer mode (the default)
        synchronized (handle) {                               // a handle is not thread-safe
            ctx.makeCurrent();
            if (batch == 1) {
                JCublas2.cublasSgemm(handle, opB, opA, n, m, k, alphaP, b, ldB, a, ldA, betaP,
                        c, ldC);
            } else {
                JCublas2.cublasSgemmStridedBatched(handle, opB, opA, n, m, k, alphaP,
                        b, ldB, strideB, a, ldA, strideA, betaP, c, ldC, strideC, batch);
            }
        }
    }

    private cublasHandle handle() {
        return HANDLES.computeIfAbsent(ctx, context -> {
            context.makeCurrent();
            JCublas2.setExceptionsEnabled(true);
            cublasHandle h = new cublasHandle();
            JCublas2.cublasCreate(h);
            // Everything queues on the context's one stream, so library calls need no events.
            JCublas2.cublasSetStream(h, new cudaStream_t(context.stream()));
            // Plain FP32 (no TF32 tensor cores): parity with CpuGemm at float tolerances.
            JCublas2.cublasSetMathMode(h, cublasMath.CUBLAS_DEFAULT_MATH);
            return h;
        });
    }

    /**
     * sgemm_tiled(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc,
     * strideC): grid (ceil(n/64), min(ceil(m/64), 65535), batch), block 256; gridDim.z is at
     * most 65535, so larger batches run in chunks with the pointers advanced.
     */
    private void tiled(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       CUdeviceptr a, int lda, long strideA, CUdeviceptr b, int ldb, long strideB,
                       float beta, CUdeviceptr c, int ldc, long strideC, int batch) {
        int gx = (n + TILE - 1) / TILE;
        int gy = Math.min((m + TILE - 1) / TILE, MAX_GRID_YZ);   // the kernel loops over the rest
        for (int z0 = 0; z0 < batch; z0 += MAX_GRID_YZ) {
            int chunk = Math.min(MAX_GRID_YZ, batch - z0);
            KernelLaunch.launch(ctx, PtxModule.GEMM, KernelSymbols.SGEMM_TILED,
                    new Dim3(gx, gy, chunk), Dim3.of(TILED_THREADS), 0,
                    transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha,
                    offset(a, z0 * strideA), lda, strideA,
                    offset(b, z0 * strideB), ldb, strideB, beta,
                    offset(c, z0 * strideC), ldc, strideC);
        }
    }

    /** p advanced by {@code elements} floats. */
    static CUdeviceptr offset(CUdeviceptr p, long elements) {
        return elements == 0 ? p : p.withByteOffset(elements * Sizeof.FLOAT);
    }
}
