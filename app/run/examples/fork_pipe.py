"""fork() and a pipe: the child writes, the parent reads. Their variables stay apart."""

import os
import time

value = 1
r, w = os.pipe()
pid = os.fork()
if pid == 0:  # the child: its own copy of `value`
    os.close(r)
    value = 42
    time.sleep(2)
    os.write(w, f"child {os.getpid()} says value = {value}".encode())
    os._exit(0)
os.close(w)
message = os.read(r, 100).decode()
os.waitpid(pid, 0)
print(message)
print(f"parent {os.getpid()} still has value = {value}")
