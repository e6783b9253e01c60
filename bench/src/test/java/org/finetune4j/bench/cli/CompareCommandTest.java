package org.finetune4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

    @Test
    void helpExitsZeroAndDescribesEveryOption() {
        CliRun r = CliRun.of("compare", "--help");
        assertEquals(0, r.code(), r.err());
        for (String option : new String[] {"--methods", "--budgets", "--seeds", "--tune",
            "--tune-grid", "--epochs", "--batch-size", "--val-per-class", "--eval-points",
            "--checkpoint", "--data", "--target-data", "--out", "--lr-decay"}) {
            assertTrue(r.out().contains(option), option + " missing from\n" + r.out());
        }
        assertTrue(CliRun.of("--help").out().contains("compare"));
    }

    @Test
    void argumentErrorsExitTwoWithOneLineBeforeTraining(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path garbage = Files.writeString(dir.resolve("garbage.safetensors"), "not a model");
        String[][] cases = {
            {"unknown method 'bogus' in --methods", "--methods", "finetune,bogus"},
            {"--budgets 301 exceeds the smallest target class (300 images after holding out 200",
                "--budgets", "10,301"},
            {"--budgets must be >= 1", "--budgets", "0"},
            {"--seeds lists a seed twice", "--seeds", "1,1"},
            {"--methods lists a method twice", "--methods", "l2sp,l2sp"},
            {"--epochs must be >= 1", "--epochs", "0"},
            {"--eval-points must be >= 1", "--eval-points", "0"},
            {"--lr-decay must be none or step, got 'cosine'", "--lr-decay", "cosine"},
            {"--checkpoint: no file", "--checkpoint", dir.resolve("missing").toString()},
            {"--checkpoint " + garbage, "--checkpoint", garbage.toString()},
            {"--data " + empty, "--data", empty.toString()},
            {"--target-data: no directory", "--target-data", dir.resolve("nope").toString()},
            {"--target-data " + empty + ": image folder " + empty + " needs train/ and test/",
                "--target-data", empty.toString()},
            {"l2sp has alpha, beta, not 'gamma'", "--tune-grid", "l2sp.gamma=1"},
            {"'x' is not a number", "--tune-grid", "l2sp.alpha=0.1,x"},
            {"hint_fraction must be < 1", "--tune-grid", "fitnets.hint_fraction=1"},
            {"--tune-grid names delta, which is not in --methods", "--methods", "finetune",
                "--tune-grid", "delta.alpha=0.1"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("compare", "--out",
                    dir.resolve("never").toString()));
            args.addAll(List.of(c).subList(1, c.length));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            String what = String.join(" ", args);
            assertEquals(2, r.code(), what + ": " + r.err());
            assertTrue(r.err().startsWith("compare: ") && r.err().contains(c[0]),
                    what + " gave: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEquals("", r.out(), "ran despite " + what);
            assertTrue(Files.notExists(dir.resolve("never")), "wrote output for " + what);
        }
    }

    @Test
    void aTinyGridWritesItsReportAndResumesWithoutRedoingFinishedRuns(@TempDir Path dir)
            throws IOException {
        String out = dir.resolve("grid").toString();
        String[] args = {"compare", "--methods", "finetune,l2sp", "--budgets", "2", "--seeds",
            "0,1", "--epochs", "1", "--val-per-class", "20", "--eval-points", "1",
            "--tune-grid", "l2sp.alpha=0.01,1", "--out", out};
        CliRun first = CliRun.of(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.err().contains("compare: 5 runs"), first.err());
        assertTrue(first.err().contains("ETA"), first.err());
        assertTrue(first.err().contains("compare: l2sp at 2 per class: chose alpha="),
                first.err());
        assertTrue(first.out().contains("| finetune |") && first.out().contains("±"), first.out());
        Path root = Path.of(out);
        for (String f : new String[] {"results.md", "results.csv", "tuning.csv",
            CompareCommand.PROTOCOL_FILE}) {
            assertTrue(Files.size(root.resolve(f)) > 0, f);
        }
        for (String png : new String[] {"accuracy-vs-budget.png", "loss-curves-b2.png"}) {
            byte[] head = new byte[4];
            System.arraycopy(Files.readAllBytes(root.resolve("plots").resolve(png)), 0, head, 0,
                    4);
            assertArrayEquals(PNG_MAGIC, head, png);
        }
        assertEquals(5, manifests(root).size());
        String csv = Files.readString(root.resolve("results.csv"));
        assertEquals(3, csv.lines().count(), csv);
        assertEquals(3, Files.readString(root.resolve("tuning.csv")).lines().count());

        CliRun again = CliRun.of(args);
        assertEquals(0, again.code(), again.err());
        assertEquals(5, count(again.err(), "done earlier"), again.err());
        assertEquals(csv, Files.readString(root.resolve("results.csv")), "same results");

        Path halfWritten = manifests(root).get(0);
        Files.delete(halfWritten);
        CliRun resumed = CliRun.of(args);
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(4, count(resumed.err(), "done earlier"), resumed.err());
        assertEquals(1, count(resumed.err(), "redoing a half-written run"), resumed.err());
        assertTrue(Files.isRegularFile(halfWritten));

        String[] changed = args.clone();
        changed[8] = "2";                                                     // --epochs 2
        CliRun other = CliRun.of(changed);
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("holds a grid made with other settings (epochs: 1"
                + " there, 2 now)"), other.err());
    }

    @Test
    void ownImageFoldersWorkForPretrainFinetuneAndCompare(@TempDir Path dir) throws IOException {
        Path images = ImageFolders.write(dir.resolve("images"), 3, 14, 4);
        Path pre = dir.resolve("pre");
        CliRun p = CliRun.of("pretrain", "--source-data", images.toString(), "--epochs", "1",
                "--batch-size", "8", "--out", pre.toString());
        assertEquals(0, p.code(), p.err());
        CliRun wrongFile = CliRun.of("finetune", "--target-data", images.toString(),
                "--checkpoint", pre.resolve(PretrainCommand.CHECKPOINT_FILE).toString());
        assertEquals(2, wrongFile.code(), wrongFile.err());
        assertTrue(wrongFile.err().contains("pass the model.safetensors"), wrongFile.err());
        String ckpt = pre.resolve(PretrainCommand.MODEL_FILE).toString();
        CliRun f = CliRun.of("finetune", "--target-data", images.toString(), "--checkpoint",
                ckpt, "--budget", "3", "--val-per-class", "4", "--epochs", "1");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().contains("test accuracy") && f.out().contains("on 12 images"),
                f.out());
        CliRun c = CliRun.of("compare", "--target-data", images.toString(), "--checkpoint",
                ckpt, "--methods", "linear-probe", "--budgets", "2", "--seeds", "0",
                "--val-per-class", "4", "--epochs", "1", "--out", dir.resolve("c").toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("image folder " + images), c.out());
    }

    private static List<Path> manifests(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root.resolve("runs"))) {
            return s.filter(p -> p.getFileName().toString().equals(RunRecord.MANIFEST)).sorted()
                    .toList();
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }
}
