/**
 * Layers with PyTorch's names, parameter names and default initialisations: Conv2d, BatchNorm2d
 * (running statistics as buffers), Linear, ReLU, ReLU6, MaxPool2d, AvgPool2d, GlobalAvgPool,
 * Flatten, Dropout, Identity, LstmCell and Mlp (a Sequential of Linear/ReLU). Each layer is a
 * final {@link org.finetune4j.nn.Module} calling the fluent autograd Variable API; Init holds the
 * PyTorch 1.13 initialisation rules.
 */
package org.finetune4j.nn.layers;
