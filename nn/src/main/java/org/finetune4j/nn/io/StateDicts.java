package org.finetune4j.nn.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.nn.Module;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * Loads a state dict (name → tensor, PyTorch's key names) into a module's parameters and buffers
 * by copying values into the module's own tensors, so every Parameter and every reference to a
 * buffer stays valid.
 *
 * <p>Strict (PyTorch's load_state_dict(strict=True)): every key must match by name and shape, or
 * a {@link StateDictMismatchException} is thrown and nothing is copied (all checks precede the
 * first copy). Non-strict loads the keys that match and reports the rest; unlike PyTorch it also
 * skips mis-shaped keys instead of failing, the usual need when fine-tuning with a new head.
 */
public final class StateDicts {
    private StateDicts() {}

    /** What load() would do, without copying anything. */
    public static LoadReport check(Module module, Map<String, Tensor> state) {
        Map<String, Tensor> own = module.stateDict();
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<LoadReport.ShapeMismatch> misShaped = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            String k = e.getKey();
            Tensor src = state.get(k);
            Shape expected = e.getValue().shape();
            if (src == null) {
                missing.add(k);
            } else if (src.shape().equals(expected)) {
                loaded.add(k);
            } else {
                misShaped.add(new LoadReport.ShapeMismatch(k, expected, src.shape()));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) unexpected.add(k);
        }
        return new LoadReport(loaded, missing, unexpected, misShaped);
    }

    /** Strict when strict is true (all or nothing), else loads what matches; returns the report. */
    public static LoadReport load(Module module, Map<String, Tensor> state, boolean strict) {
        LoadReport report = check(module, state);
        if (strict && !report.clean()) throw new StateDictMismatchException(report);
        Map<String, Tensor> own = module.stateDict();
        Map<String, Tensor> sources = new LinkedHashMap<>();
        // Device moves first, so the copies below cannot fail halfway.
        for (String k : report.loaded()) {
            Tensor dst = own.get(k);
            sources.put(k, state.get(k).to(dst.device()));
        }
        sources.forEach((k, src) -> own.get(k).copyFrom(src));
        return report;
    }

    /** Deep copies of the module's state, detached from later training steps. */
    public static Map<String, Tensor> snapshot(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.stateDict().forEach((k, t) -> out.put(k, t.copy()));
        return out;
    }
}
