/**
 * Modules and the parts a user touches to build and train a network: {@link
 * org.finetune4j.nn.Module}, {@link org.finetune4j.nn.Parameter}, {@link
 * org.finetune4j.nn.Sequential}; layers, resnet, loss, optim, schedule, io and data below. See
 * nn/README.md.
 */
package org.finetune4j.nn;
