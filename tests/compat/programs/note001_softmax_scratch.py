# Note 001, §6.3 "implementation of softmax regression from scratch": listings on lines 220,
# 228, 234, 264, 274, 280, 302, 313, 321, 329 and 335, joined. The note flattened each listing
# onto one line; line breaks and indentation are rebuilt from the code it copies (D2L 3.6 and,
# for its own `accuracy`, `evaluate_accuracy(data_iter, net)` and `train_ch3`, the older
# "Dive-into-DL-PyTorch"), comments ending at their line again. Also reconstructed: cell
# results shown by the notebook wrapped in print(); `iter(test_iter).next()` (Python 2 style,
# gone from PyTorch's DataLoader since 1.13) written `next(iter(test_iter))`.
import torch
from IPython import display
from d2l import torch as d2l
batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)  #Each time 256 pictures are read randomly, it returns to the iterator of the training set and the test set

num_inputs = 784
num_outputs = 10
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)  #The weight is initialized to a Gaussian random distribution with a mean value of 0 and a variance of 0.01. The shape is 784 × ten
b = torch.zeros(num_outputs, requires_grad=True)  #Offset, shape is 1 × ten

X = torch.tensor([[1, 2, 3], [4, 5, 6]])
print((X.sum(0, keepdim=True), X.sum(1, keepdim=True)))  #This is a 2 × 3 matrix


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  #The broadcast mechanism is applied here


'''Verify it softmax function'''
X = torch.normal(0, 1, (2, 5))  #Create a 2 with a mean of 0 and a variance of 1 × 5 matrix
X_prob = softmax(X)
print((X_prob, X_prob.sum(1), X_prob.sum(1, keepdim=True)))


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)  #X is an n × d (batch size) × Enter the matrix of (quantity). The number of samples (i.e. batch_size) corresponding to - 1 above, W.shape[0] is 784


y = torch.tensor([0, 2])  #Indicates the label category of 2 samples (sample serial numbers are 0 and 1): Class 0 and class 2
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])  #The prediction probability of these two samples in three categories (categories 0, 1 and 2)
print(y_hat[[0, 1], y])  #Take out the prediction probability of the 0 and 1 samples. y[0]=0, so take out 0.1; y[1]=2, so take out 0.5


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])  #With y above_ Hat [[0, 1], y] similarly, take out the probability for the real label


print(cross_entropy(y_hat, y))


def accuracy(y_hat, y):  #@save
    return (y_hat.argmax(dim=1) == y).float().mean().item()


print(accuracy(y_hat, y))


def evaluate_accuracy(data_iter, net):  #@save
    acc_sum, n = 0.0, 0
    for X, y in data_iter:
        acc_sum += (net(X).argmax(dim=1) == y).float().sum().item()
        n += y.shape[0]
    return acc_sum / n


print(evaluate_accuracy(test_iter, net))

num_epochs, lr = 5, 0.1


def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size,
              params=None, lr=None, optimizer=None):  #@save
    for epoch in range(num_epochs):
        train_l_sum, train_acc_sum, n = 0.0, 0.0, 0
        for X, y in train_iter:
            y_hat = net(X)
            l = loss(y_hat, y).sum()

            # Gradient clearing
            if optimizer is not None:
                optimizer.zero_grad()
            elif params is not None and params[0].grad is not None:
                for param in params:
                    param.grad.data.zero_()

            l.backward()
            if optimizer is None:
                d2l.sgd(params, lr, batch_size)
            else:
                optimizer.step()  # The section "concise implementation of softmax regression" will be used

            train_l_sum += l.item()
            train_acc_sum += (y_hat.argmax(dim=1) == y).sum().item()
            n += y.shape[0]
        test_acc = evaluate_accuracy(test_iter, net)
        print('epoch %d, loss %.4f, train acc %.3f, test acc %.3f'
              % (epoch + 1, train_l_sum / n, train_acc_sum / n, test_acc))


train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, batch_size, [W, b], lr)

X, y = next(iter(test_iter))
trues = d2l.get_fashion_mnist_labels(y)
preds = d2l.get_fashion_mnist_labels(net(X).argmax(axis=1))
titles = [true +'\n' + pred for true, pred in zip(trues, preds)]
n = 6
print(d2l.show_images(X[0:n].reshape((n, 28, 28)), 1, n, titles=titles[0:n]))
