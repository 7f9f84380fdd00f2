"""The drawing cost of the book's live figures in a terminal: the zh underfit-overfit pattern
(6 trainings of 400 epochs, an ``Animator.add`` every 20 epochs, log-scaled y axis) and a
``d2l.Trainer``-style ``ProgressBoard`` (10 epochs of 235 batches), with the number of PNG
saves. The book's ``Animator`` re-plots and (outside Jupyter) saved the PNG on every add;
gradkit updates the lines' data and renders at most a few times a second, plus once at the end.

Compare with the previous behaviour by running this file against another checkout
(``PYTHONPATH=/path/to/old/src python benchmarks/bench_drawing.py``).

Run:
    python benchmarks/bench_drawing.py
"""
from __future__ import annotations

import time

from gradkit import d2l, plot


def count_saves() -> list[int]:
    calls = [0]
    original = plot.save_figure

    def counting(fig, path):
        calls[0] += 1
        return original(fig, path)

    plot.save_figure = counting
    return calls


def underfit_overfit(epoch_seconds: float = 0.0005) -> None:
    for _ in range(6):
        animator = d2l.Animator(xlabel="epoch", ylabel="loss", yscale="log", xlim=[1, 400],
                                ylim=[1e-3, 1e2], legend=["train", "test"], verbose=False)
        for epoch in range(400):
            time.sleep(epoch_seconds)  # stands for an epoch of the chapter's small training
            if epoch == 0 or (epoch + 1) % 20 == 0:
                animator.add(epoch + 1, (1 / (epoch + 1), 2 / (epoch + 1)))
        if hasattr(animator, "flush"):
            animator.flush()


def progress_board(batches: int = 235, epochs: int = 10) -> None:
    board = d2l.ProgressBoard("epoch")
    for i in range(batches * epochs):
        board.draw(i / batches, 1 / (i + 1), "train_loss", every_n=batches // 2)
        if (i + 1) % batches == 0:
            board.draw((i + 1) / batches, 2 / (i + 1), "val_loss")
    if hasattr(board, "flush"):
        board.flush()


def main() -> None:
    saves = count_saves()
    for name, job in (("Animator, underfit-overfit pattern", underfit_overfit),
                      ("ProgressBoard, 10 epochs", progress_board)):
        saves[0] = 0
        start = time.perf_counter()
        job()
        print(f"{name}: {time.perf_counter() - start:.2f} s, {saves[0]} PNG saves", flush=True)


if __name__ == "__main__":
    main()
