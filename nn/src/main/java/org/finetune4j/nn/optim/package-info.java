/**
 * Optimisers with PyTorch 1.13's update rules, each golden-tested against it. Read in this order
 * (increasing complexity): {@link org.finetune4j.nn.optim.Sgd}, {@link
 * org.finetune4j.nn.optim.RmsProp}, {@link org.finetune4j.nn.optim.Adam}, {@link
 * org.finetune4j.nn.optim.AdamW}. Shared parts: {@link org.finetune4j.nn.optim.ParamGroup} (a base
 * lr and weight decay per group of parameters), {@link org.finetune4j.nn.optim.Optimizer} (the
 * interface) and {@link org.finetune4j.nn.optim.OptimizerState} (per-parameter buffers and step
 * counts, and their checkpoint keys, e.g. "fc.weight.exp_avg" and "fc.weight.step").
 * Learning-rate schedules live in {@link org.finetune4j.nn.schedule}.
 */
package org.finetune4j.nn.optim;
