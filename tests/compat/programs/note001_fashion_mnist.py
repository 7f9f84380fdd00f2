# Note 001, §6.2 "image classification dataset (fashion MNIST)": listings on lines 156, 173,
# 177, 192, 204 and 212, joined. The note flattened each listing onto one line; the line breaks
# and indentation are rebuilt from D2L 3.5 (which this section follows), and comments that had
# swallowed the code after them end at their line again. Also reconstructed: `%matplotlib
# inline` dropped; `get_dataloader_workers` defined as in D2L (the note sets `num_workers = 4`
# but calls the undefined function); cell results shown by the notebook (`len(...)`,
# `mnist_train[0][0].shape`, the axes of `show_images`, the timer) wrapped in print().
# The note's Windows data folder and its label typo 'sanda' are kept.
import torch
import torchvision
from torch.utils import data
from torchvision import transforms
from d2l import torch as d2l
d2l.use_svg_display()  #Use svg to display pictures with higher definition

trans = transforms.ToTensor()  #The simplest preprocessing to convert an image into Tensor is to return a PIL image without conversion
mnist_train = torchvision.datasets.FashionMNIST(
    root="C:/Users/xinyu/Desktop/myjupyter/data", train=True, transform=trans, download=True)  #Training data set
mnist_test = torchvision.datasets.FashionMNIST(
    root="C:/Users/xinyu/Desktop/myjupyter/data", train=False, transform=trans, download=True)  #The test data set is only used to evaluate the performance of the model, not to train the model
print(len(mnist_train), len(mnist_test))

print(mnist_train[0][0].shape)


def get_fashion_mnist_labels(labels):
    text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                   'sanda', 'shirt', 'sneaker', 'bag', 'ankle boot']
    return [text_labels[int(i)] for i in labels]


'''The following defines a function (visual sample) that can draw multiple images and corresponding labels in one line'''
def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = d2l.plt.subplots(num_rows, num_cols, figsize=figsize)  #Here_ Indicates that we ignore (do not use) variables
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        if torch.is_tensor(img):
            #Picture tensor
            ax.imshow(img.numpy())
        else:
            #PIL picture
            ax.imshow(img)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return axes


X, y = next(iter(data.DataLoader(mnist_train, batch_size=18)))  #next means to get the first small batch; Use iter to construct an iterate
print(show_images(X.reshape(18, 28, 28), 2, 9, titles=get_fashion_mnist_labels(y)))  #18 samples, arranged in 2 rows and 9 columns, with a width and height of 28 (the width and height cannot be changed without authorization here)


def get_dataloader_workers():
    return 4


batch_size = 256
num_workers = 4  #Four processes are used to read data. Generally speaking, the picture may be placed on the hard disk (now our is already in memory), and multiple processes are required to read the data.
train_iter = data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=get_dataloader_workers())
timer = d2l.Timer()
for X, y in train_iter:
    continue
print(f'{timer.stop():.2f} sec')


def load_data_fashion_mnist(batch_size, resize=None):  #@save
    #resize indicates whether to change the width and height
    """download Fashion-MNIST The dataset and then load it into memory."""
    trans = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)
    mnist_train = torchvision.datasets.FashionMNIST(
        root="C:/Users/xinyu/Desktop/myjupyter/data", train=True, transform=trans, download=True)
    mnist_test = torchvision.datasets.FashionMNIST(
        root="C:/Users/xinyu/Desktop/myjupyter/data", train=False, transform=trans, download=True)
    return (data.DataLoader(mnist_train, batch_size, shuffle=True,
                            num_workers=get_dataloader_workers()),
            data.DataLoader(mnist_test, batch_size, shuffle=False,
                            num_workers=get_dataloader_workers()))


'''We specify resize Parameters to test load_data_fashion_mnist Function's image resizing function'''
train_iter, test_iter = load_data_fashion_mnist(32, resize=64)
for X, y in train_iter:
    print(X.shape, X.dtype, y.shape, y.dtype)
    break
