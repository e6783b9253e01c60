package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.finetune4j.nn.io.AtomicFile;
import org.finetune4j.nn.io.JsonText;
import org.finetune4j.tensor.backend.Backends;

/**
 * The folder of one fine-tuning run: curve.csv (one row per epoch: the epoch-mean loss terms and
 * the validation accuracy where it was measured) and manifest.json (everything needed to redo
 * and to read the run: seed, split, every hyper-parameter, code version, backend, wall time,
 * final metrics, the curve). The manifest is written last and atomically, so a folder with a
 * manifest holds a finished run and a folder without one a half-written run.
 */
record RunRecord(String method, int budget, long seed, Map<String, Double> hyper,
                 double testAccuracy, double valAccuracy, double seconds,
                 List<Double> epochLoss) {
    static final String MANIFEST = "manifest.json";
    static final String CURVE = "curve.csv";

    /** The protocol a run was made under, identical for every run of a grid. */
    record Protocol(String checkpoint, String data, String epochs, int batchSize, int valPerClass,
                    int evalPoints, String lrDecay) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("checkpoint", checkpoint);
            m.put("data", data);
            m.put("epochs", epochs);
            m.put("batch_size", batchSize);
            m.put("validation_per_class", valPerClass);
            m.put("validation_seed", TargetTask.VALIDATION_SEED);
            m.put("eval_points", evalPoints);
            if (!lrDecay.equals("none")) m.put("lr_decay", lrDecay);   // older grids: absent
            return m;
        }
    }

    /** Writes curve.csv then manifest.json into dir (created if needed). */
    static void write(Path dir, FineTuning.Result r, int budget, FineTuning.Settings s,
                      Protocol p, TargetTask task) throws IOException {
        Files.createDirectories(dir);
        AtomicFile.writeString(dir.resolve(CURVE), curveCsv(r.curve()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "finetune4j-run-manifest-1");
        m.put("created", Instant.now().toString());
        m.put("code_version", PretrainCommand.codeVersion());
        m.put("java", System.getProperty("java.version"));
        m.put("backend", Backends.cpu().describe());
        m.put("method", r.method());
        m.put("description", r.description());
        m.put("hyper_parameters", new LinkedHashMap<>(new TreeMap<>(s.hyper())));
        m.put("protocol", p.toJson());
        m.put("epochs", s.epochs());
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("task", task.source());
        split.put("classes", task.classNames());
        split.put("budget_per_class", budget);
        split.put("seed", s.seed());
        split.put("train", "Splits.kShot(pool, budget, seed); pool = training data minus the"
                + " validation hold-out");
        split.put("train_images", r.trainImages());
        split.put("validation_images", task.validation().size());
        split.put("test_images", r.testImages());
        m.put("split", split);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("test_accuracy", r.testAccuracy());
        res.put("validation_accuracy", r.valAccuracy());
        res.put("wall_seconds", r.seconds());
        res.put("backbone_drift", r.backboneDrift());
        res.put("last_loss_terms", r.lastTerms() == null ? Map.of()
                : new LinkedHashMap<>(r.lastTerms().asMap()));
        m.put("results", res);
        Map<String, Object> curve = new LinkedHashMap<>();
        curve.put("epoch_loss_terms", r.curve().epochTerms());
        curve.put("validation_epochs", r.curve().valEpochs());
        curve.put("validation_accuracy", r.curve().valAccuracy());
        m.put("curve", curve);
        AtomicFile.writeString(dir.resolve(MANIFEST), JsonText.write(m));
    }

    /** The finished run in dir, or null when it has no manifest (never finished). */
    static RunRecord read(Path dir) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) return null;
        Map<String, Object> m;
        try {
            m = JsonText.parseObject(Files.readString(file));
            Map<String, Object> split = object(m, "split");
            Map<String, Object> res = object(m, "results");
            Map<String, Double> hyper = new LinkedHashMap<>();
            object(m, "hyper_parameters").forEach((k, v) -> hyper.put(k, (Double) v));
            List<Double> loss = new ArrayList<>();
            for (Object e : (List<?>) object(m, "curve").get("epoch_loss_terms")) {
                loss.add((Double) ((Map<?, ?>) e).get("total"));
            }
            return new RunRecord((String) m.get("method"),
                    ((Double) split.get("budget_per_class")).intValue(),
                    ((Double) split.get("seed")).longValue(), hyper,
                    (Double) res.get("test_accuracy"), (Double) res.get("validation_accuracy"),
                    (Double) res.get("wall_seconds"), loss);
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new IOException(file + " is not a finetune4j run manifest: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Map)) throw new IllegalArgumentException("no object '" + key + "'");
        return (Map<String, Object>) v;
    }

    /** epoch, every loss term (columns in first-seen order), validation accuracy or empty. */
    static String curveCsv(FineTuning.Curve c) {
        TreeSet<String> seen = new TreeSet<>();
        List<String> columns = new ArrayList<>();
        for (Map<String, Double> e : c.epochTerms()) {
            for (String k : e.keySet()) if (seen.add(k)) columns.add(k);
        }
        StringBuilder b = new StringBuilder("epoch");
        for (String k : columns) b.append(',').append(k);
        b.append(",validation_accuracy\n");
        for (int i = 0; i < c.epochTerms().size(); i++) {
            b.append(i + 1);
            for (String k : columns) {
                Double v = c.epochTerms().get(i).get(k);
                b.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.6g", v));
            }
            int at = c.valEpochs().indexOf(i + 1);
            b.append(',').append(at < 0 || at >= c.valAccuracy().size() ? ""
                    : String.format(Locale.ROOT, "%.6f", c.valAccuracy().get(at)));
            b.append('\n');
        }
        return b.toString();
    }
}
