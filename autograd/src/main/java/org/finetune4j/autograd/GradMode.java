package org.finetune4j.autograd;

/**
 * Whether ops record a graph on this thread. Off inside {@link NoGrad} scopes, and during a
 * backward pass unless it was asked to create a graph (double backward).
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Sets the mode and returns the previous one (restore it in a finally block). */
    static boolean set(boolean enabled) {
        boolean[] cell = ENABLED.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return previous;
    }
}
