package org.finetune4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
import static jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING;
import static jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD;
import static jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1;
import static jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_FFT;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;

import jcuda.jcudnn.cudnnStatus;
import org.junit.jupiter.api.Test;

/**
 * The rules CudnnConv applies to cuDNN's ranked algorithm list, checked without a GPU: only
 * dot-product algorithms (no FFT, no Winograd), only deterministic ones for the backward passes,
 * only what cuDNN reports as runnable within the workspace limit.
 */
class CudnnAlgorithmRulesTest {
    @Test
    void forwardAdmitsTheGemmFamilyAndDirectOnly() {
        int admitted = 0;
        for (int algo = 0; algo < CUDNN_CONVOLUTION_FWD_ALGO_COUNT; algo++) {
            if (CudnnConv.dotProductForward(algo)) admitted++;
        }
        assertEquals(4, admitted);
        assertFalse(CudnnConv.dotProductForward(CUDNN_CONVOLUTION_FWD_ALGO_FFT));
        assertFalse(CudnnConv.dotProductForward(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED));
        assertTrue(CudnnConv.dotProductForward(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM));
    }

    @Test
    void backwardPassesRejectFftAndWinograd() {
        assertTrue(CudnnConv.dotProductData(CUDNN_CONVOLUTION_BWD_DATA_ALGO_1));
        assertFalse(CudnnConv.dotProductData(CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING));
        assertFalse(CudnnConv.dotProductData(CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD));
        assertTrue(CudnnConv.dotProductFilter(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1));
        assertFalse(CudnnConv.dotProductFilter(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT));
    }

    @Test
    void anAlgorithmMustRunDeterministicallyWithinTheWorkspaceLimit() {
        int ok = cudnnStatus.CUDNN_STATUS_SUCCESS;
        assertTrue(CudnnConv.admissible(ok, 0, true));
        assertTrue(CudnnConv.admissible(ok, CudnnConv.WORKSPACE_LIMIT, true));
        assertFalse(CudnnConv.admissible(ok, CudnnConv.WORKSPACE_LIMIT + 1, true));
        assertFalse(CudnnConv.admissible(ok, 0, false));
        assertFalse(CudnnConv.admissible(cudnnStatus.CUDNN_STATUS_NOT_SUPPORTED, 0, true));
    }
}
