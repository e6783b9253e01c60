package org.finetune4j.kernels.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Where ptxas exists: every committed module assembles for sm_80 (A100) and sm_90 (H100/H200),
 * and the two fused modules, whose speed depends on staying in registers, spill nothing.
 */
class PtxasTest {
    private static final List<String> NO_SPILL = List.of("gumbel_softmax_gate.ptx",
            "weighted_feature_distance.ptx");
    private static final Pattern SPILLS = Pattern.compile(
            "(\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Pattern ENTRY = Pattern.compile("Compiling entry function '([^']+)'");

    @Test
    void everyCommittedPtxAssemblesForSm80AndSm90() throws Exception {
        Path ptxas = ptxas();
        List<Path> modules = modules();
        assertFalse(modules.isEmpty(), "no .ptx in " + PtxRepo.ptxDir());
        for (Path ptx : modules) {
            for (String sm : List.of("sm_80", "sm_90")) {
                PtxRepo.Result r = PtxRepo.run(List.of(ptxas.toString(), "-arch=" + sm, "-O3",
                        "-o", "/dev/null", ptx.toString()));
                assertEquals(0, r.exitCode(), ptx.getFileName() + " for " + sm + ":\n"
                        + r.output());
            }
        }
    }

    @Test
    void fusedKernelsSpillNoRegisters() throws Exception {
        Path ptxas = ptxas();
        for (String module : NO_SPILL) {
            Path ptx = PtxRepo.ptxDir().resolve(module);
            assertTrue(Files.exists(ptx), "missing " + ptx);
            PtxRepo.Result r = PtxRepo.run(List.of(ptxas.toString(), "-arch=sm_90", "-O3", "-v",
                    "-o", "/dev/null", ptx.toString()));
            assertEquals(0, r.exitCode(), module + ":\n" + r.output());
            String entry = null;
            int checked = 0;
            for (String line : r.output().split("\n")) {
                Matcher e = ENTRY.matcher(line);
                if (e.find()) entry = e.group(1);
                Matcher m = SPILLS.matcher(line);
                if (m.find()) {
                    checked++;
                    assertEquals("0 0", m.group(1) + " " + m.group(2), module + " entry " + entry
                            + " spills (stores, loads bytes): " + line.trim());
                }
            }
            long entries = Files.readAllLines(ptx).stream()
                    .filter(l -> l.startsWith(".visible .entry") || l.startsWith(".entry")).count();
            assertEquals(entries, checked, module + ": ptxas -v reported spills for " + checked
                    + " of " + entries + " entries:\n" + r.output());
        }
    }

    private static Path ptxas() {
        Optional<Path> p = PtxRepo.onPath("ptxas");
        assumeTrue(p.isPresent(), "ptxas not on the PATH: PTX assembly not checked");
        return p.get();
    }

    private static List<Path> modules() throws Exception {
        try (var s = Files.list(PtxRepo.ptxDir())) {
            return s.filter(p -> p.toString().endsWith(".ptx")).sorted()
                    .collect(Collectors.toList());
        }
    }
}
