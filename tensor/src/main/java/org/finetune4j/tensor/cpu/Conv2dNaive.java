package org.finetune4j.tensor.cpu;

import org.finetune4j.tensor.backend.Conv2dGeometry;

/**
 * The seven-loop definition of conv2d and its two gradients (NCHW, PyTorch semantics), in double:
 * the oracle CpuConv2d's fast paths are tested against. Every output element is gathered from
 * its own sum (no scatter, no im2col), so the oracle shares no index code with the fast paths.
 * Outputs are overwritten. ih = oh·sH − padH + i·dilH and iw = ow·sW − padW + j·dilW throughout.
 */
final class Conv2dNaive {
    private Conv2dNaive() {}

    /** y[n,o,oh,ow] = bias[o] + Σ_{c,i,j} x[n, gi·cInG + c, ih, iw] · w[o,c,i,j]; gi = o/cOutG. */
    static void forward(float[] x, float[] w, float[] bias, float[] y, Conv2dGeometry g) {
        int h = g.h(), wd = g.w(), outH = g.outH(), outW = g.outW(), cInG = g.cInG();
        for (int n = 0; n < g.n(); n++) {
            for (int o = 0; o < g.cOut(); o++) {
                int c0 = (o / g.cOutG()) * cInG;                       // first channel of o's group
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        double sum = bias == null ? 0 : bias[o];
                        for (int c = 0; c < cInG; c++) {
                            int xc = (n * g.cIn() + c0 + c) * h;       // row 0 of x[n, c0 + c]
                            int wc = (o * cInG + c) * g.kH();          // row 0 of w[o, c]
                            for (int i = 0; i < g.kH(); i++) {
                                int ih = oh * g.strideH() - g.padH() + i * g.dilH();
                                if (ih < 0 || ih >= h) continue;
                                for (int j = 0; j < g.kW(); j++) {
                                    int iw = ow * g.strideW() - g.padW() + j * g.dilW();
                                    if (iw < 0 || iw >= wd) continue;
                                    float wv = w[(wc + i) * g.kW() + j];
                                    sum += (double) x[(xc + ih) * wd + iw] * wv;
                                }
                            }
                        }
                        y[((n * g.cOut() + o) * outH + oh) * outW + ow] = (float) sum;
                    }
                }
            }
        }
    }

    /** dx[n,c,ih,iw] = Σ over o in c's group and taps (i, j) that land on (ih, iw) of dy · w. */
    static void backwardInput(float[] dy, float[] w, float[] dx, Conv2dGeometry g) {
        int outH = g.outH(), outW = g.outW(), sH = g.strideH(), sW = g.strideW();
        for (int n = 0; n < g.n(); n++) {
            for (int c = 0; c < g.cIn(); c++) {
                int gi = c / g.cInG(), cg = c % g.cInG();
                for (int ih = 0; ih < g.h(); ih++) {
                    for (int iw = 0; iw < g.w(); iw++) {
                        double sum = 0;
                        for (int o = gi * g.cOutG(); o < (gi + 1) * g.cOutG(); o++) {
                            int wc = (o * g.cInG() + cg) * g.kH();     // row 0 of w[o, cg]
                            for (int i = 0; i < g.kH(); i++) {
                                int th = ih + g.padH() - i * g.dilH(); // = oh·sH when tap i lands
                                if (th < 0 || th % sH != 0 || th / sH >= outH) continue;
                                for (int j = 0; j < g.kW(); j++) {
                                    int tw = iw + g.padW() - j * g.dilW();
                                    if (tw < 0 || tw % sW != 0 || tw / sW >= outW) continue;
                                    int at = ((n * g.cOut() + o) * outH + th / sH) * outW + tw / sW;
                                    sum += (double) dy[at] * w[(wc + i) * g.kW() + j];
                                }
                            }
                        }
                        dx[((n * g.cIn() + c) * g.h() + ih) * g.w() + iw] = (float) sum;
                    }
                }
            }
        }
    }

    /** dw[o,c,i,j] = Σ_{n,oh,ow} dy[n,o,oh,ow] · x[n, gi·cInG + c, ih, iw]. */
    static void backwardWeight(float[] x, float[] dy, float[] dw, Conv2dGeometry g) {
        int h = g.h(), wd = g.w(), outH = g.outH(), outW = g.outW();
        for (int o = 0; o < g.cOut(); o++) {
            int c0 = (o / g.cOutG()) * g.cInG();
            for (int c = 0; c < g.cInG(); c++) {
                for (int i = 0; i < g.kH(); i++) {
                    for (int j = 0; j < g.kW(); j++) {
                        double sum = 0;
                        for (int n = 0; n < g.n(); n++) {
                            int xc = (n * g.cIn() + c0 + c) * h;
                            int yo = (n * g.cOut() + o) * outH;
                            for (int oh = 0; oh < outH; oh++) {
                                int ih = oh * g.strideH() - g.padH() + i * g.dilH();
                                if (ih < 0 || ih >= h) continue;
                                for (int ow = 0; ow < outW; ow++) {
                                    int iw = ow * g.strideW() - g.padW() + j * g.dilW();
                                    if (iw < 0 || iw >= wd) continue;
                                    float xv = x[(xc + ih) * wd + iw];
                                    sum += (double) dy[(yo + oh) * outW + ow] * xv;
                                }
                            }
                        }
                        dw[((o * g.cInG() + c) * g.kH() + i) * g.kW() + j] = (float) sum;
                    }
                }
            }
        }
    }
}
