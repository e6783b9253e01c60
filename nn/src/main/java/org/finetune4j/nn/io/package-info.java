/**
 * Checkpoints: the safetensors format (read F32/F16/BF16/I64, write F32 and I64) with PyTorch's
 * state-dict names, strict and non-strict loading into a Module, and resumable training state.
 * Spec of the format: https://github.com/huggingface/safetensors (README, "Format").
 */
package org.finetune4j.nn.io;
