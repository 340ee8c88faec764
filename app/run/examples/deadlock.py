"""Two threads take two locks in opposite order: each waits for the other (then gives up after 3 s)."""

import threading
import time

a, b = threading.Lock(), threading.Lock()


def take(first: threading.Lock, second: threading.Lock, me: str) -> None:
    with first:
        time.sleep(0.5)  # the other thread takes its first lock meanwhile
        if second.acquire(timeout=3):
            second.release()
            print(f"{me}: got both locks")
        else:
            print(f"{me}: waited 3 s for the other lock: deadlock (a real program would wait forever)")


t1 = threading.Thread(target=take, args=(a, b, "left"), name="left")
t2 = threading.Thread(target=take, args=(b, a, "right"), name="right")
t1.start()
t2.start()
t1.join()
t2.join()
