package org.finetune4j.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.finetune4j.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of valid IDX files (byte flips, header-targeted flips, truncations, both) must
 * each end in a correct read or an IOException naming the source: never another exception, an
 * OutOfMemoryError or a hang. Every mutant is read both as a file (known length) and as a stream.
 */
class IdxFuzzTest {
    private static final int MUTANTS = 400;                // per base file (raw, gzip)

    @TempDir
    Path dir;

    @Test
    void everyMutantReadsOrFailsWithAClearIoException() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            byte[] pixels = IdxTest.randomBytes(120, 7);
            byte[] raw = IdxTest.idx(Idx.IMAGES_MAGIC, new int[] {6, 5, 4}, pixels);
            Rng rng = Rng.seeded(2024);
            int[] outcomes = new int[2];                   // [read ok, clear exception]
            for (byte[] base : new byte[][] {raw, IdxTest.gzip(raw)}) {
                for (int m = 0; m < MUTANTS; m++) {
                    byte[] mutant = mutate(base, rng);
                    Path p = dir.resolve("m" + m + (base == raw ? "" : ".gz"));
                    Files.write(p, mutant);
                    outcomes[check(() -> Idx.read(p), p.toString(), mutant)]++;
                    String name = "mutant" + m;
                    Read stream = () -> Idx.read(name, new ByteArrayInputStream(mutant));
                    outcomes[check(stream, name, mutant)]++;
                }
            }
            assertEquals(4 * MUTANTS, outcomes[0] + outcomes[1]);
            assertTrue(outcomes[1] > MUTANTS, "mostly rejected: " + Arrays.toString(outcomes));
        });
    }

    private interface Read {
        Idx.Data run() throws IOException;
    }

    /** 0: read a self-consistent file; 1: a clear IOException. Anything else fails the test. */
    private static int check(Read read, String source, byte[] mutant) {
        try {
            Idx.Data d = read.run();
            long n = 1;
            for (int x : d.dims()) n *= x;
            assertEquals(n, d.values().length, "dims and data agree for a mutant that reads");
            return 0;
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(source),
                    "message names " + source + ": " + e.getMessage());
            return 1;
        } catch (Throwable t) {
            fail("mutant " + source + " (" + mutant.length + " bytes, first 24: "
                    + Arrays.toString(Arrays.copyOf(mutant, Math.min(24, mutant.length)))
                    + ") threw " + t, t);
            return -1;
        }
    }

    private static byte[] mutate(byte[] base, Rng rng) {
        byte[] b = base.clone();
        int kind = rng.nextInt(4);
        if (kind != 3) {                                // 0-2 flip bytes; kind 1 only in the header
            int flips = 1 + rng.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = kind == 1 ? rng.nextInt(Math.min(16, b.length)) : rng.nextInt(b.length);
                b[at] = (byte) (kind == 2 ? rng.nextInt(256) : b[at] ^ (1 << rng.nextInt(8)));
            }
        }
        if (kind >= 2) b = Arrays.copyOf(b, rng.nextInt(b.length + 1));   // truncate, maybe to 0
        return b;
    }
}
