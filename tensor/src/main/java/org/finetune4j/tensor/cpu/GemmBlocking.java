package org.finetune4j.tensor.cpu;

/**
 * The cache-blocked loops of CpuGemm on one thread (GotoBLAS/BLIS order): for each NC-column block
 * and KC-deep slice, pack alpha·op(B) into panels 2L wide, then sweep register tiles of C with the
 * micro-kernels of SimdGemmKernel (or ScalarGemmKernel). A is packed per MC×KC block into 12-row
 * panels, except when C is narrow (n ≤ IN_PLACE_MAX_N, the im2col GEMMs): then each A element
 * feeds only a few FMAs, a copy would cost more than the product, and the kernels read A in place
 * (6-row tiles along its rows when A is row-major, 12-row tiles down its columns when transA).
 * Each element of C gets the same sequence of float operations whatever the thread split (splits
 * fall on tile multiples), so results do not depend on the number of threads.
 */
final class GemmBlocking {
    static final int L = Simd.ENABLED ? SimdGemmKernel.L : 256;  // vector lanes; scalar: see twin
    static final int MR_PANEL = 12;            // rows of a tile in SimdGemmKernel.panel12x*
    static final int MR_ROWS = 6;              // rows of a tile in SimdGemmKernel.rows6x*
    static final int KC = 256;                 // depth slice: a 2L-wide B panel (32 KiB) fits L1
    static final int MC = 144;                 // rows of a packed A block (144 KiB at KC, in L2)
    static final int NC = 1024;                // columns of a packed B block (1 MiB at KC, in L2)
    static final int IN_PLACE_MAX_N = 64;      // widest C for which A is read in place
    static final long PARALLEL_MIN_FLOPS = 1L << 21;   // below this a fork costs more than it saves

