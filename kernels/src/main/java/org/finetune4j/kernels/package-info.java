/** The CUDA backend of finetune4j: CudaBackend and its role classes; see kernels/README.md. */
package org.finetune4j.kernels;
