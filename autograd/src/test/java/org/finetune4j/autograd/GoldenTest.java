package org.finetune4j.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The fixture reader and comparison the golden tests rely on. */
final class GoldenTest {

    @Test
    void parsesEveryJsonValueKind() {
        Object v = Golden.parseJson(" {\"a\": [1, -2.5e-3, 1E+2], \"s\": \"q\\\"\\n\\u00e9\", "
                + "\"t\": true, \"f\": false, \"n\": null, \"o\": {}, \"e\": []} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(new BigDecimal("1"), new BigDecimal("-2.5e-3"), new BigDecimal("1E+2")),
                m.get("a"));
        assertEquals("q\"\né", m.get("s"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n") && m.get("n") == null);
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of(), m.get("e"));
    }

    @Test
    void rejectsMalformedJsonWithItsOffset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Golden.parseJson("{\"a\": [1, 2}"));
        assertTrue(e.getMessage().contains("offset 11"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Golden.parseJson("[1] x"));
    }

    @Test
    void everyFixtureRecordsItsGeneratorTorchVersionAndSeed() {
        for (String family : List.of("conv2d", "batchnorm", "pooling", "resize", "softmax",
                "crossentropy", "gemm", "resnet_block")) {
            Golden.Fixture f = Golden.load(family);
            assertEquals("autograd/src/test/python/make_golden.py", f.generator(), family);
            assertTrue(f.torch().startsWith("1.13"), family + " torch " + f.torch());
            assertTrue(f.seed() > 0 && !f.cases().isEmpty(), family);
        }
    }

    @Test
    void mismatchReportNamesIndexBothValuesAndStopsAfterTen() {
        float[] expected = new float[30];
        float[] actual = new float[30];
        Arrays.fill(actual, 1f);
        AssertionError e = assertThrows(AssertionError.class, () -> Golden.assertClose(
                Tensor.of(expected, 5, 6), Tensor.of(actual, 5, 6), 1e-5, 1e-4, "probe y"));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("probe y: 30 of 30 values"), msg);
        assertTrue(msg.contains("at [7] (1, 1): expected 0.00000000, actual 1.00000000"), msg);
        assertTrue(msg.contains("… and 20 more") && !msg.contains("[10] (1, 4)"), msg);
    }

    @Test
    void nanNeverPasses() {
        assertThrows(AssertionError.class, () -> Golden.assertClose(new float[] {1f},
                new float[] {Float.NaN}, 1, 1, "nan"));
    }
}
