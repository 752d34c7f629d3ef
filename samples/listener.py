# samples/listener.py: a one-connection TCP listener on 127.0.0.1 for the attack session; writes its port to argv[1].
import socket
import sys

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(4)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(float(sys.argv[2]) if len(sys.argv) > 2 else 20)
try:
    c, _ = s.accept()
    c.recv(100)
except Exception:
    pass
