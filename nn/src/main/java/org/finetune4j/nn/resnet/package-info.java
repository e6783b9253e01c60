/**
 * The ResNet family with torchvision's module names: {@link org.finetune4j.nn.resnet.ResNetConfig}
 * (resnet-mini, ResNet-18/34/50; block type, depths, widths, stem), {@link
 * org.finetune4j.nn.resnet.ResNet} (stem, layers, head; typed feature points through {@link
 * org.finetune4j.nn.resnet.Features} and {@link org.finetune4j.nn.resnet.Stage}), the blocks
 * BasicBlock and Bottleneck behind {@link org.finetune4j.nn.resnet.ResidualBlock}, and {@link
 * org.finetune4j.nn.resnet.Pruning} (TransTailor's physical filter removal). Start at ResNet.
 */
package org.finetune4j.nn.resnet;
