# Note 003, §2.5 "自动微分" and §2.5.1/§2.5.2 (lines 79–88). The note keeps 6 of the lines with
# their comments; `x` is never created and the backward calls are gone. Reconstructed from
# D2L 2.5: `x = torch.arange(4.0)`, `y.backward()`, `x.grad.zero_()`, `y = x.sum()`,
# `y.sum().backward()` and the whole of 2.5.2 (分离计算, "detach"); displayed results printed.
import torch

x = torch.arange(4.0)
x.requires_grad_(True)  # 等价于x=torch.arange(4.0,requires_grad=True)
print(x.grad)  # 默认值是None
y = 2 * torch.dot(x, x)
y.backward()
print(x.grad)
print(x.grad == 4 * x)

# 在默认情况下，PyTorch会累积梯度，我们需要清除之前的值
x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)

# 对非标量调用backward需要传入一个gradient参数,该参数指定微分函数关于self的梯度。
# 本例只想求偏导数的和,所以传递一个1的梯度是合适的
x.grad.zero_()
y = x * x
# 等价于y.backward(torch.ones(len(x)))
y.sum().backward()
print(x.grad)

# 2.5.2 分离计算
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u)
x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)
