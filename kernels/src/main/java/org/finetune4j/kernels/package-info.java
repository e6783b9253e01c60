/** The CUDA backend of finetune4j (a later issue); see kernels/README.md. */
package org.finetune4j.kernels;
