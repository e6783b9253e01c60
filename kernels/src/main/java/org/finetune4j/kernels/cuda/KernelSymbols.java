package org.finetune4j.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ReduceOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;

/**
 * Every `extern "C"` entry point a launcher looks up, in one place (CUDA-CONTRACT.md). Launchers
 * use these constants and helpers, never string literals, and KernelSymbolsTest checks that each
 * name in {@link #of(PtxModule)} has an `.entry` line in the committed PTX: the unavoidable
 * strings become a checked contract.
 */
public final class KernelSymbols {
    // elementwise.cu (the per-op families come from the op enums, see the helpers below)
    public static final String CLAMP = "clamp";
    public static final String WHERE_BCAST = "where_bcast";
    public static final String FILL = "fill";
    public static final String AXPY = "axpy";
    public static final String SCALE = "scale";
    // movement.cu
    public static final String STRIDED_COPY = "strided_copy";
    public static final String INDEX_SELECT = "index_select";
    public static final String INDEX_ADD = "index_add";
    public static final String ONE_HOT = "one_hot";
    public static final String GATHER_PLANES = "gather_planes";
    // reduce.cu (reduce_<op>_rows via reduceRows)
    public static final String ARGMAX_ROWS = "argmax_rows";
    public static final String VARIANCE_ROWS = "variance_rows";
    public static final String SOFTMAX_ROWS = "softmax_rows";
    public static final String LOG_SOFTMAX_ROWS = "log_softmax_rows";
    public static final String SOFTMAX_BACKWARD_ROWS = "softmax_backward_rows";
    public static final String LOG_SOFTMAX_BACKWARD_ROWS = "log_softmax_backward_rows";
    // cross_entropy.cu
    public static final String CROSS_ENTROPY_FORWARD = "cross_entropy_forward";
    public static final String CROSS_ENTROPY_BACKWARD = "cross_entropy_backward";
    public static final String CROSS_ENTROPY_SOFT_FORWARD = "cross_entropy_soft_forward";
    public static final String CROSS_ENTROPY_SOFT_BACKWARD = "cross_entropy_soft_backward";
    // gumbel_softmax_gate.cu
    public static final String GUMBEL_SOFTMAX_GATE_FORWARD = "gumbel_softmax_gate_forward";
    public static final String GUMBEL_SOFTMAX_GATE_BACKWARD = "gumbel_softmax_gate_backward";
    public static final String GATED_BLEND_FORWARD = "gated_blend_forward";
    public static final String GATED_BLEND_BACKWARD = "gated_blend_backward";
    // weighted_feature_distance.cu
    public static final String WFD_PARTIAL = "wfd_partial";
    public static final String WFD_COMBINE = "wfd_combine";
    public static final String WFD_BACKWARD = "wfd_backward";
    public static final String WFD_WEIGHT_GRAD = "wfd_weight_grad";
    // optimizer.cu
    public static final String SGD_UPDATE = "sgd_update";
    public static final String ADAM_UPDATE = "adam_update";
    // gemm.cu
    public static final String SGEMM_NAIVE = "sgemm_naive";
    public static final String SGEMM_TILED = "sgemm_tiled";
    // im2col.cu
    public static final String IM2COL = "im2col";
    public static final String COL2IM = "col2im";
    // batch_norm.cu
    public static final String BN_STATS = "bn_stats";
    public static final String BN_APPLY = "bn_apply";
    public static final String BN_RUNNING_UPDATE = "bn_running_update";
    public static final String BN_EVAL_FORWARD = "bn_eval_forward";
    public static final String BN_BACKWARD_REDUCE = "bn_backward_reduce";
    public static final String BN_BACKWARD_DX = "bn_backward_dx";
    // pool.cu
    public static final String MAX_POOL2D_FORWARD = "max_pool2d_forward";
    public static final String MAX_POOL2D_BACKWARD = "max_pool2d_backward";
    public static final String AVG_POOL2D_FORWARD = "avg_pool2d_forward";
    public static final String AVG_POOL2D_BACKWARD = "avg_pool2d_backward";
    // bilinear_resize.cu
    public static final String BILINEAR_RESIZE_FORWARD = "bilinear_resize_forward";
    public static final String BILINEAR_RESIZE_BACKWARD = "bilinear_resize_backward";

