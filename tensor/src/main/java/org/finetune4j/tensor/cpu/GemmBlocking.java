package org.finetune4j.tensor.cpu;

/**
 * The cache-blocked loops of CpuGemm on one thread (GotoBLAS/BLIS order): for each NC-column block
 * and KC-deep slice, pack op(B) into L1-sized panels, then sweep register tiles of C with the
 * micro-kernels of SimdGemmKernel (or their twins in ScalarGemmKernel). Two sweeps:
 *   packed A: op(A) is copied per MC×KC block into 12-row panels (any transA, wide C);
 *   in place: A (not transposed) is read directly, 6 rows at a time, when C is narrow (n small),
 *             because then packing A would cost more than the product (im2col GEMMs, n = 16..64).
 * Every element of C sees the same sequence of float FMAs whatever the thread split (blocks start
 * at multiples of the tile sizes), so results do not depend on the number of threads.
 */
final class GemmBlocking {
    static final int L = Simd.ENABLED ? SimdGemmKernel.L : 64;   // floats per vector (see below)
    static final int MR_PANEL = 12;            // rows of a packed-A tile (SimdGemmKernel.panel12x*)
    static final int MR_ROWS = 6;              // rows of an in-place tile (SimdGemmKernel.rows6x*)
    static final int KC = 256;                 // depth slice: a 2L-wide B panel (32 KiB) fits L1
    static final int MC = 144;                 // rows of a packed A block (144 KiB at KC, in L2)
    static final int NC = 1024;                // columns of a packed B block (1 MiB at KC, in L2)
    static final int IN_PLACE_MAX_N = 64;      // widest C for which A is read in place

