package org.finetune4j.nn.io;

/**
 * Strict loading refused a state dict whose keys or shapes do not match the module; nothing was
 * copied. The report names every missing, unexpected and mis-shaped key.
 */
public final class StateDictMismatchException extends IllegalArgumentException {
    private final transient LoadReport report;

    public StateDictMismatchException(LoadReport report) {
        super("state dict does not match the module; nothing was loaded\n" + report.describe());
        this.report = report;
    }

    public LoadReport report() {
        return report;
    }
}
