package org.finetune4j.nn.train;

import org.finetune4j.nn.io.JsonText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-epoch metrics of a run, in epoch order, as JSON (a list of objects, NaN as null) or
 * CSV (header {@link #CSV_HEADER}, NaN as "NaN"). CSV round-trips exactly through
 * {@link #fromCsv}, which is how a checkpoint carries the history across a resume.
 */
public final class MetricHistory {
    public static final String CSV_HEADER =
            "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds";

    private final List<EpochMetrics> epochs = new ArrayList<>();

    public void add(EpochMetrics m) {
        if (!epochs.isEmpty() && m.epoch() <= last().epoch()) {
            throw new IllegalArgumentException("epoch " + m.epoch() + " added after epoch "
                    + last().epoch());
        }
        epochs.add(m);
    }

    public List<EpochMetrics> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    public int size() {
        return epochs.size();
    }

    public boolean isEmpty() {
        return epochs.isEmpty();
    }

    public EpochMetrics last() {
        if (epochs.isEmpty()) throw new IllegalStateException("no epoch recorded yet");
        return epochs.get(epochs.size() - 1);
    }

    /** Mean wall time of an epoch, NaN when empty. */
    public double meanSeconds() {
        double sum = 0;
        for (EpochMetrics m : epochs) sum += m.seconds();
        return epochs.isEmpty() ? Double.NaN : sum / epochs.size();
    }

    /** One map per epoch with the CSV's column names, for embedding in a larger JSON report. */
    public List<Map<String, Object>> toMaps() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EpochMetrics m : epochs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", m.epoch());
            row.put("train_loss", m.trainLoss());
            row.put("train_accuracy", m.trainAccuracy());
            row.put("val_loss", m.valLoss());
            row.put("val_accuracy", m.valAccuracy());
            row.put("lr", m.lr());
            row.put("seconds", m.seconds());
            out.add(row);
        }
        return out;
    }

    public String toJson() {
        return JsonText.write(toMaps());
    }

    /** Double.toString per value, so parsing gives back the same doubles. */
    public String toCsv() {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (EpochMetrics m : epochs) {
            b.append(m.epoch()).append(',').append(m.trainLoss()).append(',')
                    .append(m.trainAccuracy()).append(',').append(m.valLoss()).append(',')
                    .append(m.valAccuracy()).append(',').append(m.lr()).append(',')
                    .append(m.seconds()).append('\n');
        }
        return b.toString();
    }

    public static MetricHistory fromCsv(String csv) {
        String[] lines = csv.split("\n");
        if (lines.length == 0 || !lines[0].equals(CSV_HEADER)) {
            throw new IllegalArgumentException("metric history CSV must start with '" + CSV_HEADER
                    + "', got '" + (lines.length == 0 ? "" : lines[0]) + "'");
        }
        MetricHistory h = new MetricHistory();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) continue;
            String[] f = lines[i].split(",");
            if (f.length != 7) {
                throw new IllegalArgumentException("metric history CSV line " + (i + 1) + " has "
                        + f.length + " fields, expected 7: '" + lines[i] + "'");
            }
            try {
                h.add(new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]),
                        Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                        Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                        Double.parseDouble(f[6])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metric history CSV line " + (i + 1)
                        + " has a non-number: '" + lines[i] + "'", e);
            }
        }
        return h;
    }
}
