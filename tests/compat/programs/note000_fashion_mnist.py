# Note 000, §3.5 "图像分类数据集": the listing split across list items 1–3 of §3.5.2
# (lines 252–264) joined, and the two signature-only stubs of §3.5.3 (lines 274, 278).
# Reconstructed from D2L 3.5: the imports, `batch_size = 256`, `get_dataloader_workers`
# (used by the note, never defined), the bodies of `get_fashion_mnist_labels` and
# `load_data_fashion_mnist`, and D2L's checks of the data (sizes, a label conversion, one
# resized batch), printed.
import torch
import torchvision
from torch.utils import data
from torchvision import transforms

batch_size = 256


def get_dataloader_workers():
    return 4


trans = transforms.ToTensor()  # 转换为32位浮点张量,像素值归一化到[0,1]

mnist_train = torchvision.datasets.FashionMNIST(
    root="../data", train=True, transform=trans, download=True)
mnist_test = torchvision.datasets.FashionMNIST(
    root="../data", train=False, transform=trans, download=True)

train_iter = data.DataLoader(mnist_train, batch_size, shuffle=True,
                             num_workers=get_dataloader_workers())


def get_fashion_mnist_labels(labels):  # 将数字标签转换为文本标签
    text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                   'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    return [text_labels[int(i)] for i in labels]


def load_data_fashion_mnist(batch_size, resize=None):  # 下载并加载数据,支持图像resize
    trans = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)
    mnist_train = torchvision.datasets.FashionMNIST(
        root="../data", train=True, transform=trans, download=True)
    mnist_test = torchvision.datasets.FashionMNIST(
        root="../data", train=False, transform=trans, download=True)
    return (data.DataLoader(mnist_train, batch_size, shuffle=True,
                            num_workers=get_dataloader_workers()),
            data.DataLoader(mnist_test, batch_size, shuffle=False,
                            num_workers=get_dataloader_workers()))


print(len(mnist_train), len(mnist_test))
print(mnist_train[0][0].shape)
X, y = next(iter(train_iter))
print(X.shape, X.dtype, y.shape, y.dtype)
print(get_fashion_mnist_labels(torch.tensor([0, 5, 9])))
train_iter, test_iter = load_data_fashion_mnist(32, resize=64)
for X, y in train_iter:
    print(X.shape, X.dtype, y.shape, y.dtype)
    break