    /** The arguments of one gemm (one matrix of a batch), as documented on CpuGemm.gemm. */
    record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha,
                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                   float beta, float[] c, int cOff, int ldc) {
        boolean readsAInPlace() {
            return !transA && n <= IN_PLACE_MAX_N;
        }

        /** Rows of one register tile; thread splits of the m dimension are multiples of it. */
        int rowTile() {
            return readsAInPlace() ? MR_ROWS : MR_PANEL;
        }
    }

    /** Reused per-thread buffers, grown on demand (never shrunk). */
    private static final class Workspace {
        float[] packedB = new float[0];        // (kc, nc rounded up to 2L), as panels
        float[] packedA = new float[0];        // (MC, kc), as panels
        float[] rows = new float[0];           // (MR_ROWS, kc): the last rows of an in-place sweep
        final float[] tile = new float[MR_PANEL * 2 * L];       // edge tile before it is clipped
        final float[] acc = new float[2 * MR_PANEL * 2 * L];    // ScalarGemmKernel accumulators

        static float[] grow(float[] buf, int size) {
            return buf.length >= size ? buf : new float[size];
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private GemmBlocking() {}

    /** Computes C[i0 .. i1, j0 .. j1) of g on the calling thread; i0, j0 are tile multiples. */
    static void compute(Problem g, int i0, int i1, int j0, int j1) {
        Workspace ws = WORKSPACE.get();
        if (g.beta() != 0f && g.beta() != 1f) scale(g, i0, i1, j0, j1);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < g.k(); pc += KC) {
                int kc = Math.min(KC, g.k() - pc);
                boolean acc = pc > 0 || g.beta() != 0f;  // the first slice overwrites when beta = 0
                ws.packedB = Workspace.grow(ws.packedB, kc * roundUp(nc, 2 * L));
                int panels = GemmPacking.packB(g.transB(), g.b(), g.bOff(), g.ldb(), pc, kc, jc, nc,
                        g.alpha(), L, ws.packedB);
                if (g.readsAInPlace()) {
                    sweepInPlace(g, ws, panels, i0, i1, jc, nc, pc, kc, acc);
                    continue;
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    ws.packedA = Workspace.grow(ws.packedA, roundUp(mc, MR_PANEL) * kc);
                    GemmPacking.packA(g.transA(), g.a(), g.aOff(), g.lda(), ic, mc, pc, kc,
                            MR_PANEL, ws.packedA);
                    sweepPacked(g, ws, panels, ic, mc, jc, nc, kc, acc);
                }
            }
        }
    }

    /** B panel outer, A panel inner: the B panel stays in L1 while A panels stream from L2. */
    private static void sweepPacked(Problem g, Workspace ws, int panels, int ic, int mc, int jc,
            int nc, int kc, boolean acc) {
        for (int q = 0; q < panels; q++) {
            int jq = q * 2 * L;
            int w = GemmPacking.panelWidth(nc, jq, L);
            int cols = Math.min(w, nc - jq);
            for (int ir = 0; ir < mc; ir += MR_PANEL) {
                int rows = Math.min(MR_PANEL, mc - ir);
                int at = g.cOff() + (ic + ir) * g.ldc() + jc + jq;
                if (rows == MR_PANEL && cols == w) {
                    panelKernel(w, cols, kc, ws, ir * kc, q * kc * 2 * L, g.c(), at, g.ldc(), acc);
                } else {
                    panelKernel(w, cols, kc, ws, ir * kc, q * kc * 2 * L, ws.tile, 0, w, false);
                    clip(ws.tile, w, rows, cols, g, at, acc);
                }
            }
        }
    }

    /** Six rows of A outer (they stay in L1), all B panels of the block inner. */
    private static void sweepInPlace(Problem g, Workspace ws, int panels, int i0, int i1, int jc,
            int nc, int pc, int kc, boolean acc) {
        for (int ir = i0; ir < i1; ir += MR_ROWS) {
            int rows = Math.min(MR_ROWS, i1 - ir);
            float[] a = g.a();
            int aBase = g.aOff() + ir * g.lda() + pc;
            int lda = g.lda();
            if (rows < MR_ROWS) {                        // last rows: a zero-padded copy
                ws.rows = Workspace.grow(ws.rows, MR_ROWS * kc);
                GemmPacking.copyRows(g.a(), g.aOff(), g.lda(), ir, rows, pc, kc, MR_ROWS, ws.rows);
                a = ws.rows;
                aBase = 0;
                lda = kc;
            }
            for (int q = 0; q < panels; q++) {
                int jq = q * 2 * L;
                int w = GemmPacking.panelWidth(nc, jq, L);
                int cols = Math.min(w, nc - jq);
                int bBase = q * kc * 2 * L;
                int at = g.cOff() + ir * g.ldc() + jc + jq;
                if (rows == MR_ROWS && cols == w) {
                    rowsKernel(w, cols, kc, a, aBase, lda, ws, bBase, g.c(), at, g.ldc(), acc);
                } else {
                    rowsKernel(w, cols, kc, a, aBase, lda, ws, bBase, ws.tile, 0, w, false);
                    clip(ws.tile, w, rows, cols, g, at, acc);
                }
            }
        }
    }

    private static void panelKernel(int w, int cols, int kc, Workspace ws, int aBase, int bBase,
            float[] c, int cBase, int ldc, boolean acc) {
        if (!Simd.ENABLED) {
            ScalarGemmKernel.panel(MR_PANEL, w, cols, kc, ws.packedA, aBase, ws.packedB, bBase,
                    c, cBase, ldc, acc, ws.acc);
        } else if (w == L) {
            SimdGemmKernel.panel12x1(kc, ws.packedA, aBase, ws.packedB, bBase, c, cBase, ldc, acc);
        } else {
            SimdGemmKernel.panel12x2(kc, ws.packedA, aBase, ws.packedB, bBase, c, cBase, ldc, acc);
        }
    }

    private static void rowsKernel(int w, int cols, int kc, float[] a, int aBase, int lda, Workspace ws,
            int bBase, float[] c, int cBase, int ldc, boolean acc) {
        if (!Simd.ENABLED) {
            ScalarGemmKernel.rows(MR_ROWS, w, cols, kc, a, aBase, lda, ws.packedB, bBase,
                    c, cBase, ldc, acc, ws.acc);
        } else if (w == L) {
            SimdGemmKernel.rows6x1(kc, a, aBase, lda, ws.packedB, bBase, c, cBase, ldc, acc);
        } else {
            SimdGemmKernel.rows6x2(kc, a, aBase, lda, ws.packedB, bBase, c, cBase, ldc, acc);
        }
    }

    /** Adds (acc) or writes the valid rows × cols corner of an edge tile into C. */
    private static void clip(float[] tile, int w, int rows, int cols, Problem g, int at,
            boolean acc) {
        float[] c = g.c();
        for (int i = 0; i < rows; i++) {
            int ci = at + i * g.ldc();
            for (int j = 0; j < cols; j++) {
                c[ci + j] = acc ? tile[i * w + j] + c[ci + j] : tile[i * w + j];
            }
        }
    }

    /** C[i0 .. i1, j0 .. j1) *= beta, before the slices accumulate onto it. */
    private static void scale(Problem g, int i0, int i1, int j0, int j1) {
        float[] c = g.c();
        for (int i = i0; i < i1; i++) {
            int row = g.cOff() + i * g.ldc();
            for (int j = j0; j < j1; j++) c[row + j] *= g.beta();
        }
    }

    static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }
}
