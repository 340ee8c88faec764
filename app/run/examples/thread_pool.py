"""A ThreadPoolExecutor: three worker threads in one process share the work."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor


def work(x: int) -> str:
    time.sleep(1)
    return f"{x} squared is {x * x}, by {threading.current_thread().name}"


with ThreadPoolExecutor(max_workers=3, thread_name_prefix="pool") as ex:
    for line in ex.map(work, range(6)):
        print(line)
