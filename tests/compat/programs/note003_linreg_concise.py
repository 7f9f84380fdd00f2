# Note 003, §3.3 "线性回归的简洁实现", lines 202–231. Indentation restored; from D2L 3.3 the
# dropped training steps `trainer.zero_grad()`, `l.backward()`, `trainer.step()` are put back
# (without them nothing is trained). Everything else, including `print(f'... {l:f}')` of a
# 0-d tensor and `true_b - b`, is the note's code.
import numpy as np
import torch
from torch.utils import data
from d2l import torch as d2l
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000) # 生成数据集
def load_array(data_arrays, batch_size, is_train=True): #@save
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)
batch_size = 10
data_iter = load_array((features, labels), batch_size) # 读取数据集
# nn是神经网络的缩写
from torch import nn
net = nn.Sequential(nn.Linear(2, 1)) # 定义模型 (输入,输出)特征形状
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0) # 初始化模型参数
loss = nn.MSELoss() # 定义损失函数
trainer = torch.optim.SGD(net.parameters(), lr=0.03) # 定义优化算法
# 训练
num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X) ,y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')
w = net[0].weight.data
print('w的估计误差:', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print('b的估计误差:', true_b - b)