    private KernelSymbols() {}

    /** "unary_backward_exp" for EXP: the backward twin of UnaryOp.kernelSymbol(). */
    public static String unaryBackward(UnaryOp op) {
        return op.kernelSymbol().replaceFirst("^unary_", "unary_backward_");
    }

    /** "binary_add_bcast" for ADD: the general broadcasting form taking two Strided structs. */
    public static String binaryBroadcast(BinaryOp op) {
        return op.kernelSymbol() + "_bcast";
    }

    /** "reduce_sum_rows" for SUM: the launcher has moved the reduced axes last. */
    public static String reduceRows(ReduceOp op) {
        return op.kernelSymbol() + "_rows";
    }

    /** Every symbol launchers may request from this module. */
    public static List<String> of(PtxModule module) {
        List<String> s = new ArrayList<>();
        switch (module) {
            case ELEMENTWISE -> {
                for (UnaryOp op : UnaryOp.values()) {
                    s.add(op.kernelSymbol());
                    s.add(unaryBackward(op));
                }
                for (ScalarOp op : ScalarOp.values()) s.add(op.kernelSymbol());
                for (BinaryOp op : BinaryOp.values()) {
                    s.add(op.kernelSymbol());
                    s.add(binaryBroadcast(op));
                }
                s.addAll(List.of(CLAMP, WHERE_BCAST, FILL, AXPY, SCALE));
            }
            case MOVEMENT -> s.addAll(List.of(STRIDED_COPY, INDEX_SELECT, INDEX_ADD, ONE_HOT,
                    GATHER_PLANES));
            case REDUCE -> {
                for (ReduceOp op : ReduceOp.values()) s.add(reduceRows(op));
                s.addAll(List.of(ARGMAX_ROWS, VARIANCE_ROWS, SOFTMAX_ROWS, LOG_SOFTMAX_ROWS,
                        SOFTMAX_BACKWARD_ROWS, LOG_SOFTMAX_BACKWARD_ROWS));
            }
            case CROSS_ENTROPY -> s.addAll(List.of(CROSS_ENTROPY_FORWARD, CROSS_ENTROPY_BACKWARD,
                    CROSS_ENTROPY_SOFT_FORWARD, CROSS_ENTROPY_SOFT_BACKWARD));
            case GUMBEL_SOFTMAX_GATE -> s.addAll(List.of(GUMBEL_SOFTMAX_GATE_FORWARD,
                    GUMBEL_SOFTMAX_GATE_BACKWARD, GATED_BLEND_FORWARD, GATED_BLEND_BACKWARD));
            case WEIGHTED_FEATURE_DISTANCE -> s.addAll(List.of(WFD_PARTIAL, WFD_COMBINE,
                    WFD_BACKWARD, WFD_WEIGHT_GRAD));
            case OPTIMIZER -> s.addAll(List.of(SGD_UPDATE, ADAM_UPDATE));
            case GEMM -> s.addAll(List.of(SGEMM_NAIVE, SGEMM_TILED));
            case IM2COL -> s.addAll(List.of(IM2COL, COL2IM));
            case BATCH_NORM -> s.addAll(List.of(BN_STATS, BN_APPLY, BN_RUNNING_UPDATE,
                    BN_EVAL_FORWARD, BN_BACKWARD_REDUCE, BN_BACKWARD_DX));
            case POOL -> s.addAll(List.of(MAX_POOL2D_FORWARD, MAX_POOL2D_BACKWARD,
                    AVG_POOL2D_FORWARD, AVG_POOL2D_BACKWARD));
            case BILINEAR_RESIZE -> s.addAll(List.of(BILINEAR_RESIZE_FORWARD,
                    BILINEAR_RESIZE_BACKWARD));
        }
        return List.copyOf(s);
    }
}
