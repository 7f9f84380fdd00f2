# Note 003, §2.1 "数据操作", the listing on lines 8–12. Reconstructed: `torch.arrange(12)` is a
# typo (real torch raises AttributeError too) and is written `torch.arange(12)` as in D2L 2.1;
# the import added; each displayed result wrapped in print(). The bullets after it (lines
# 13–26) name operations without code.
import torch

x = torch.arange(12)
print(x)
print(x.reshape(3, 4))
print(torch.zeros((2, 3, 4)))
print(torch.ones((2, 3, 4)))
print(torch.randn(3, 4))
