/**
 * A small supervised training loop: {@link org.finetune4j.nn.train.Trainer} runs epochs of
 * forward, loss, backward and optimiser step over a seeded {@link org.finetune4j.nn.data.Loader},
 * evaluates ({@link org.finetune4j.nn.train.Evaluation}: loss, top-1, per-class accuracy,
 * confusion counts), keeps a {@link org.finetune4j.nn.train.MetricHistory} (JSON, CSV), stops on
 * a NaN/Inf loss with {@link org.finetune4j.nn.train.NonFiniteLossException}, and checkpoints
 * every epoch so that a killed run resumes bit-identically.
 *
 * <p>No user interface lives here: progress goes to {@link
 * org.finetune4j.nn.train.TrainingListener}s (the CLI draws a progress bar with one), and logging
 * uses the SLF4J API only, so library users choose the binding. {@code LoggingListener} logs one
 * line per epoch.
 */
package org.finetune4j.nn.train;