    /** The arguments of one gemm (one matrix of a batch), as documented on CpuGemm.gemm. */
    record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha,
                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                   float beta, float[] c, int cOff, int ldc) {
        boolean readsAInPlace() {
            return n <= IN_PLACE_MAX_N;
        }

        /** Rows of one register tile; thread splits of the m dimension are multiples of it. */
        int rowTile() {
            return readsAInPlace() && !transA ? MR_ROWS : MR_PANEL;
        }
    }

    /** Reused per-thread buffers, grown on demand (never shrunk). */
    private static final class Workspace {
        float[] packedB = new float[0];        // (kc, nc rounded up to 2L), as panels
        float[] packedA = new float[0];        // (MC, kc), as panels
        float[] rows = new float[0];           // (MR_ROWS, kc): the last rows of a row sweep
        final float[] tile = new float[MR_PANEL * 2 * L];       // edge tile before it is clipped
        final float[][] scalarAcc = Simd.ENABLED ? null : new float[MR_PANEL][2 * L];
        final float[] scalarBRow = Simd.ENABLED ? null : new float[2 * L];

        static float[] grow(float[] buf, int size) {
            return buf.length >= size ? buf : new float[size];
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private GemmBlocking() {}

    /**
     * Computes all of C on Parallel's threads (one when called from a worker): contiguous ranges
     * of row tiles, or of column panels when there are too few row tiles to share.
     */
    static void computeParallel(Problem g) {
        int rowTile = g.rowTile();
        int colTile = 2 * L;
        int rowTiles = (g.m() + rowTile - 1) / rowTile;
        int colTiles = (g.n() + colTile - 1) / colTile;
        int threads = Parallel.inWorker() ? 1 : Parallel.threads();
        if (threads == 1 || 2L * g.m() * g.n() * g.k() < PARALLEL_MIN_FLOPS) {
            compute(g, 0, g.m(), 0, g.n());
        } else if (rowTiles >= 2 * threads || rowTiles >= colTiles) {
            // split m: each thread packs B for itself, little next to its share of the product
            Parallel.forChunks(0, rowTiles, (lo, hi) ->
                    compute(g, lo * rowTile, Math.min(hi * rowTile, g.m()), 0, g.n()));
        } else {
            Parallel.forChunks(0, colTiles, (lo, hi) ->
                    compute(g, 0, g.m(), lo * colTile, Math.min(hi * colTile, g.n())));
        }
    }

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
                if (g.readsAInPlace() && !g.transA()) {
                    sweepRows(g, ws, panels, i0, i1, jc, nc, pc, kc, acc);
                    continue;
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    int inPlace = g.readsAInPlace() ? mc / MR_PANEL * MR_PANEL : 0;
                    ws.packedA = Workspace.grow(ws.packedA, roundUp(mc, MR_PANEL) * kc);
                    GemmPacking.packA(g.transA(), g.a(), g.aOff(), g.lda(), ic + inPlace,
                            mc - inPlace, pc, kc, MR_PANEL, ws.packedA);
                    sweepPanels(g, ws, panels, ic, mc, inPlace, jc, nc, pc, kc, acc);
                }
            }
        }
    }

    /**
     * Tiles of 12 rows, B panel outer (it stays in L1), A tiles inner (from L2). The first
     * `inPlace` rows are read from A itself (transA: the 12 rows of a tile are adjacent in each
     * stored row), the rest from ws.packedA.
     */
    private static void sweepPanels(Problem g, Workspace ws, int panels, int ic, int mc,
            int inPlace, int jc, int nc, int pc, int kc, boolean acc) {
        for (int q = 0; q < panels; q++) {
            int jq = q * 2 * L;
            int w = GemmPacking.panelWidth(nc, jq, L);
            int cols = Math.min(w, nc - jq);
            for (int ir = 0; ir < mc; ir += MR_PANEL) {
                int rows = Math.min(MR_PANEL, mc - ir);
                int at = g.cOff() + (ic + ir) * g.ldc() + jc + jq;
                float[] a = ws.packedA;
                int aBase = (ir - inPlace) * kc;
                int sP = MR_PANEL;
                if (ir < inPlace) {
                    a = g.a();
                    aBase = g.aOff() + pc * g.lda() + ic + ir;
                    sP = g.lda();
                }
                panelKernel(rows, w, cols, kc, a, aBase, sP, ws, q * kc * 2 * L, g, at, acc);
            }
        }
    }

    /** Tiles of 6 rows of a row-major A read in place; all B panels of the block inner. */
    private static void sweepRows(Problem g, Workspace ws, int panels, int i0, int i1, int jc,
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
                int at = g.cOff() + ir * g.ldc() + jc + jq;
                rowsKernel(rows, w, cols, kc, a, aBase, lda, ws, q * kc * 2 * L, g, at, acc);
            }
        }
    }

    /**
     * The rows × cols corner of a 12-row tile at C[at], a(i, p) = a[aBase + p·sP + i]. The vector
     * kernels only store (their register tile would not fit C2's inlining budget with a
     * load-add epilogue too: it then boxes vectors and runs ~30x slower), so a tile that is
     * partial, or must be added to C, goes through ws.tile.
     */
    private static void panelKernel(int rows, int w, int cols, int kc, float[] a, int aBase,
            int sP, Workspace ws, int bBase, Problem g, int at, boolean acc) {
        float[] b = ws.packedB;
        if (!Simd.ENABLED) {
            ScalarGemmKernel.panel(sP, rows, w, cols, kc, a, aBase, b, bBase, g.c(), at, g.ldc(),
                    acc, ws.scalarAcc, ws.scalarBRow);
            return;
        }
        boolean direct = rows == MR_PANEL && cols == w && !acc;
        float[] c = direct ? g.c() : ws.tile;
        int cBase = direct ? at : 0;
        int ldc = direct ? g.ldc() : w;
        if (w == L) {
            SimdGemmKernel.panel12x1(kc, a, aBase, sP, b, bBase, c, cBase, ldc);
        } else {
            SimdGemmKernel.panel12x2(kc, a, aBase, sP, b, bBase, c, cBase, ldc);
        }
        if (!direct) merge(ws.tile, w, rows, cols, MR_PANEL, g, at, acc);
    }

    /** As panelKernel for a 6-row tile of a row-major A, a(i, p) = a[aBase + i·lda + p]. */
    private static void rowsKernel(int rows, int w, int cols, int kc, float[] a, int aBase,
            int lda, Workspace ws, int bBase, Problem g, int at, boolean acc) {
        float[] b = ws.packedB;
        if (!Simd.ENABLED) {
            ScalarGemmKernel.rows(rows, w, cols, kc, a, aBase, lda, b, bBase, g.c(), at, g.ldc(),
                    acc, ws.scalarAcc, ws.scalarBRow);
            return;
        }
        boolean direct = rows == MR_ROWS && cols == w && !acc;
        float[] c = direct ? g.c() : ws.tile;
        int cBase = direct ? at : 0;
        int ldc = direct ? g.ldc() : w;
        if (w == L) {
            SimdGemmKernel.rows6x1(kc, a, aBase, lda, b, bBase, c, cBase, ldc);
        } else {
            SimdGemmKernel.rows6x2(kc, a, aBase, lda, b, bBase, c, cBase, ldc);
        }
        if (!direct) merge(ws.tile, w, rows, cols, MR_ROWS, g, at, acc);
    }

    /** Adds (acc) or copies the valid rows × cols corner of a tile (w wide) into C at `at`. */
    private static void merge(float[] tile, int w, int rows, int cols, int mr, Problem g, int at,
            boolean acc) {
        float[] c = g.c();
        if (acc && rows == mr && cols == w) {
            SimdGemmKernel.accumulate(tile, w, rows, c, at, g.ldc());
            return;
        }
        for (int i = 0; i < rows; i++) {
            int ci = at + i * g.ldc();
            if (!acc) {
                System.arraycopy(tile, i * w, c, ci, cols);
                continue;
            }
            for (int j = 0; j < cols; j++) c[ci + j] += tile[i * w + j];
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
