"""Two processes add to one counter in shared memory, under a lock they share."""

import multiprocessing as mp
import time
from multiprocessing import shared_memory


def add(name: str, lock, n: int) -> None:
    shm = shared_memory.SharedMemory(name=name)
    for _ in range(n):
        with lock:
            value = int.from_bytes(shm.buf[:8], "little")
            shm.buf[:8] = (value + 1).to_bytes(8, "little")
    time.sleep(1.5)
    shm.close()


if __name__ == "__main__":
    ctx = mp.get_context("fork")
    shm = shared_memory.SharedMemory(create=True, size=8)
    shm.buf[:8] = bytes(8)
    lock = ctx.Lock()
    procs = [ctx.Process(target=add, args=(shm.name, lock, 5000), name=f"adder-{i}") for i in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(f"the shared counter: {int.from_bytes(shm.buf[:8], 'little')} (expected 10000)")
    shm.close()
    shm.unlink()
