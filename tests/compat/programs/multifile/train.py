"""A small multi-file PyTorch program (linear regression), to run through the runner:

    python -m gradkit.compat train.py --epochs 1

It imports two modules that sit next to it (each doing its own ``import torch``), parses its
options with argparse, and runs under ``if __name__ == "__main__"``.
"""
import argparse
import sys

import torch

import data_utils
import model


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Train a linear regression.")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--fail", action="store_true", help="raise in a helper module")
    parser.add_argument("--exit-code", type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(0)
    features, labels = data_utils.make_data(1000)
    data_iter = data_utils.loader(features, labels, args.batch_size)
    net = model.build_net()
    loss = torch.nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        for X, y in data_iter:
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
        with torch.no_grad():
            print(f"epoch {epoch + 1}, loss {loss(net(features), labels):f}")
    print("weight", net[0].weight.data.reshape(-1).tolist())
    print("modules", __name__, model.__name__, data_utils.__name__, model.TORCH_NAME,
          sys.argv[1:])
    if args.fail:
        data_utils.explode()
    return args.exit_code


if __name__ == "__main__":
    sys.exit(main())
