# Note 001, §6.4 "concise implementation of softmax regression": listings on lines 341 and 345,
# joined. The note flattened each listing onto one line; line breaks and indentation are
# rebuilt from D2L 3.7, comments ending at their line again. Also reconstructed: the module
# shown by the notebook after `net.apply(init_weights)` wrapped in print().
import torch
from torch import nn
from d2l import torch as d2l
batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
# PyTorch does not implicitly adjust the shape of the input. So,
# We define a flatten layer in front of the linear layer to adjust the shape of the network input
# Flatten() converts the tensor of any dimension into two dimensions, retains the 0 dimension, and expands all the rest into a vector
# nn.Linear(784, 10) defines the linear layer. The input is 784 and the output is 10
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def init_weights(m):  #Generate W
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


print(net.apply(init_weights))

loss = nn.CrossEntropyLoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
num_epochs = 10
d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)
