"""Four threads add to one shared counter without a lock: some updates are lost."""

import threading
import time

counter = 0
N = 20_000


def add(n: int) -> None:
    global counter
    for i in range(n):
        tmp = counter  # read
        if i % 100 == 0:
            time.sleep(0)  # let another thread run between the read and the write
        counter = tmp + 1  # write: whatever the others wrote meanwhile is lost
    time.sleep(2)  # stay on screen a moment, so the class can look at this thread's stack


threads = [threading.Thread(target=add, args=(N,), name=f"adder-{i}") for i in range(1, 5)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"expected {4 * N}, got {counter}: {4 * N - counter} updates lost")
