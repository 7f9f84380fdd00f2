# Note 002 (MXNet/Gluon), §1.1.2.2 "矢量计算表达式", cells In[1]–In[4] (raw lines 161–267),
# joined into one program. Reconstructed: the cells' displayed last expressions
# (`time() - start`, `a + b`) are wrapped in print(), as a script shows nothing otherwise.
from mxnet import nd
from time import time

a = nd.ones(shape=1000)
b = nd.ones(shape=1000)

start = time()
c = nd.zeros(shape=1000)
for i in range(1000):
    c[i] = a[i] + b[i]
print(time() - start)

start = time()
d = a + b
print(time() - start)

a = nd.ones(shape=3)
b = 10
print(a + b)

# Not in the note: the test checks that both ways of adding gave the same vector.
print("same", (c == d).sum().asscalar() == 1000, c[0].asscalar())
