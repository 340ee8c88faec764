"""The same four threads, each read-add-write under one lock: nothing is lost."""

import threading
import time

counter = 0
N = 20_000
lock = threading.Lock()


def add(n: int) -> None:
    global counter
    for i in range(n):
        with lock:
            tmp = counter
            if i % 100 == 0:
                time.sleep(0)
            counter = tmp + 1
    time.sleep(2)  # stay on screen a moment, so the class can look at this thread's stack


threads = [threading.Thread(target=add, args=(N,), name=f"locked-{i}") for i in range(1, 5)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"expected {4 * N}, got {counter}: {4 * N - counter} updates lost")
