package org.finetune4j.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every symbol a launcher asks for must be an `.entry` of the committed PTX (STYLE.md 3.4). */
class KernelSymbolsTest {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_$][A-Za-z0-9_$]*)");

    @ParameterizedTest
    @EnumSource(PtxModule.class)
    void everyLauncherSymbolHasAnEntryInThePtx(PtxModule module) {
        assumeTrue(module.present(), module.resource() + " not generated yet (build-ptx.sh "
                + module.stem() + "): symbols not checked");
        Set<String> entries = entries(module.text());
        List<String> missing = new ArrayList<>();
        for (String symbol : KernelSymbols.of(module)) {
            if (!entries.contains(symbol)) missing.add(symbol);
        }
        assertTrue(missing.isEmpty(), module.resource() + " lacks .entry for " + missing
                + "; it has " + entries);
    }

    @ParameterizedTest
    @EnumSource(PtxModule.class)
    void everyModuleListsItsSymbolsOnce(PtxModule module) {
        List<String> symbols = KernelSymbols.of(module);
        assertFalse(symbols.isEmpty(), module + " has no symbols");
        assertEquals(symbols.size(), new HashSet<>(symbols).size(), "duplicates in " + symbols);
    }

    @Test
    void derivedNamesFollowTheContract() {
        assertEquals("unary_backward_relu6",
                KernelSymbols.unaryBackward(org.finetune4j.tensor.backend.UnaryOp.RELU6));
        assertEquals("binary_ne_bcast",
                KernelSymbols.binaryBroadcast(org.finetune4j.tensor.backend.BinaryOp.NE));
        assertEquals("reduce_mean_rows",
                KernelSymbols.reduceRows(org.finetune4j.tensor.backend.ReduceOp.MEAN));
        assertTrue(KernelSymbols.of(PtxModule.ELEMENTWISE).contains("scalar_rsub"));
    }

    @Test
    void imageEndsWithTheNulThatCuModuleLoadDataExpects() {
        for (PtxModule module : PtxModule.values()) {
            if (!module.present()) continue;
            byte[] image = module.image();
            assertEquals(0, image[image.length - 1], module.resource());
        }
    }

    static Set<String> entries(String ptx) {
        Set<String> names = new HashSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) names.add(m.group(1));
        return names;
    }
}
