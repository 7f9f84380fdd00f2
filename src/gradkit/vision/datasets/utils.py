"""Downloading dataset files safely: mirrors, retries, MD5 checks and atomic writes.

A download streams into a temporary file next to its destination, hashing as it goes; only a
complete file with the expected MD5 is renamed into place (``os.replace`` is atomic), so an
interrupted, truncated or corrupted download never leaves anything behind. When every mirror
fails, the error lists each URL tried with its reason and explains how to place the file by hand.

Example:
    >>> from gradkit.vision.datasets.utils import download_url
    >>> download_url(["https://ossci-datasets.s3.amazonaws.com/mnist/"],
    ...              "data/MNIST/raw", "t10k-labels-idx1-ubyte.gz",
    ...              md5="ec29112dd5afa0611ce80d1b7f02629c")
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from typing import IO, Any, List, Optional, Sequence

__all__ = ["calculate_md5", "check_integrity", "download_url", "MirrorsUnreachable"]

_CHUNK = 1 << 20
_USER_AGENT = "gradkit-dataset-downloader"  # some mirrors reject urllib's default agent


def calculate_md5(path: str, chunk_size: int = _CHUNK) -> str:
    """MD5 hex digest of a file's bytes (as stored, so of the ``.gz`` for compressed files).

    Example:
        >>> calculate_md5("t10k-labels-idx1-ubyte.gz")
        'ec29112dd5afa0611ce80d1b7f02629c'
    """
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_integrity(path: str, md5: Optional[str] = None) -> bool:
    """True if ``path`` is a file and, when ``md5`` is given, has that MD5.

    Example:
        >>> check_integrity("missing.gz")
        False
    """
    if not os.path.isfile(path):
        return False
    return md5 is None or calculate_md5(path) == md5


class _Retryable(Exception):
    """A failure worth trying again on the same mirror (network hiccup, truncated body)."""


class _Unreachable(_Retryable):
    """No connection could be made at all (no network, DNS failure, refused)."""


class MirrorsUnreachable(RuntimeError):
    """``download_url`` could not connect to any mirror: the machine is most likely offline
    (as opposed to a mirror serving a bad or missing file)."""


class _NextMirror(Exception):
    """A failure that retrying the same URL will not fix (404, wrong checksum)."""


def _progress_bar(total: Optional[int], name: str, enabled: bool) -> Any:
    """A tqdm bar if tqdm is installed, else a one-line notice; ``update(n)``/``close()``."""
    if enabled:
        try:
            from tqdm.auto import tqdm  # imported here: tqdm is optional and slow to import

            return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
                        leave=False, file=sys.stderr)
        except ImportError:
            print(f"Downloading {name} ...", file=sys.stderr)
    return _SilentBar()


class _SilentBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _fetch_once(url: str, out: IO[bytes], md5: Optional[str], timeout: float,
                progress: bool, name: str) -> None:
    """Stream ``url`` into ``out``; raise _Retryable or _NextMirror on failure."""
    # Imported here: the HTTP stack costs ~10 ms to import and is needed only to download.
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        # Client errors (404, 403) will not change on retry; server errors (5xx) may.
        if 400 <= error.code < 500:
            raise _NextMirror(f"HTTP {error.code} {error.reason}") from None
        raise _Retryable(f"HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise _Unreachable(f"cannot connect: {reason}") from None

    digest = hashlib.md5()
    received = 0
    with response:
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        bar = _progress_bar(expected, name, progress)
        try:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        except http.client.IncompleteRead as error:
            raise _Retryable(f"connection closed early after {received + len(error.partial)} "
                             f"of {expected} bytes") from None
        except (OSError, http.client.HTTPException) as error:  # includes socket timeouts
            raise _Retryable(f"transfer failed after {received} bytes: {error}") from None
        finally:
            bar.close()
    if expected is not None and received != expected:
        raise _Retryable(f"truncated: received {received} of {expected} bytes")
    if md5 is not None and digest.hexdigest() != md5:
        raise _NextMirror(f"MD5 mismatch: expected {md5}, got {digest.hexdigest()} "
                          f"({received} bytes); the file is corrupted")


def download_url(mirrors: Sequence[str], folder: str, filename: str, md5: Optional[str] = None,
                 *, retries: int = 3, timeout: float = 30.0, backoff: float = 1.0,
                 progress: bool = True) -> str:
    """Download ``filename`` from the first mirror that serves it intact.

    Each mirror is a URL prefix (``mirror + filename`` is fetched). A network error or a truncated
    body is retried up to ``retries`` times per mirror, waiting ``backoff * 2**attempt`` seconds
    between attempts; an HTTP 4xx or an MD5 mismatch moves on to the next mirror at once.

    Args:
        mirrors: URL prefixes to try in order, each ending with ``/``.
        folder: destination folder (created if missing).
        filename: name of the file on the mirror and on disk.
        md5: expected MD5 of the downloaded bytes; ``None`` skips the check.
        retries: attempts per mirror (at least 1).
        timeout: seconds to wait for the connection and for each read.
        backoff: base delay between retries, in seconds.
        progress: show a progress bar (tqdm, if installed) on stderr.

    Returns:
        The path of the downloaded file, ``folder/filename``.

    Raises:
        RuntimeError: no mirror delivered an intact file. The message lists every URL tried with
            its last error and how to install the file by hand. Nothing is left on disk.
            ``MirrorsUnreachable`` (a RuntimeError) when no mirror could even be contacted.

    Example:
        >>> download_url(["http://127.0.0.1:8000/"], "raw", "t10k-labels-idx1-ubyte.gz")
        'raw/t10k-labels-idx1-ubyte.gz'
    """
    if not mirrors:
        raise ValueError("download_url needs at least one mirror")
    os.makedirs(folder, exist_ok=True)
    destination = os.path.join(folder, filename)
    failures: List[str] = []
    reached = False  # did any mirror answer at all?
    for mirror in mirrors:
        url = mirror + filename
        for attempt in range(max(1, retries)):
            if attempt and backoff > 0:
                time.sleep(backoff * 2 ** (attempt - 1))
            # The temporary file lives in the destination folder so os.replace is a rename on the
            # same file system, hence atomic.
            handle, temporary = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    _fetch_once(url, out, md5, timeout, progress, filename)
                os.replace(temporary, destination)
                return destination
            except _Retryable as error:
                reason, give_up = str(error), False
                reached = reached or not isinstance(error, _Unreachable)
            except _NextMirror as error:
                reason, give_up, reached = str(error), True, True
            finally:
                if os.path.exists(temporary):
                    os.remove(temporary)
            if give_up:
                break
        failures.append(f"  {url}: {reason}" + (f" (after {attempt + 1} attempts)" if attempt else ""))
    checksum = f" (MD5 {md5})" if md5 else ""
    raise (RuntimeError if reached else MirrorsUnreachable)(
        f"Could not download {filename}. Mirrors tried:\n" + "\n".join(failures) + "\n"
        f"To install it by hand, download {filename}{checksum} from one of the URLs above on a "
        f"machine with network access and copy it to {os.path.abspath(destination)}"
    )
