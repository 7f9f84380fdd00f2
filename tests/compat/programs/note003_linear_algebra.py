# Note 003, §2.3 "线性代数": bullets naming operations in pseudo-code (lines 43–59), e.g.
# `A.sum (axis = [0, 1]) = A.sum ()`, `A.mean () = A.sum () / A.size ()`. Reconstructed as the
# D2L 2.3 code those bullets abbreviate (`A.size()` is a torch.Size and cannot divide: D2L
# writes `A.numel()`), each displayed result printed.
import torch

A = torch.arange(20).reshape(5, 4)
print(A.T)
B = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
print(B == B.T)
A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
B = A.clone()
print(A * B)
print(A.sum(axis=0))
print(A.sum(axis=[0, 1]), A.sum())
print(A.mean(), A.sum() / A.numel())
print(A.cumsum(axis=0))
x = torch.arange(4, dtype=torch.float32)
y = torch.ones(4, dtype=torch.float32)
print(torch.dot(x, y), torch.sum(x * y))
print(torch.mv(A, x))
B = torch.ones(4, 3)
print(torch.mm(A, B))
u = torch.tensor([3.0, -4.0])
print(torch.norm(u), torch.abs(u).sum())
print(torch.norm(torch.ones((4, 9))))
print(len(x), A.shape)
