/**
 * Losses composed from autograd ops (so they differentiate to any order): CrossEntropyLoss with
 * PyTorch's label smoothing, DistillationLoss (Hinton's KD: KL and soft-target cross-entropy at
 * temperature T, scaled by T²) and MseLoss. Each is a record of its settings with forward methods.
 */
package org.finetune4j.nn.loss;
