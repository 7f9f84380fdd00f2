# Note 003, §3.7 "softmax 回归的简洁实现", lines 428–445: the listing split by two math
# paragraphs (lines 440–441), joined. Indentation restored; nothing else was missing.
import torch
from torch import nn
from d2l import torch as d2l
batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
# PyTorch不会隐式地调整输入的形状。因此,
# 我们在线性层前定义了展平层(flatten),来调整网络输入的形状
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)
net.apply(init_weights); # 初始化模型参数
loss = nn.CrossEntropyLoss(reduction='none') # LogSumExp技巧
trainer = torch.optim.SGD(net.parameters(), lr=0.1) # 优化算法
num_epochs = 10
d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer) # 训练
