"""A multiprocessing Pool of three worker processes, started with spawn: fresh interpreters."""

import multiprocessing as mp
import os
import time


def square(x: int) -> tuple[int, int]:
    time.sleep(1)  # slow enough to watch
    return os.getpid(), x * x


if __name__ == "__main__":
    with mp.get_context("spawn").Pool(3) as pool:
        results = pool.map(square, range(6))
    for pid, sq in results:
        print(f"process {pid} computed {sq}")
