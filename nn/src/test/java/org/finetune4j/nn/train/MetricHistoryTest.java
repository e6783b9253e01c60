package org.finetune4j.nn.train;

import org.finetune4j.nn.io.JsonText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricHistoryTest {
    private static MetricHistory sample() {
        MetricHistory h = new MetricHistory();
        h.add(new EpochMetrics(0, 1.2345678901234567, 0.5, Double.NaN, Double.NaN, 0.1, 3.25));
        h.add(new EpochMetrics(1, 0.7, 2.0 / 3, 0.8, 0.75, 0.05, 3.5));
        return h;
    }

    @Test
    void csvRoundTripsExactlyIncludingNaN() {
        MetricHistory h = sample();
        String csv = h.toCsv();
        assertTrue(csv.startsWith(MetricHistory.CSV_HEADER + "\n0,1.2345678901234567,"), csv);
        assertEquals(h.epochs(), MetricHistory.fromCsv(csv).epochs());
    }

    @Test
    void jsonWritesNaNAsNull() {
        String json = sample().toJson();
        assertTrue(json.contains("\"val_loss\": null") && json.contains("\"val_accuracy\": 0.75"),
                json);
        assertEquals(3.375, sample().meanSeconds(), 0.0);
    }

    @Test
    void epochsMustIncrease() {
        MetricHistory h = sample();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> h.add(new EpochMetrics(1, 0, 0, 0, 0, 0, 0)));
        assertTrue(e.getMessage().contains("epoch 1 added after epoch 1"), e.getMessage());
    }

    @Test
    void malformedCsvIsRejectedWithTheLine() {
        String bad = MetricHistory.CSV_HEADER + "\n0,1,2\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetricHistory.fromCsv(bad));
        assertTrue(e.getMessage().contains("line 2 has 3 fields"), e.getMessage());
    }

    @Test
    void jsonTextQuotesEscapesAndNestsArrays() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u0001");
        m.put("rows", new long[][] {{1, 2}, {3, 4}});
        m.put("x", List.of(1.5f, Double.POSITIVE_INFINITY, true));
        m.put("empty", Map.of());
        String expected = "{\n"
                + "  \"s\": \"a\\\"b\\\\c\\n\\u0001\",\n"
                + "  \"rows\": [\n    [1, 2],\n    [3, 4]\n  ],\n"
                + "  \"x\": [1.5, null, true],\n"
                + "  \"empty\": {}\n"
                + "}\n";
        assertEquals(expected, JsonText.write(m));
    }
}
